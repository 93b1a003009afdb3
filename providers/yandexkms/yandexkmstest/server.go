// Package yandexkmstest is a wire-compatible Yandex Cloud KMS server for
// tests: a real gRPC server on 127.0.0.1 that code under test reaches
// through the real github.com/yandex-cloud/go-sdk, as
// cloud.google.com/go/pubsub/pstest serves the Pub/Sub client. Start one in
// a test, build an SDK with its SDKConfig (or give its URL to
// yandexkms.WithEndpoint or a yandexkms:// URL, with its Token in
// YC_IAM_TOKEN), and close it at the end:
//
//	srv, err := yandexkmstest.Start(yandexkmstest.WithGenerated(1, 10))
//	...
//	defer srv.Close()
//	sdk, err := ycsdk.Build(ctx, srv.SDKConfig())
//
// It serves what the SDK asks and the KMS control plane's read calls: the
// ApiEndpointService (endpoint discovery: every service at the server's own
// address), SymmetricKeyService List, Get and ListVersions,
// AsymmetricEncryptionKeyService and AsymmetricSignatureKeyService List and
// Get, and ListAccessBindings of all three, on the go-genproto service
// interfaces. Other methods answer
// UNIMPLEMENTED.
//
// What it checks, in this order, as the cloud does: the
// "authorization: Bearer <token>" metadata (UNAUTHENTICATED otherwise,
// never quoting the token; endpoint discovery needs none), then the
// injected failures, the quota and the latency (knobs below), then the
// request: folder_id, key_id and resource_id required and at most 50 characters,
// page_size 0..1000 with 0 meaning 100, page_token at most 100 characters
// and one this server issued for this very listing (INVALID_ARGUMENT
// otherwise; tokens are opaque and bound to their method and parent by an
// HMAC). A key it does not hold is NOT_FOUND (or PERMISSION_DENIED with
// WithDeniedForUnknownKeys).
//
// Knobs: seeded keys, versions and access bindings (WithSymmetricKeys,
// WithVersions, WithAsymmetricEncryptionKeys, WithAsymmetricSignatureKeys,
// WithAccessBindings), WithDeniedAccessBindings, generated
// folders (WithGenerated, WithGeneratedSymmetric, WithDemoKeys), WithToken,
// WithLatency, WithQuota (RESOURCE_EXHAUSTED beyond a rate),
// WithUnavailable and FailNext (injected failures), WithEmptyPages (an
// empty page with a next token before every page, the trap the SDK's own
// iterators fall into), WithDeniedForUnknownKeys, and request counts per
// method (Requests, TotalRequests, ResetCounts). The seeded data is
// read-only once the server starts.
//
// Hostile knobs break one rule of the API each, to test that a client copes
// with a broken server: WithServedPageSize (pages larger than asked, or
// than the API allows), WithNextTokenSize (a next page token of any size,
// 10 MiB included), WithIDSuffix (IDs with NUL bytes or invalid UTF-8 on the
// wire), and WithLatency for slow answers.
package yandexkmstest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"sync"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/endpoint"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"golang.org/x/time/rate"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// DefaultToken is the IAM token the server accepts unless WithToken says otherwise.
const DefaultToken = "test-token"

// Full gRPC method names the server serves, as Requests counts them.
const (
	MethodEndpointList     = endpoint.ApiEndpointService_List_FullMethodName
	MethodSymmetricList    = kmspb.SymmetricKeyService_List_FullMethodName
	MethodSymmetricGet     = kmspb.SymmetricKeyService_Get_FullMethodName
	MethodSymmetricVersion = kmspb.SymmetricKeyService_ListVersions_FullMethodName
	MethodEncryptionList   = aepb.AsymmetricEncryptionKeyService_List_FullMethodName
	MethodEncryptionGet    = aepb.AsymmetricEncryptionKeyService_Get_FullMethodName
	MethodSignatureList    = aspb.AsymmetricSignatureKeyService_List_FullMethodName
	MethodSignatureGet     = aspb.AsymmetricSignatureKeyService_Get_FullMethodName
)

// Server is a running test server. Create it with Start and stop it with Close.
type Server struct {
	cfg    config
	store  *store
	secret []byte
	addr   string
	grpc   *grpc.Server
	done   chan struct{}

	mu       sync.Mutex
	counts   map[string]int64
	failures failureQueue
	quota    *rate.Limiter
}

type injected struct {
	code codes.Code
	n    int
}

// Start listens on 127.0.0.1 (a free port) and serves until Close. It
// fails if the seeded data is inconsistent (a duplicate key ID, a key
// without ID or folder, versions of a key it does not hold).
func Start(opts ...Option) (*Server, error) {
	cfg := config{token: DefaultToken}
	for _, o := range opts {
		o(&cfg)
	}
	st, err := newStore(cfg.seed)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("yandexkmstest: %w", err)
	}
	s := &Server{
		cfg:    cfg,
		store:  st,
		secret: make([]byte, 32),
		addr:   lis.Addr().String(),
		done:   make(chan struct{}),
		counts: map[string]int64{},
	}
	_, _ = rand.Read(s.secret)
	if cfg.quotaRate > 0 {
		s.quota = rate.NewLimiter(rate.Limit(cfg.quotaRate), cfg.quotaBurst)
	}
	if cfg.unavailable > 0 {
		s.failures = append(s.failures, injected{codes.Unavailable, cfg.unavailable})
	}
	s.grpc = grpc.NewServer(append(cfg.codecOption(), grpc.UnaryInterceptor(s.intercept))...)
	endpoint.RegisterApiEndpointServiceServer(s.grpc, endpointService{s: s})
	kmspb.RegisterSymmetricKeyServiceServer(s.grpc, symmetricService{s: s})
	aepb.RegisterAsymmetricEncryptionKeyServiceServer(s.grpc, encryptionService{s: s})
	aspb.RegisterAsymmetricSignatureKeyServiceServer(s.grpc, signatureService{s: s})
	go func() {
		defer close(s.done)
		_ = s.grpc.Serve(lis)
	}()
	return s, nil
}

// Addr returns the host:port the server listens on; use it as the SDK's
// Endpoint with Plaintext set (SDKConfig does).
func (s *Server) Addr() string { return s.addr }

// URL returns the server's endpoint as a full URL, http://127.0.0.1:<port>
// (plain text, on loopback), for yandexkms.WithEndpoint and the endpoint
// parameter of a yandexkms:// URL.
func (s *Server) URL() string { return "http://" + s.addr }

// SDKConfig returns an SDK configuration for the server: its address in
// plain text, its token as IAM token credentials, and no blocking dial
// (the SDK's default dials blocking, for up to 20 s).
func (s *Server) SDKConfig() ycsdk.Config {
	return ycsdk.Config{
		Credentials:        ycsdk.NewIAMTokenCredentials(s.cfg.token),
		Endpoint:           s.addr,
		Plaintext:          true,
		DialContextTimeout: -1,
	}
}

// Token returns the IAM token the server accepts.
func (s *Server) Token() string { return s.cfg.token }

// Close stops the server gracefully (in-flight requests finish) and waits
// for it to be gone. Clients should be shut down before or after; either works.
func (s *Server) Close() {
	s.grpc.GracefulStop()
	<-s.done
}

// Stop stops the server at once, failing in-flight requests.
func (s *Server) Stop() {
	s.grpc.Stop()
	<-s.done
}

// Requests returns how many requests reached method (a Method* constant),
// failed ones included.
func (s *Server) Requests(method string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method]
}

// TotalRequests returns how many KMS requests reached the server (endpoint
// discovery not included).
func (s *Server) TotalRequests() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for m, c := range s.counts {
		if m != MethodEndpointList {
			n += c
		}
	}
	return n
}

// ResetCounts sets every request count back to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
}

// FailNext makes the next n KMS requests fail with code (after
// authentication succeeds), before any other failure already queued.
func (s *Server) FailNext(code codes.Code, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(failureQueue{{code, n}}, s.failures...)
}

// nextFailure consumes one queued failure, if any.
func (s *Server) nextFailure() (codes.Code, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures.next()
}

func (s *Server) count(method string) {
	s.mu.Lock()
	s.counts[method]++
	s.mu.Unlock()
}

// Seeded returns the IDs of the folders that hold keys, in seeding order.
func (s *Server) Seeded() []string { return append([]string(nil), s.store.order...) }

// wait sleeps for the configured latency or until ctx is done.
func (s *Server) wait(ctx context.Context) error {
	return sleep(ctx, s.cfg.latency)
}

// failureQueue holds failures queued with FailNext or WithUnavailable, the
// first to be answered first; its owner locks around it.
type failureQueue []injected

// next consumes one queued failure, if any.
func (q *failureQueue) next() (codes.Code, bool) {
	for len(*q) > 0 {
		f := &(*q)[0]
		if f.n > 0 {
			f.n--
			return f.code, true
		}
		*q = (*q)[1:]
	}
	return codes.OK, false
}
