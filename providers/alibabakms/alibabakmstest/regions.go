package alibabakmstest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
)

// Cloud is one Alibaba Cloud account of several regions, for tests of
// scope discovery: one HTTP server on 127.0.0.1 that routes every KMS
// request by its RegionId parameter (which the SDK sends with every call)
// to that region's own Server, with its own keys, its own read quota
// (50/s by default, the published one), latency, knobs and counts; that
// answers KMS DescribeRegions itself (through the region Server's checks:
// signature, nonce, token, quota; counted as its "DescribeRegions"); and
// that serves STS AssumeRole on an HTTPS endpoint of its own (STSURL, see
// assumeRole). Point every regional client at Cloud.URL: the region is
// told by RegionId, as the cloud tells it by the regional endpoint.
//
// Without roles (WithAssumableRoles), every region accepts the account's
// AccessKey (DefaultAccessKeyID). With roles, the regions accept only the
// STS credentials AssumeRole hands out (the AccessKey then signs only
// AssumeRole and DescribeRegions), so that a test proves the assumed role
// is what signs the KMS calls.
//
// Knobs: FailRegion (a region failing part-way, then mending), DenyRegion (every request of the region answers 403 Forbidden.RAM,
// as for a region the caller's policy excludes), AddRegion and
// RemoveRegion (a region activated or deactivated for the account between
// two DescribeRegions), BreakRegion (the
// region's connections are closed unanswered, as for a region that cannot
// be reached), DenyRole (AssumeRole of the ARN answers 403 NoPermission),
// and counts (Count of "DescribeRegions" or "AssumeRole", each region's own
// through Region).
type Cloud struct {
	srv      *httptest.Server
	stsSrv   *httptest.Server // TLS: the SDK reaches STS over HTTPS only
	account  string
	keyID    string
	secret   string
	sts      *stsState
	hasRoles bool

	mu      sync.Mutex
	regions map[string]*Server // guarded by mu: AddRegion and RemoveRegion change it
	retired []*Server          // removed regions' Servers, closed by Close
	stray   int                // requests of a region the Cloud does not have
	fails   map[string]*regionFault
	denied  map[string]bool
	broken  map[string]bool
	counts  map[string]int
}

// CloudOption configures a Cloud (NewCloud).
type CloudOption func(*cloudConfig)

type cloudConfig struct {
	account string
	regions map[string][]Option
	order   []string
	roles   []string
}

// WithCloudRegion adds region with the options of its Server (WithKeys,
// WithReadQuota, WithLatency, ...), applied after the Cloud's own
// (WithRegion, WithAccount, the credentials, WithReadQuota(50, 50)).
func WithCloudRegion(region string, opts ...Option) CloudOption {
	return func(c *cloudConfig) {
		if _, ok := c.regions[region]; !ok {
			c.order = append(c.order, region)
		}
		c.regions[region] = append(c.regions[region], opts...)
	}
}

// WithCloudAccount sets the account UID (DefaultAccount otherwise).
func WithCloudAccount(uid string) CloudOption { return func(c *cloudConfig) { c.account = uid } }

// WithAssumableRoles makes the RAM roles (acs:ram::<account>:role/<name>)
// assumable through STS AssumeRole with the account's AccessKey, and the
// regions accept the STS credentials it hands out instead of the AccessKey.
func WithAssumableRoles(arns ...string) CloudOption {
	return func(c *cloudConfig) { c.roles = append(c.roles, arns...) }
}

// NewCloud starts a Cloud. Close it when done.
func NewCloud(opts ...CloudOption) *Cloud {
	cfg := cloudConfig{account: DefaultAccount, regions: map[string][]Option{}}
	for _, o := range opts {
		o(&cfg)
	}
	c := &Cloud{
		account: cfg.account, keyID: DefaultAccessKeyID, secret: DefaultAccessKeySecret,
		regions: map[string]*Server{},
		denied:  map[string]bool{}, broken: map[string]bool{}, counts: map[string]int{},
		fails: map[string]*regionFault{},
	}
	c.sts, c.hasRoles = newSTS(cfg.account, cfg.roles), len(cfg.roles) > 0
	for _, r := range cfg.order {
		c.regions[r] = c.newRegion(r, cfg.regions[r])
	}
	c.srv = httptest.NewServer(c)
	c.stsSrv = httptest.NewTLSServer(http.HandlerFunc(c.serveSTS))
	return c
}

// URL is the Cloud's KMS endpoint, http://127.0.0.1:<port>, for every
// region (alibabakms.WithEndpoint, the endpoint= URL parameter).
func (c *Cloud) URL() string { return c.srv.URL }

// STSURL is the Cloud's STS endpoint, https://127.0.0.1:<port>: the SDK's
// RAM-role credential provider reaches STS over HTTPS only. Its
// certificate is self-signed: see TrustSTS.
func (c *Cloud) STSURL() string { return c.stsSrv.URL }

// TrustSTS makes http.DefaultTransport trust the STS endpoint's
// certificate (the SDK's RAM-role credential provider clones
// http.DefaultTransport for every AssumeRole, and takes no client or
// transport of its own) and returns the function that undoes it. It
// changes process-wide state: for tests that do not run in parallel.
func (c *Cloud) TrustSTS() (restore func()) {
	t := http.DefaultTransport.(*http.Transport)
	prev := t.TLSClientConfig
	pool := x509.NewCertPool()
	pool.AddCert(c.stsSrv.Certificate())
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return func() { t.TLSClientConfig = prev }
}

// AccessKey returns the account's AccessKey.
func (c *Cloud) AccessKey() (id, secret string) { return c.keyID, c.secret }

// Account returns the account UID.
func (c *Cloud) Account() string { return c.account }

// Regions returns the Cloud's regions, sorted: what DescribeRegions lists.
func (c *Cloud) Regions() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Sorted(maps.Keys(c.regions))
}

// Region returns the Server of a region (nil if the Cloud has none), for
// its keys, knobs and counts.
func (c *Cloud) Region(region string) *Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.regions[region]
}

// DenyRegion makes every request of region answer 403 Forbidden.RAM.
func (c *Cloud) DenyRegion(region string) { c.setFlag(c.denied, region, true) }

// AllowRegion undoes DenyRegion and BreakRegion.
func (c *Cloud) AllowRegion(region string) {
	c.setFlag(c.denied, region, false)
	c.setFlag(c.broken, region, false)
}

// regionFault is a FailRegion knob: pass requests go through, then fail
// requests answer 403 Forbidden.RAM.
type regionFault struct{ pass, fail int }

// FailRegion lets the region's next after requests through, then answers
// the times after them with 403 Forbidden.RAM (not retried): a region
// that fails part-way through a listing, then mends.
func (c *Cloud) FailRegion(region string, after, times int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fails[region] = &regionFault{after, times}
}

// faulty consumes one request of the region's FailRegion knob and reports
// whether it is to fail.
func (c *Cloud) faulty(region string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.fails[region]
	switch {
	case f == nil:
		return false
	case f.pass > 0:
		f.pass--
		return false
	case f.fail > 0:
		f.fail--
		return true
	}
	return false
}

// BreakRegion makes the region's connections close unanswered.
func (c *Cloud) BreakRegion(region string) { c.setFlag(c.broken, region, true) }

// DenyRole makes AssumeRole of arn answer 403 NoPermission.
func (c *Cloud) DenyRole(arn string) { c.sts.deny(arn, true) }

// AllowRole undoes DenyRole.
func (c *Cloud) AllowRole(arn string) { c.sts.deny(arn, false) }

func (c *Cloud) setFlag(m map[string]bool, k string, v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m[k] = v
}

func (c *Cloud) flag(m map[string]bool, k string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return m[k]
}

// Count returns how many DescribeRegions or AssumeRole requests reached the
// Cloud, failed ones included.
func (c *Cloud) Count(action string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[action]
}

// Requests returns every request the Cloud received: its own, every
// region's (a removed region's no longer), and those of a region it does
// not have.
func (c *Cloud) Requests() int {
	c.mu.Lock()
	n := c.counts["AssumeRole"] + c.stray
	c.mu.Unlock()
	for _, s := range c.servers(false) {
		n += s.Requests()
	}
	return n
}

// ResetCounts resets the Cloud's counts and every region's.
func (c *Cloud) ResetCounts() {
	c.mu.Lock()
	clear(c.counts)
	c.stray = 0
	c.mu.Unlock()
	for _, s := range c.servers(false) {
		s.ResetCounts()
	}
}

// Close stops the Cloud and every region's Server, removed ones included.
func (c *Cloud) Close() {
	c.srv.Close()
	c.stsSrv.Close()
	for _, s := range c.servers(true) {
		s.Close()
	}
}

// ServeHTTP routes a KMS request by its RegionId to its region.
func (c *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	action := r.Form.Get("Action")
	region := r.Form.Get("RegionId")
	s := c.serverOf(region)
	switch {
	case s == nil:
		writeBare(w, r, &apiError{http.StatusNotFound, "InvalidRegionId", fmt.Sprintf("The specified region %q does not exist.", region)})
	case c.flag(c.broken, region):
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
	case c.flag(c.denied, region) || c.faulty(region):
		s.requests.Add(1)
		s.count(action)
		s.writeError(w, r, &apiError{http.StatusForbidden, "Forbidden.RAM", "User not authorized to operate on the specified resource, or this API doesn't support RAM."})
	case action == "DescribeRegions" && c.hasRoles && r.Form.Get("AccessKeyId") == c.keyID:
		// With roles, the account's AccessKey may still describe the regions.
		c.count(action)
		s.requests.Add(1)
		s.count(action)
		if e := c.checkSTS(r); e != nil {
			s.writeError(w, r, e)
			return
		}
		s.writeAnswer(w, r, action, c.describeRegions())
	case action == "DescribeRegions":
		c.count(action)
		s.serveOwn(w, r, action, func() any { return c.describeRegions() })
	default:
		s.ServeHTTP(w, r)
	}
}

func (c *Cloud) count(action string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[action]++
}

// describeRegions is the answer of KMS DescribeRegions: every region, as
// the SDK's DescribeRegionsResponse reads it.
func (c *Cloud) describeRegions() any {
	type region struct {
		RegionID string `json:"RegionId"`
	}
	out := struct {
		RequestID string `json:"RequestId"`
		Regions   struct {
			Region []region `json:"Region"`
		} `json:"Regions"`
	}{RequestID: "8252db58-2036-408c-a3d5-regions00000"}
	for _, r := range c.Regions() {
		out.Regions.Region = append(out.Regions.Region, region{r})
	}
	return out
}

// serveOwn answers an action the Cloud serves for a region (DescribeRegions)
// after the region's own checks, in ServeHTTP's order: the signature and
// token, the quota, the latency, injected failures.
func (s *Server) serveOwn(w http.ResponseWriter, r *http.Request, action string, answer func() any) {
	s.requests.Add(1)
	s.count(action)
	err := s.check(r)
	if err == nil {
		err = s.checkToken(r)
	}
	if err == nil && s.quota != nil && !s.quota.Allow() {
		s.mu.Lock()
		s.throttled++
		s.mu.Unlock()
		err = &apiError{http.StatusTooManyRequests, "Rejected.Throttling", "Request was denied due to request throttling."}
	}
	if err == nil && !sleep(r.Context(), s.latency) {
		return
	}
	if err == nil {
		err = s.injected(action)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeAnswer(w, r, action, answer())
}

// writeBare writes an error answer outside any region.
func writeBare(w http.ResponseWriter, r *http.Request, e *apiError) {
	(&Server{}).writeError(w, r, e)
}
