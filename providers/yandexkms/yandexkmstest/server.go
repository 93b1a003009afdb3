// Package yandexkms is an in-process, wire-compatible emulator of the Yandex
// Cloud KMS control plane: a real gRPC server on 127.0.0.1 that serves the
// ApiEndpointService the Go SDK asks first, SymmetricKeyService (List, Get,
// ListVersions), AsymmetricEncryptionKeyService and
// AsymmetricSignatureKeyService (List, Get), built on the go-genproto
// service interfaces.
//
// It checks the "authorization: Bearer <token>" metadata (Unauthenticated
// otherwise), validates requests as the cloud does (folder_id required and at
// most 50 characters, page_size 0..1000 with 0 meaning 100, page_token at most
// 100 characters and one it issued, InvalidArgument otherwise) and issues
// opaque page tokens bound to the listing they belong to.
//
// Knobs (functional options and methods): seeded keys and versions, a
// generator of N folders x M keys, latency, a request quota answering
// RESOURCE_EXHAUSTED, injected failures, an empty-page-with-token mode and
// request counts per method.
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
	"golang.org/x/time/rate"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// DefaultToken is the IAM token the emulator accepts unless WithToken says otherwise.
const DefaultToken = "test-token"

// Full gRPC method names served by the emulator, as Requests counts them.
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

// Server is a running emulator. Create it with Start and stop it with Close.
type Server struct {
	cfg    config
	store  *store
	secret []byte
	addr   string
	grpc   *grpc.Server
	done   chan struct{}

	mu       sync.Mutex
	counts   map[string]int64
	failures []injected
	quota    *rate.Limiter
}

type injected struct {
	code codes.Code
	n    int
}

// Start listens on 127.0.0.1 (a free port) and serves until Close.
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
		return nil, fmt.Errorf("yandexkms emulator: %w", err)
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
	s.grpc = grpc.NewServer(grpc.UnaryInterceptor(s.intercept))
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

// Addr returns the host:port the emulator listens on; use it as the SDK's
// Endpoint with Plaintext set.
func (s *Server) Addr() string { return s.addr }

// Token returns the IAM token the emulator accepts.
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
	s.failures = append([]injected{{code, n}}, s.failures...)
}

// nextFailure consumes one queued failure, if any.
func (s *Server) nextFailure() (codes.Code, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.failures) > 0 {
		f := &s.failures[0]
		if f.n > 0 {
			f.n--
			return f.code, true
		}
		s.failures = s.failures[1:]
	}
	return codes.OK, false
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
