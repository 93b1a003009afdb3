package awskmstest

import (
	"time"

	"golang.org/x/time/rate"
)

// The operations the emulator serves (the Op of X-Amz-Target: TrentService.<Op>).
const (
	OpListKeys         = "ListKeys"
	OpDescribeKey      = "DescribeKey"
	OpListAliases      = "ListAliases"
	OpListResourceTags = "ListResourceTags"
	OpListKeyRotations = "ListKeyRotations"
	// OpGetKeyRotationStatus, OpGetKeyPolicy and OpListGrants serve the
	// compliance extras (rotation, policy, access).
	OpGetKeyRotationStatus = "GetKeyRotationStatus"
	OpGetKeyPolicy         = "GetKeyPolicy"
	OpListGrants           = "ListGrants"
)

// Operations lists every operation the emulator serves.
var Operations = []string{OpListKeys, OpDescribeKey, OpListAliases, OpListResourceTags, OpListKeyRotations,
	OpGetKeyRotationStatus, OpGetKeyPolicy, OpListGrants}

// Quotas are the published AWS KMS request quotas per account and Region,
// in requests a second.
var Quotas = map[string]float64{
	OpListKeys:         500,
	OpDescribeKey:      2000,
	OpListAliases:      500,
	OpListKeyRotations: 100,
	OpListResourceTags: 2000,

	OpGetKeyRotationStatus: 1000,
	OpGetKeyPolicy:         1000,
	OpListGrants:           100,
}

// Option configures a Server.
type Option func(*config)

type config struct {
	region, account string
	keys            []Key
	latency         time.Duration
	limits          map[string]*rate.Limiter
	faults          []Fault
	repeatMarkers   bool
	emptyPages      bool
	hostile         []Hostile
}

func defaultConfig() config {
	return config{region: "us-east-1", account: "111122223333", limits: map[string]*rate.Limiter{}}
}

// WithRegion sets the Region of the emulated endpoint (default us-east-1);
// requests must be signed for it.
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithAccount sets the account ID in ARNs (default 111122223333).
func WithAccount(account string) Option { return func(c *config) { c.account = account } }

// WithKeys adds keys, in ListKeys order.
func WithKeys(keys ...Key) Option {
	return func(c *config) { c.keys = append(c.keys, keys...) }
}

// WithGeneratedKeys adds the n keys of GenerateKeys.
func WithGeneratedKeys(n int) Option {
	return func(c *config) { c.keys = append(c.keys, GenerateKeys(n)...) }
}

// WithLatency delays every response by d (or until the client goes away).
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithRateLimit limits op to perSecond requests a second with the given burst;
// requests over it are answered with HTTP 400 ThrottlingException.
func WithRateLimit(op string, perSecond float64, burst int) Option {
	return func(c *config) { c.limits[op] = rate.NewLimiter(rate.Limit(perSecond), max(burst, 1)) }
}

// WithQuotas enforces the published quotas (Quotas) on every operation, with
// a burst of a tenth of a second's worth of requests.
func WithQuotas() Option {
	return func(c *config) {
		for op, q := range Quotas {
			WithRateLimit(op, q, int(q/10))(c)
		}
	}
}

// Fault describes injected failures: the matching requests, which of them
// fail and how.
type Fault struct {
	// Op limits the fault to one operation; "" matches every operation.
	Op string
	// KeyID limits the fault to requests whose KeyId parameter equals it.
	KeyID string
	// Every fails every Every-th matching request (the Every-th, 2*Every-th,
	// ...); 0 or 1 fails each matching request.
	Every int
	// Count stops after that many injected failures; 0 means no limit.
	Count int
	// Status is the HTTP status; 0 means the one the operation's reference
	// page gives Type (500 when Type is "" too).
	Status int
	// Type is the error's __type; "" means, for a 500, KMSInternalException
	// (DependencyTimeoutException for DescribeKey, whose reference gives its
	// internal exception a 400), ServiceUnavailableException for a 503 and
	// ValidationException otherwise.
	Type string
	// Message is the error's message; "" means a generic one.
	Message string
}

// WithFault injects failures as f describes; faults are checked in the
// order given and the first that fires answers the request.
func WithFault(f Fault) Option { return func(c *config) { c.faults = append(c.faults, f) } }

// WithRepeatedMarkers makes every marker-paginated operation misbehave as AWS
// did in the wild: a page requested with a marker answers with that same
// marker as NextMarker, so a naive client loops forever.
func WithRepeatedMarkers() Option { return func(c *config) { c.repeatMarkers = true } }

// WithEmptyPages makes every marker-paginated operation put an empty page
// with Truncated true and a fresh NextMarker before each real page.
func WithEmptyPages() Option { return func(c *config) { c.emptyPages = true } }
