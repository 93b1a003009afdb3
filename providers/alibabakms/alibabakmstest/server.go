// Package alibabakmstest is a wire-compatible Alibaba Cloud KMS server for
// tests: start it in your own tests and reach it through the real
// alibaba-cloud-sdk-go client (services/kms), as
// cloud.google.com/go/pubsub/pstest serves the Pub/Sub client. It speaks
// the KMS read API, version 2016-01-20, RPC style: ListKeys, DescribeKey,
// ListKeyVersions, DescribeKeyVersion, ListAliases, ListAliasesByKeyId,
// ListResourceTags and GetKeyPolicy (for keys in a KMS instance: Key.Policy
// or DefaultPolicy), answered in JSON exactly as the API references and the
// SDK's response types define them, all under the one read quota.
//
// Start one with New, give the SDK Server.Client (plain HTTP to its
// loopback address, signed with its AccessKey), or point your own client
// at Server.URL with Server.AccessKey, and Close it when done:
//
//	srv := alibabakmstest.New(alibabakmstest.WithKeys(alibabakmstest.DemoKeys(alibabakmstest.DefaultAccount)...))
//	defer srv.Close()
//	client, err := srv.Client()
//	lister := alibabakms.New(client)
//
// What is checked, in this order, as the cloud does: the AccessKeyId
// (InvalidAccessKeyId.NotFound), the HMAC-SHA1 signature of every request
// (SignatureDoesNotMatch, quoting the server's string to sign), the
// Timestamp within 15 minutes, the Version, the Format, a SignatureNonce
// never used before (SignatureNonceUsed), the STS SecurityToken if the
// server requires one (WithSecurityToken), then the shared read quota (429
// Rejected.Throttling), then each action's parameters (PageNumber from 1,
// PageSize 1..100, the Filters JSON, KeyId as an ID, alias or ARN).
//
// Knobs: seeded (WithKeys, AddKeys, RemoveKey) or generated keys
// (WithGeneratedKeys: millions cost no memory), latency (WithLatency),
// the shared read quota (WithReadQuota), injected failures (FailNext), a
// TotalCount that differs from the truth (WithTotalCount), broken or
// hostile answers (WithHostile: rewritten bodies, wrong content types,
// truncated and slow-loris answers), STS credentials (WithSecurityToken),
// and request counts per action, in flight and throttled (Count, Requests,
// MaxInFlight, Throttled, ResetCounts).
package alibabakmstest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/multikms/multikms/internal/emulator/inflight"
)

// APIVersion is the only KMS API version the emulator speaks.
const APIVersion = "2016-01-20"

// Defaults of a new Server.
const (
	DefaultRegion          = "cn-hangzhou"
	DefaultAccount         = "1234567890123456"
	DefaultAccessKeyID     = "LTAI5tEmulatorKeyId"
	DefaultAccessKeySecret = "EmulatorSecret0123456789abcdef"
)

// Server is a running emulator. Create it with New and Close it when done.
type Server struct {
	srv      *httptest.Server
	store    *store
	keyID    string
	secret   string
	token    string
	hostile  []Hostile
	latency  time.Duration
	quota    *rate.Limiter
	total    func(action string, call, actual int) int
	requests atomic.Int64
	reqID    atomic.Int64
	inFlight inflight.Gauge

	mu        sync.Mutex
	counts    map[string]int
	throttled int
	faults    []fault
	nonces    map[uint64]struct{} // hashes of the SignatureNonces accepted
	seed      maphash.Seed
}

type fault struct {
	action string
	times  int
	status int
	code   string
}

// New starts a Server on 127.0.0.1.
func New(opts ...Option) *Server {
	s := &Server{
		store:  newStore(DefaultRegion, DefaultAccount),
		keyID:  DefaultAccessKeyID,
		secret: DefaultAccessKeySecret,
		counts: map[string]int{},
		nonces: map[uint64]struct{}{},
		seed:   maphash.MakeSeed(),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(s)
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// URL returns the server's base URL, such as http://127.0.0.1:40000.
func (s *Server) URL() string { return s.srv.URL }

// Host returns the server's host:port, the SDK's endpoint (Domain).
func (s *Server) Host() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// Region returns the region the server answers for.
func (s *Server) Region() string { return s.store.region }

// SecurityToken returns the STS SecurityToken the server requires, "" if none.
func (s *Server) SecurityToken() string { return s.token }

// Account returns the account UID of the server's keys.
func (s *Server) Account() string { return s.store.account }

// AccessKey returns the AccessKey pair the server accepts.
func (s *Server) AccessKey() (id, secret string) { return s.keyID, s.secret }

// ARN returns the ARN of key id.
func (s *Server) ARN(id string) string { return s.store.arn(id) }

// AddKeys appends keys to the list (a listing in progress sees TotalCount grow).
func (s *Server) AddKeys(keys ...Key) { s.store.add(keys...) }

// RemoveKey deletes an explicit key; it reports whether it existed.
func (s *Server) RemoveKey(id string) bool { return s.store.remove(id) }

// FailNext makes the next times requests of action ("" for any) fail with
// the given HTTP status and error code, after authentication.
func (s *Server) FailNext(action string, times, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{action: action, times: times, status: status, code: code})
}

// Count returns the number of requests received for action (all outcomes).
func (s *Server) Count(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[action]
}

// Requests returns the number of requests received in all.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// MaxInFlight returns the most requests the server has been answering at
// once.
func (s *Server) MaxInFlight() int { return s.inFlight.Peak() }

// Throttled returns the number of requests refused by the read quota.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// ResetCounts sets every request count back to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.throttled = 0
	s.requests.Store(0)
	s.inFlight.Reset()
}

// apiError is an error answer.
type apiError struct {
	status  int
	code    string
	message string
}

func errInvalidParameter(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameter", "The specified parameter is not valid. " + fmt.Sprintf(format, args...)}
}

// ServeHTTP answers one RPC request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.inFlight.Enter()
	defer s.inFlight.Leave()
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, errInvalidParameter("%v", err))
		return
	}
	action := r.Form.Get("Action")
	call := s.count(action)
	// Authentication comes first: the quota is the caller's, and a request
	// that cannot be authenticated draws on nobody's.
	err := s.check(r)
	if err == nil {
		err = s.checkToken(r)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.quota != nil && !s.quota.Allow() {
		s.mu.Lock()
		s.throttled++
		s.mu.Unlock()
		s.writeError(w, r, &apiError{http.StatusTooManyRequests, "Rejected.Throttling", "Request was denied due to request throttling."})
		return
	}
	if !sleep(r.Context(), s.latency) {
		return
	}
	if err := s.injected(action); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := s.dispatch(action, call, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeAnswer(w, r, action, body)
}

func (s *Server) count(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[action]++
	return s.counts[action]
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// check authenticates the request and validates the common parameters.
func (s *Server) check(r *http.Request) *apiError {
	f := r.Form
	if f.Get("AccessKeyId") != s.keyID {
		return &apiError{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	if f.Get("SignatureMethod") != "HMAC-SHA1" || f.Get("SignatureVersion") != "1.0" {
		return &apiError{http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards."}
	}
	sts := StringToSign(r.Method, f)
	if !hmacEqual(f.Get("Signature"), Sign(sts, s.secret)) {
		return &apiError{http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:" + sts}
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", f.Get("Timestamp"))
	if err != nil {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."}
	}
	if d := time.Since(ts); d > 15*time.Minute || d < -15*time.Minute {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."}
	}
	if v := f.Get("Version"); v != APIVersion {
		return &apiError{http.StatusBadRequest, "InvalidVersion", fmt.Sprintf("Specified parameter Version %q is not valid.", v)}
	}
	if fm := f.Get("Format"); fm != "" && !strings.EqualFold(fm, "JSON") {
		return errInvalidParameter("Format %q is not supported by the emulator", fm)
	}
	if !s.freshNonce(f.Get("SignatureNonce")) {
		return &apiError{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	return nil
}

// checkToken checks the SecurityToken of STS credentials.
func (s *Server) checkToken(r *http.Request) *apiError {
	got := r.Form.Get("SecurityToken")
	switch {
	case s.token == "" || got == s.token:
		return nil
	case got == "":
		return &apiError{http.StatusBadRequest, "MissingSecurityToken", "SecurityToken is mandatory for this action."}
	}
	return &apiError{http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey", "The Security Token does not match access key Id."}
}

// freshNonce records the SignatureNonce of an authenticated request and
// reports whether it is new: the cloud refuses a nonce used before (a
// replayed request). An empty nonce is let through.
func (s *Server) freshNonce(nonce string) bool {
	if nonce == "" {
		return true
	}
	h := maphash.String(s.seed, nonce)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, used := s.nonces[h]; used {
		return false
	}
	s.nonces[h] = struct{}{}
	return true
}

func hmacEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (s *Server) injected(action string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		f := &s.faults[i]
		if f.times > 0 && (f.action == "" || f.action == action) {
			f.times--
			return &apiError{f.status, f.code, "Injected failure."}
		}
	}
	return nil
}

func (s *Server) requestID() string {
	n := s.reqID.Add(1)
	return fmt.Sprintf("8252db58-2036-408c-a3d5-%012x", n)
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	s.writeJSON(w, e.status, map[string]string{
		"RequestId": s.requestID(),
		"HostId":    r.Host,
		"Code":      e.code,
		"Message":   e.message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + e.code,
	})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, body any) {
	if m, ok := body.(interface{ setRequestID(string) }); ok {
		m.setRequestID(s.requestID())
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
