// Package awskmstest is a wire-compatible AWS KMS test server for the
// read API (ListKeys, DescribeKey, ListAliases, ListResourceTags,
// ListKeyRotations, GetKeyRotationStatus, GetKeyPolicy, ListGrants): start it in your own tests and reach it through the
// real aws-sdk-go-v2 KMS client, as cloud.google.com/go/pubsub/pstest
// serves the Pub/Sub client. It runs in the test process on 127.0.0.1.
//
//	srv := awskmstest.New(awskmstest.WithGeneratedKeys(20))
//	defer srv.Close()
//	client := kms.NewFromConfig(srv.Config()) // github.com/aws/aws-sdk-go-v2/service/kms
//	lister := awskms.New(client)              // or any code of yours that takes a *kms.Client
//
// # What it checks
//
// It speaks awsJson1_1 as AWS KMS does and refuses what AWS refuses, in
// this order: POST / (else UnknownOperationException, HTTP 404);
// Content-Type application/x-amz-json-1.1 (SerializationException); a
// SigV4 Authorization header (MissingAuthenticationTokenException if none,
// IncompleteSignatureException if malformed: the AWS4-HMAC-SHA256
// algorithm, a Credential scoped to a date, Region and the kms service,
// SignedHeaders including host and x-amz-date, a 64-hex-digit Signature,
// X-Amz-Date matching the scope's date; the signature itself is not
// verified, so any credentials sign for it); the Region of the credential
// scope (InvalidSignatureException); X-Amz-Target TrentService.<Op> of a
// served operation (UnknownOperationException); a JSON body of at most
// 1 MiB (SerializationException). Then each operation validates its
// parameters as its reference page documents: Limit (ListKeys and
// ListKeyRotations 1..1000, ListAliases and ListGrants 1..100,
// ListResourceTags 1..50), PolicyName (only "default"),
// Marker (1..1024 characters of U+0020..U+00FF, and one the server handed
// out for that listing: InvalidMarkerException otherwise), KeyId (key ID,
// key ARN, alias name or alias ARN where the operation takes one;
// NotFoundException or InvalidArnException otherwise), GrantTokens (at most
// 10 of 1..8192 characters), IncludeKeyMaterial. Error answers carry
// "__type" and "message" with the HTTP status the reference gives;
// timestamps are epoch seconds.
//
// # Knobs
//
// Options seed keys (WithKeys, WithGeneratedKeys; a Key's fields say what
// each operation answers: its rotation, policy and grants, and
// DenyDescribe, DenyRotation, DenyPolicy, DenyGrants for AccessDenied
// answers), set the Region and account, add latency (WithLatency),
// enforce per-operation rate limits answered with ThrottlingException
// (WithRateLimit, WithQuotas: the published quotas), inject faults
// (WithFault: any __type and status, every n-th request, for one key),
// make the pagination misbehave (WithRepeatedMarkers, WithEmptyPages) and
// the answers hostile (WithHostile: truncated, mislabelled, padded,
// slow-loris answers, key IDs with NUL bytes, huge markers, echoed
// requests). Requests, Throttled, MaxInFlight, AcceptedConnections and
// OpenConnections count what arrived.
package awskmstest

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/multikms/multikms/internal/emulator/inflight"
	"github.com/multikms/multikms/internal/membody"
)

// Server is a running emulator. Create it with New and Close it when done.
type Server struct {
	cfg     config
	srv     *httptest.Server
	byID    map[string]int
	byAlias map[string]int
	aliases []aliasEntry
	salt    [16]byte
	ops     map[string]func(*request) (any, *apiError)

	total     atomic.Int64
	inFlight  inflight.Gauge
	requests  map[string]*atomic.Int64
	throttled map[string]*atomic.Int64

	conns connGauge

	faultMu   sync.Mutex
	faultSeen []int
	faultHits []int
}

type aliasEntry struct {
	name string
	key  int
}

// New starts an emulator on 127.0.0.1 with the given options.
func New(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:       cfg,
		byID:      make(map[string]int, len(cfg.keys)),
		byAlias:   map[string]int{},
		requests:  map[string]*atomic.Int64{},
		throttled: map[string]*atomic.Int64{},
		faultSeen: make([]int, len(cfg.faults)),
		faultHits: make([]int, len(cfg.faults)),
	}
	_, _ = rand.Read(s.salt[:])
	for _, op := range Operations {
		s.requests[op], s.throttled[op] = new(atomic.Int64), new(atomic.Int64)
	}
	for i := range cfg.keys {
		s.byID[cfg.keys[i].ID] = i
		for _, a := range cfg.keys[i].Aliases {
			s.byAlias[a] = i
			s.aliases = append(s.aliases, aliasEntry{a, i})
		}
	}
	s.ops = map[string]func(*request) (any, *apiError){
		OpListKeys:         s.listKeys,
		OpDescribeKey:      s.describeKey,
		OpListAliases:      s.listAliases,
		OpListResourceTags: s.listResourceTags,
		OpListKeyRotations: s.listKeyRotations,

		OpGetKeyRotationStatus: s.getKeyRotationStatus,
		OpGetKeyPolicy:         s.getKeyPolicy,
		OpListGrants:           s.listGrants,
	}
	s.srv = httptest.NewUnstartedServer(s)
	s.srv.Config.ConnState = s.conns.track
	s.srv.Start()
	if tr, ok := s.srv.Client().Transport.(*http.Transport); ok {
		tr.MaxIdleConnsPerHost = 256
	}
	return s
}

// URL is the endpoint, such as http://127.0.0.1:port.
func (s *Server) URL() string { return s.srv.URL }

// Region is the emulated Region.
func (s *Server) Region() string { return s.cfg.region }

// Account is the emulated account ID.
func (s *Server) Account() string { return s.cfg.account }

// Keys returns the keys the emulator holds, in ListKeys order.
func (s *Server) Keys() []Key { return s.cfg.keys }

// HTTPClient returns an HTTP client for the emulator that keeps enough idle
// connections for concurrent use; Close closes them.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Config returns an aws.Config for the emulator: its Region, static fake
// credentials (good for the emulator only), its endpoint and an HTTP client
// (see SDKHTTPClient). Pass it to kms.NewFromConfig.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       s.cfg.region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEMULATOR", "emulator-secret", ""),
		BaseEndpoint: aws.String(s.srv.URL),
		HTTPClient:   SDKHTTPClient{s.srv.Client()},
	}
}

// SDKHTTPClient is an aws.HTTPClient that hands net/http the request body
// as a bytes.Reader of its own. It works around a race between
// aws-sdk-go-v2 and net/http seen on loopback: the SDK closes the request
// body as soon as Do returns, after which smithy-go's body wrapper answers
// WriteTo with io.EOF; net/http's probe for extra body bytes can run after
// that and takes the io.EOF for a write failure, closing the connection
// while the response body is still being read ("use of closed network
// connection"). A body of its own (an awsJson1_1 request is a few hundred
// bytes) is not closed under net/http, and, being a reader net/http knows
// is in memory, goes out with the headers in one write rather than two.
// The bytes on the wire are the same.
type SDKHTTPClient struct{ *http.Client }

// Do sends req with its body read into memory first.
func (c SDKHTTPClient) Do(req *http.Request) (*http.Response, error) {
	return membody.Client{Client: c.Client}.Do(req)
}

// Close stops the emulator and closes its client's idle connections.
func (s *Server) Close() { s.srv.Close() }

// Requests returns how many requests for op arrived (throttled and failed
// ones included).
func (s *Server) Requests(op string) int {
	if c, ok := s.requests[op]; ok {
		return int(c.Load())
	}
	return 0
}

// TotalRequests returns how many requests arrived, whatever they asked.
func (s *Server) TotalRequests() int { return int(s.total.Load()) }

// MaxInFlight returns the most requests the server has been answering at
// once.
func (s *Server) MaxInFlight() int { return s.inFlight.Peak() }

// Throttled returns how many requests for op were answered ThrottlingException.
func (s *Server) Throttled(op string) int {
	if c, ok := s.throttled[op]; ok {
		return int(c.Load())
	}
	return 0
}

// FaultsInjected returns how many answers WithFault faults made.
func (s *Server) FaultsInjected() int {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	n := 0
	for _, h := range s.faultHits {
		n += h
	}
	return n
}

// ResetCounts sets every request count back to zero.
func (s *Server) ResetCounts() {
	s.total.Store(0)
	for _, op := range Operations {
		s.requests[op].Store(0)
		s.throttled[op].Store(0)
	}
}

// ServeHTTP answers one awsJson1_1 request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.total.Add(1)
	s.inFlight.Enter()
	defer s.inFlight.Leave()
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if c := s.requests[op]; ok && c != nil {
		c.Add(1)
	}
	status, body := s.answer(r, op, ok)
	if status == 0 {
		return // the client went away
	}
	s.send(w, r, op, status, body)
}

// answer computes the status and body of a request; 0 if the client went
// away while it was held.
func (s *Server) answer(r *http.Request, op string, targeted bool) (int, []byte) {
	if e := checkProtocol(r, s.cfg.region); e != nil {
		return e.status, errorBody(e)
	}
	handler, known := s.ops[op]
	if !targeted || !known {
		e := apiErr(http.StatusBadRequest, "UnknownOperationException", "")
		return e.status, errorBody(e)
	}
	req, e := decodeRequest(r)
	// The latency comes once the body is read: from then on the server
	// notices a client that goes away, and stops waiting.
	if !s.delay(r) {
		return 0, nil
	}
	if e == nil {
		e = s.admit(op, req)
	}
	if e == nil {
		var resp any
		if resp, e = handler(req); e == nil {
			return encode(http.StatusOK, resp)
		}
	}
	return e.status, errorBody(e)
}

// delay waits the configured latency; false if the client went away.
func (s *Server) delay(r *http.Request) bool { return wait(r, s.cfg.latency) }

// wait waits d (nothing if d <= 0) for a request; false if its client went
// away first.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// admit applies the rate limit and the injected faults.
func (s *Server) admit(op string, req *request) *apiError {
	if lim := s.cfg.limits[op]; lim != nil && !lim.Allow() {
		s.throttled[op].Add(1)
		return apiErr(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	}
	return s.fault(op, req)
}

func (s *Server) fault(op string, req *request) *apiError {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, f := range s.cfg.faults {
		if (f.Op != "" && f.Op != op) || (f.KeyID != "" && f.KeyID != str(req.KeyID)) {
			continue
		}
		if f.Count > 0 && s.faultHits[i] >= f.Count {
			continue
		}
		s.faultSeen[i]++
		if f.Every > 1 && s.faultSeen[i]%f.Every != 0 {
			continue
		}
		s.faultHits[i]++
		return faultError(op, f)
	}
	return nil
}

func faultError(op string, f Fault) *apiError {
	status, typ, msg := f.Status, f.Type, f.Message
	if typ == "" {
		switch {
		case status == http.StatusServiceUnavailable:
			typ = "ServiceUnavailableException"
		case status != 0 && status != http.StatusInternalServerError:
			typ = "ValidationException"
		case op == "DescribeKey": // its reference's 500 is the dependency timeout
			typ = "DependencyTimeoutException"
		default:
			typ = "KMSInternalException"
		}
	}
	if status == 0 {
		status = referenceStatus(op, typ)
	}
	if msg == "" {
		msg = "injected fault"
	}
	return apiErr(status, typ, "%s", msg)
}

// referenceStatus is the HTTP status the reference pages give an error of
// op: KMSInternalException is a 400 for DescribeKey but a 500 for ListKeys.
func referenceStatus(op, typ string) int {
	switch typ {
	case "KMSInternalException":
		if op == "DescribeKey" {
			return http.StatusBadRequest
		}
		return http.StatusInternalServerError
	case "DependencyTimeoutException":
		return http.StatusInternalServerError
	case "ServiceUnavailableException":
		return http.StatusServiceUnavailable
	default:
		return http.StatusBadRequest
	}
}
