package yandexkms

import (
	"context"
	"strings"
	"unicode/utf8"

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
	MaxPageSize    = 1000
	MaxPageToken   = 100
	MaxFolderIDLen = 50
	MaxKeyIDLen    = 50
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
	concurrency int
	prefetch    int   // pagination.Options.Prefetch of every paged listing
	optErr      error // an invalid option or folder, returned by every call
}

// Option configures a Lister.
type Option func(*settings)

type settings struct {
	folders     []string
	retry       pagination.Retry
	limiter     *pagination.Limiter
	rate        float64
	burst       int
	concurrency int
	prefetch    int
	err         error
}

// WithFolders adds folders to list after the one given to New: ListKeys
// lists them all as one stream, folder after folder, fetching up to
// WithConcurrency listings at once under one rate limiter.
func WithFolders(folderIDs ...string) Option {
	return func(s *settings) { s.folders = append(s.folders, folderIDs...) }
}

// WithRetry sets the retry policy of every request (default: the zero
// pagination.Retry, 5 attempts with jittered exponential backoff).
func WithRetry(r pagination.Retry) Option { return func(s *settings) { s.retry = r } }

// WithRateLimit sets the client-side pace of the Lister's own limiter to
// perSecond requests a second with the given burst; perSecond <= 0 turns
// pacing off. Default: DefaultRateLimit, DefaultBurst.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.rate, s.burst = perSecond, burst }
}

// WithLimiter makes the Lister pace its requests with lim, to share one
// limiter between several Listers that draw on the same quota.
func WithLimiter(lim *pagination.Limiter) Option { return func(s *settings) { s.limiter = lim } }

// WithConcurrency sets how many folder x kind listings ListKeys fetches at
// once (default DefaultConcurrency; each is at most a page ahead).
func WithConcurrency(n int) Option {
	return func(s *settings) {
		if n < 1 {
			s.err = kms.InvalidArgument(kms.ProviderYandex, "New", "Concurrency", "must be at least 1, got %d", n)
		}
		s.concurrency = n
	}
}

// WithPrefetch makes every paged listing fetch up to n pages ahead of the
// caller in a goroutine of its own. The default, 0, fetches a page when it
// is needed: a folder holds at most 100 keys per cloud, so a kind rarely
// needs a second page of the default size, and the listings of ListKeys
// already overlap (WithConcurrency); prefetching would cost CPU (goroutine
// hand-offs) for little gain. Raise it for small pages over a slow link.
func WithPrefetch(n int) Option {
	return func(s *settings) {
		if n < 0 {
			s.err = kms.InvalidArgument(kms.ProviderYandex, "New", "Prefetch", "must not be negative, got %d", n)
		}
		s.prefetch = n
	}
}

// New returns a Lister of folder folderID (and of WithFolders) over sdk. An
// invalid folder ID or option does not fail New: it makes every call of the
// Lister fail with kms.ErrInvalidArgument before any request.
func New(sdk *ycsdk.SDK, folderID string, opts ...Option) *Lister {
	return newLister(sdk, "default", folderID, opts)
}

func newLister(sdk *ycsdk.SDK, endpoint, folderID string, opts []Option) *Lister {
	s := settings{rate: DefaultRateLimit, burst: DefaultBurst, concurrency: DefaultConcurrency}
	for _, o := range opts {
		o(&s)
	}
	l := &Lister{
		sdk:         sdk,
		folders:     append([]string{folderID}, s.folders...),
		scope:       "yandex/" + endpoint,
		retry:       s.retry,
		limiter:     s.limiter,
		concurrency: s.concurrency,
		prefetch:    -1,
		optErr:      s.err,
	}
	if s.prefetch > 0 {
		l.prefetch = s.prefetch
	}
	if l.limiter == nil {
		l.limiter = pagination.NewLimiter(s.rate, s.burst)
	}
	for _, f := range l.folders {
		if err := checkID("New", "folderID", f, MaxFolderIDLen); err != nil && l.optErr == nil {
			l.optErr = err
		}
	}
	return l
}

// Provider returns kms.ProviderYandex.
func (l *Lister) Provider() kms.Provider { return kms.ProviderYandex }

// Folders returns the folders ListKeys lists, in order.
func (l *Lister) Folders() []string { return append([]string(nil), l.folders...) }

// Limiter returns the Lister's rate limiter, to read or adjust its pace.
func (l *Lister) Limiter() *pagination.Limiter { return l.limiter }

// SDK returns the SDK the Lister calls.
func (l *Lister) SDK() *ycsdk.SDK { return l.sdk }

// Close shuts down the SDK if the Lister built it (NewFromConfig, kms.Open);
// a Lister made by New leaves the caller's SDK alone.
func (l *Lister) Close() error {
	if !l.owned {
		return nil
	}
	return l.sdk.Shutdown(context.Background())
}

// checkID validates a folder or key ID: 1..max characters.
func checkID(op, param, id string, maxLen int) error {
	if n := utf8.RuneCountInString(id); n < 1 || n > maxLen {
		return kms.InvalidArgument(kms.ProviderYandex, op, param, "length must be 1..%d, got %d", maxLen, n)
	}
	if strings.TrimSpace(id) != id {
		return kms.InvalidArgument(kms.ProviderYandex, op, param, "must not have leading or trailing spaces")
	}
	return nil
}

var _ kms.ProviderLister = (*Lister)(nil)
