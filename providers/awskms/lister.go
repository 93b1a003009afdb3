package awskms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/internal/membody"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The AWS KMS operations the Lister calls; the names WithOperationRateLimit
// and Limiter take, and the Op of every *kms.Error it returns.
const (
	OpListKeys         = "ListKeys"
	OpDescribeKey      = "DescribeKey"
	OpListAliases      = "ListAliases"
	OpListKeyRotations = "ListKeyRotations"
	OpListResourceTags = "ListResourceTags"
	// The extras of kms.IncludeRotation, IncludePolicy and IncludeAccess.
	OpGetKeyRotationStatus = "GetKeyRotationStatus"
	OpGetKeyPolicy         = "GetKeyPolicy"
	OpListGrants           = "ListGrants"
)

// DefaultQuotas are the default client-side rate limits, in requests a
// second per operation: the published AWS KMS quotas per account and Region,
// except ListKeys, for which the lower of the two published figures (100,
// older pages; 500, newer ones) is used, as marker pages are sequential and
// rarely come faster anyway. Each limiter's burst is a twentieth of its
// pace (at least 1).
var DefaultQuotas = map[string]float64{
	OpListKeys:         100,
	OpDescribeKey:      2000,
	OpListAliases:      500,
	OpListKeyRotations: 100,
	OpListResourceTags: 2000,

	OpGetKeyRotationStatus: 1000,
	OpGetKeyPolicy:         1000,
	OpListGrants:           100,
}

func knownOp(op string) bool { _, ok := DefaultQuotas[op]; return ok }

// DefaultConcurrency is how many per-key requests (DescribeKey and the
// extras) a listing has in flight: enough to reach the DescribeKey quota of
// 2000/s at up to 32 ms a request.
const DefaultConcurrency = 64

// DefaultDescribeConcurrency is DefaultConcurrency.
//
// Deprecated: use DefaultConcurrency.
const DefaultDescribeConcurrency = DefaultConcurrency

// Limits of the AWS API checked before any request.
const (
	MaxPageSize      = 1000
	MaxKeyRefLen     = 2048
	MaxGrantTokens   = 10
	MaxGrantTokenLen = 8192
	MaxMarkerLen     = 1024
)

// maxResponseBytes bounds what one answer may hold: a ListKeys page of 1000
// keys is about 150 KB and a key policy at most 32 KB, so 8 MiB leaves a
// wide margin while a hostile or broken server cannot exhaust memory.
const maxResponseBytes = 8 << 20

var regionRe = regexp.MustCompile(`^[a-z]{2,5}(-[a-z]+)+-[0-9]{1,2}$`)

// Lister lists and describes the KMS keys of one account and Region through
// an aws-sdk-go-v2 KMS client. It implements kms.ProviderLister and is safe
// for concurrent use; its rate limiters are shared by all its listings.
type Lister struct {
	client      *kmssdk.Client
	scope       string // "aws/<region>/<endpoint>": never credentials
	name        string // see Scope
	concurrency int
	prefetch    int // as pagination.Options.Prefetch takes it
	retry       pagination.Retry
	observer    pagination.Observer
	limiters    map[string]*pagination.Limiter
	grantTokens []string
	owned       *http.Transport // the transport NewFromConfig built; nil for New
	optErr      error           // an invalid option, returned by every call
}

// New returns a Lister over client, the caller's: Close leaves it alone,
// and New leaves its HTTP client as it is. That client should keep an idle
// connection per host for every request a listing has in flight
// (WithConcurrency, default 64, plus 2: the ListKeys page ahead and the
// ListAliases pass), or every wave of describes closes the connections
// beyond its idle pool and dials them again (with TLS, a handshake each):
// the SDK's default transport keeps 10 a host; raise it with
// awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport)
// { t.MaxIdleConnsPerHost = 66 }). NewFromConfig's own client does so.
// An invalid option, a nil client, or a client whose BaseEndpoint is plain
// http to a public host (http is for loopback and private hosts only) does
// not fail New: it makes every
// call of the Lister fail with kms.ErrInvalidArgument, naming the option,
// before any request. WithRegion, WithProfile, WithEndpoint and
// WithLoadOptions concern NewFromConfig and are ignored here.
func New(client *kmssdk.Client, opts ...Option) *Lister {
	s := apply(opts)
	if s.Err == nil {
		s.Err = checkClient(client)
	}
	return newLister(client, s)
}

// checkClient refuses a nil client, and one whose BaseEndpoint would send
// plain text to a public host (plain http is for loopback and private
// hosts only, as WithEndpoint allows).
func checkClient(client *kmssdk.Client) error {
	if client == nil {
		return kms.InvalidArgument(kms.ProviderAWS, "New", "client", "must not be nil")
	}
	ep := aws.ToString(client.Options().BaseEndpoint)
	if ep == "" {
		return nil
	}
	if _, err := adapter.ParseEndpoint(kms.ProviderAWS, "New", "client BaseEndpoint", ep); err != nil {
		return err
	}
	return nil
}

func newLister(client *kmssdk.Client, s settings) *Lister {
	l := &Lister{
		client:      client,
		concurrency: s.ConcurrencyOr(DefaultConcurrency),
		prefetch:    s.EnginePrefetch(),
		retry:       s.Retry,
		observer:    s.Observer,
		limiters:    make(map[string]*pagination.Limiter, len(DefaultQuotas)),
		grantTokens: s.grantTokens,
		optErr:      s.Err,
	}
	if client != nil {
		o := client.Options()
		l.scope = fmt.Sprintf("aws/%s/%s", o.Region, aws.ToString(o.BaseEndpoint))
		l.name = o.Region
		if u, err := url.Parse(aws.ToString(o.BaseEndpoint)); err == nil && u.Host != "" {
			l.name += "/" + u.Host
		}
	}
	for op, q := range DefaultQuotas {
		limit := opLimit{q, max(1, int(q/20))}
		if s.RateSet && s.Rate < q {
			limit = opLimit{s.Rate, s.Burst}
		}
		if v, ok := s.limits[op]; ok {
			limit = v
		}
		l.limiters[op] = pagination.NewLimiter(limit.perSecond, limit.burst)
	}
	return l
}

// NewFromConfig returns a Lister over a client of its own, built from the
// default AWS configuration chain (environment, shared config and
// credentials files, SSO, web identity, container and instance roles), as
// config.LoadDefaultConfig finds it, adjusted by WithRegion, WithProfile,
// WithEndpoint and WithLoadOptions. It sends no request: invalid options, a
// configuration that cannot be loaded (a missing profile, say) and a
// missing Region are refused at once with kms.ErrInvalidArgument naming
// them; the credentials are fetched by the first call, whose failure is
// kms.ErrUnauthenticated. On error the Lister is nil. Close closes the
// idle connections of its HTTP client.
func NewFromConfig(ctx context.Context, opts ...Option) (*Lister, error) {
	s := apply(opts)
	if s.Err != nil {
		return nil, s.Err
	}
	cfg, err := loadConfig(ctx, s)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		return nil, kms.InvalidArgument(kms.ProviderAWS, "New", "region",
			"no Region: give WithRegion (region= in a URL), AWS_REGION or a profile with one")
	}
	owned := ownHTTPClient(&cfg, idlePerHost(s))
	l := newLister(kmssdk.NewFromConfig(cfg), s)
	l.owned = owned
	return l, nil
}

// listingSideRequests are the requests a listing may have in flight beside
// its per-key ones: the ListKeys page fetched ahead (marker pages come one
// after the other, whatever the prefetch) and the ListAliases pass.
const listingSideRequests = 2

// idlePerHost is how many idle connections to its endpoint a Lister's own
// HTTP client keeps: one for every request a listing may have in flight,
// so that the connections of a wave of describes are reused by the next
// one rather than closed and dialled again (with TLS, a handshake each).
func idlePerHost(s settings) int { return s.ConcurrencyOr(DefaultConcurrency) + listingSideRequests }

// ownHTTPClient gives cfg an HTTP client of the Lister's own, so that Close
// can close its idle connections: the transport the configuration built
// (the SDK's defaults, with a custom CA bundle if AWS_CA_BUNDLE or the
// profile names one, and any transport options of a BuildableClient given
// through WithLoadOptions), keeping at least idle idle connections per host
// (the SDK's default is 10, a tenth of a listing's 64 describes in flight),
// redirects not followed (as the SDK's own client does), request bodies
// read through Read only (see internal/membody). An HTTP client the caller
// gave through WithLoadOptions that is not a BuildableClient is left
// alone: it is the caller's, and the Lister owns nothing.
func ownHTTPClient(cfg *aws.Config, idle int) *http.Transport {
	bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient)
	if cfg.HTTPClient != nil && !ok {
		return nil
	}
	if bc == nil {
		bc = awshttp.NewBuildableClient()
	}
	tr := bc.GetTransport()
	tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, idle)
	if tr.MaxIdleConns != 0 { // 0 is no limit
		tr.MaxIdleConns = max(tr.MaxIdleConns, idle)
	}
	cfg.HTTPClient = membody.Client{Client: &http.Client{
		Transport:     tr,
		Timeout:       bc.GetTimeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	return tr
}

// configError keeps what kind of configuration failure err is and the
// file concerned, not the SDK's text (which may quote a file's content,
// a secret key included).
func configError(err error) error {
	var missing config.SharedConfigProfileNotExistError
	var load config.SharedConfigLoadError
	switch {
	case errors.As(err, &missing):
		return errors.New("the profile does not exist in the shared config and credentials files")
	case errors.As(err, &load):
		return fmt.Errorf("the shared file %s cannot be read or parsed", load.Filename)
	}
	return errors.New("the AWS configuration (environment, shared files, CA bundle) cannot be loaded")
}

// Close releases what the Lister owns: a Lister from NewFromConfig (or
// kms.Open) closes the idle connections of its HTTP client; one over the
// caller's client (New) closes nothing. Calls after Close still work (they
// open new connections).
func (l *Lister) Close() error {
	if l.owned != nil {
		l.owned.CloseIdleConnections()
	}
	return nil
}

// Provider returns kms.ProviderAWS.
func (l *Lister) Provider() kms.Provider { return kms.ProviderAWS }

// Scope names what the Lister lists, for kms.Merge (kms.ScopedLister) and
// its events: the Region of its client, and the endpoint's host when one
// was set ("eu-west-1", "eu-west-1/kms-fips.eu-west-1.amazonaws.com"), so
// that a Merge tells its Listers apart by name, not by place. It holds no
// credential.
func (l *Lister) Scope() string { return l.name }

// Limiter returns the shared rate limiter of op (one of the Op constants),
// to read or adjust its pace with SetLimit; nil for an unknown op.
func (l *Lister) Limiter(op string) *pagination.Limiter { return l.limiters[op] }

var _ kms.ScopedLister = (*Lister)(nil)

// A Fleet is named too, so that a Merge of fleets resumes each by name.
var _ kms.ScopedLister = (*Fleet)(nil)

// loadConfig loads the default configuration chain with the Region,
// profile, endpoint and load options s gives. Loading reads configuration
// (no credentials are fetched yet): a missing profile or a malformed file is
// a bad argument, and as the SDK's message may quote the files, only its
// gist is kept; a done context's error is returned as it is.
func loadConfig(ctx context.Context, s settings) (aws.Config, error) {
	var load []func(*config.LoadOptions) error
	if s.region != "" {
		load = append(load, config.WithRegion(s.region))
	}
	if s.profile != "" {
		load = append(load, config.WithSharedConfigProfile(s.profile))
	}
	if s.endpoint != "" {
		load = append(load, config.WithBaseEndpoint(s.endpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(load, s.load...)...)
	if err != nil {
		if ctx.Err() != nil {
			return aws.Config{}, ctx.Err()
		}
		return aws.Config{}, kms.NewError(kms.ProviderAWS, "LoadDefaultConfig", kms.CodeInvalidArgument, configError(err))
	}
	return cfg, nil
}
