package yandexkms

import (
	"context"
	"strings"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The Yandex Cloud KMS operations the Lister calls: the Op of the
// *kms.Error a failed call returns (input refused client-side carries the
// Lister method's name instead: ListKeys, DescribeKey, ListKeyVersions).
const (
	OpListSymmetric  = "SymmetricKey.List"
	OpGetSymmetric   = "SymmetricKey.Get"
	OpListVersions   = "SymmetricKey.ListVersions"
	OpListEncryption = "AsymmetricEncryptionKey.List"
	OpGetEncryption  = "AsymmetricEncryptionKey.Get"
	OpListSignature  = "AsymmetricSignatureKey.List"
	OpGetSignature   = "AsymmetricSignatureKey.Get"
)

// Limits of the Yandex Cloud KMS API, checked before any request.
const (
	// MaxPageSize is the largest page_size (0 means the cloud's 100).
	MaxPageSize = 1000
	// MaxPageToken is the longest page_token, in characters.
	MaxPageToken = 100
	// MaxFolderIDLen is the longest folder_id, in characters.
	MaxFolderIDLen = 50
	// MaxKeyIDLen is the longest key_id, in characters.
	MaxKeyIDLen = 50
)

// Defaults of a Lister.
const (
	// DefaultRateLimit is the default client-side pace in requests a second,
	// shared by every request of a Lister. Yandex Cloud publishes no KMS
	// request quota; the limiter adapts to RESOURCE_EXHAUSTED answers.
	DefaultRateLimit = 1000
	// DefaultBurst is the default burst of the limiter.
	DefaultBurst = 100
	// DefaultConcurrency is how many of the folder x kind listings of
	// ListKeys are fetched at once.
	DefaultConcurrency = 16
	// DefaultEndpoint is the API endpoint of Yandex Cloud.
	DefaultEndpoint = "https://api.cloud.yandex.net:443"
)

// Lister lists and describes the KMS keys of one or more Yandex Cloud
// folders through a ycsdk.SDK. It implements kms.ProviderLister and is safe
// for concurrent use; its rate limiter is shared by all its requests.
type Lister struct {
	sdk         *ycsdk.SDK
	owned       bool // Close shuts sdk down
	folders     []string
	scope       string // "yandex/<endpoint>": never credentials
	retry       pagination.Retry
	limiter     *pagination.Limiter
	observer    pagination.Observer
	concurrency int
	prefetch    int   // pagination.Options.Prefetch of every paged listing
	optErr      error // an invalid option or folder, returned by every call
}

// New returns a Lister of folder folderID (and of WithFolders) over sdk,
// the caller's: Close leaves it alone. Build the SDK with a negative
// DialContextTimeout (as NewFromConfig does): the SDK's default dials
// blocking for up to 20 s on a background context. The Lister returns at
// the caller's deadline either way, but a blocking dial keeps every later
// call waiting on it.
//
// A folder ID is 1..50 lowercase Latin letters and digits; an invalid
// folder ID or option, a nil sdk, or WithEndpoint, WithCredentials or
// WithSDKConfig (which only NewFromConfig takes) do not fail New: they make
// every call of the Lister fail with kms.ErrInvalidArgument, naming the
// parameter, before any request.
func New(sdk *ycsdk.SDK, folderID string, opts ...Option) *Lister {
	s := newSettings(opts)
	if len(s.sdkOpts) > 0 {
		s.fail(s.sdkOpts[0], "applies to NewFromConfig only: New uses the SDK as it was built")
	}
	if sdk == nil {
		s.fail("sdk", "must not be nil")
	}
	return newLister(sdk, "default", folderID, s)
}

func newLister(sdk *ycsdk.SDK, endpoint, folderID string, s settings) *Lister {
	l := &Lister{
		sdk:         sdk,
		folders:     append([]string{folderID}, s.folders...),
		scope:       "yandex/" + endpoint,
		retry:       retryPolicy(s.Retry),
		limiter:     s.NewLimiter(DefaultRateLimit, DefaultBurst),
		observer:    s.Observer,
		concurrency: s.ConcurrencyOr(DefaultConcurrency),
		prefetch:    s.EnginePrefetch(),
		optErr:      s.Err,
	}
	if l.optErr == nil {
		l.optErr = checkFolders("New", folderID, s.folders)
	}
	return l
}

// Provider returns kms.ProviderYandex.
func (l *Lister) Provider() kms.Provider { return kms.ProviderYandex }

// Folders returns the folders ListKeys lists, in order.
func (l *Lister) Folders() []string { return append([]string(nil), l.folders...) }

// Scope names what the Lister lists, for the *kms.ScopeError and events of
// a kms.Merge: its folders, comma-separated (the Merge puts "yandex/"
// before it).
func (l *Lister) Scope() string { return strings.Join(l.folders, ",") }

// Lister and Fleet name what they list, so that a Merge resumes each by
// name (see kms.ScopedLister).
var (
	_ kms.ScopedLister = (*Lister)(nil)
	_ kms.ScopedLister = (*Fleet)(nil)
)

// Limiter returns the Lister's rate limiter, to read or adjust its pace.
func (l *Lister) Limiter() *pagination.Limiter { return l.limiter }

// SDK returns the SDK the Lister calls.
func (l *Lister) SDK() *ycsdk.SDK { return l.sdk }

// Close shuts down the SDK if the Lister built it (NewFromConfig, kms.Open),
// closing its connections; a Lister made by New leaves the caller's SDK
// alone and closes nothing. Calls after Close fail.
func (l *Lister) Close() error {
	if !l.owned {
		return nil
	}
	return l.sdk.Shutdown(context.Background())
}

// request describes a single call of op (Get) for pagination.Request.Do.
func (l *Lister) request(op string) pagination.Request {
	return pagination.Request{Op: op, Scope: l.scope, Retry: l.retry, Limiter: l.limiter, Observer: l.observer}
}

// scopeOf names a listing within the Lister's endpoint.
func (l *Lister) scopeOf(parts ...string) string {
	return l.scope + "/" + strings.Join(parts, "/")
}

var (
	_ kms.ProviderLister   = (*Lister)(nil)
	_ kms.ScopedLister     = (*Lister)(nil)
	_ kms.IncludeDescriber = (*Lister)(nil)
)
