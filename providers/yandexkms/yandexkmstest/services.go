package yandexkmstest

import (
	"context"
	"strings"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	"github.com/yandex-cloud/go-genproto/yandex/cloud/endpoint"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// intercept counts every request, then for KMS methods checks the token and
// applies injected failures, the quota and the latency.
func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	s.count(info.FullMethod)
	if info.FullMethod == MethodEndpointList {
		return h(ctx, req)
	}
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	if code, ok := s.nextFailure(); ok {
		return nil, status.Errorf(code, "injected failure: %s", code)
	}
	if s.quota != nil && !s.quota.Allow() {
		return nil, status.Error(codes.ResourceExhausted, "Quota limit kms.requests.rate exceeded")
	}
	if err := s.wait(ctx); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	return h(ctx, req)
}

// authenticate checks the "authorization: Bearer <token>" metadata. The
// answer never repeats the token it got.
func (s *Server) authenticate(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return status.Error(codes.Unauthenticated, "The request is missing the authorization header")
	}
	tok, ok := strings.CutPrefix(vals[0], "Bearer ")
	if !ok || tok != s.cfg.token {
		return status.Error(codes.Unauthenticated, "The token is invalid")
	}
	return nil
}

// endpointService answers the SDK's endpoint discovery: every service the
// SDK may ask for lives at the server's own address.
type endpointService struct {
	endpoint.UnimplementedApiEndpointServiceServer
	s *Server
}

var serviceIDs = []string{"endpoint", "kms", "kms-crypto", "iam", "operation", "resource-manager"}

// List returns the endpoints of all services, all pointing at the server.
func (e endpointService) List(context.Context, *endpoint.ListApiEndpointsRequest) (*endpoint.ListApiEndpointsResponse, error) {
	resp := &endpoint.ListApiEndpointsResponse{}
	for _, id := range serviceIDs {
		resp.Endpoints = append(resp.Endpoints, &endpoint.ApiEndpoint{Id: id, Address: e.s.addr})
	}
	return resp, nil
}

// Get returns the endpoint of one service.
func (e endpointService) Get(_ context.Context, req *endpoint.GetApiEndpointRequest) (*endpoint.ApiEndpoint, error) {
	for _, id := range serviceIDs {
		if id == req.GetApiEndpointId() {
			return &endpoint.ApiEndpoint{Id: id, Address: e.s.addr}, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "Endpoint %s not found", req.GetApiEndpointId())
}

type symmetricService struct {
	kmspb.UnimplementedSymmetricKeyServiceServer
	s *Server
}

// List returns a page of the folder's symmetric keys.
func (x symmetricService) List(_ context.Context, req *kmspb.ListSymmetricKeysRequest) (*kmspb.ListSymmetricKeysResponse, error) {
	keys, next, err := listFolder(x.s, MethodSymmetricList, req, func(f *folder) []*kmspb.SymmetricKey { return f.symmetric })
	if err != nil {
		return nil, err
	}
	return &kmspb.ListSymmetricKeysResponse{Keys: keys, NextPageToken: next}, nil
}

// Get returns one symmetric key.
func (x symmetricService) Get(_ context.Context, req *kmspb.GetSymmetricKeyRequest) (*kmspb.SymmetricKey, error) {
	return get(x.s, x.s.store.symmetric, "SymmetricKey", req.GetKeyId())
}

// ListVersions returns a page of one symmetric key's versions.
func (x symmetricService) ListVersions(_ context.Context, req *kmspb.ListSymmetricKeyVersionsRequest) (*kmspb.ListSymmetricKeyVersionsResponse, error) {
	if err := checkID("key_id", req.GetKeyId()); err != nil {
		return nil, err
	}
	// The request is validated before the key is looked up, as the cloud does.
	vs := x.s.store.versions[req.KeyId]
	from, to, next, err := x.s.page(listing{MethodSymmetricVersion, req.KeyId, req.PageSize, req.PageToken}, len(vs))
	if err != nil {
		return nil, err
	}
	if x.s.store.symmetric[req.KeyId] == nil {
		return nil, x.s.missing("SymmetricKey", req.KeyId)
	}
	return &kmspb.ListSymmetricKeyVersionsResponse{KeyVersions: vs[from:to], NextPageToken: next}, nil
}

// ListAccessBindings returns a page of a symmetric key's access bindings.
func (x symmetricService) ListAccessBindings(_ context.Context, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error) {
	return x.s.listBindings(MethodSymmetricAccess, "SymmetricKey", func(id string) bool { return x.s.store.symmetric[id] != nil }, req)
}

type encryptionService struct {
	aepb.UnimplementedAsymmetricEncryptionKeyServiceServer
	s *Server
}

// List returns a page of the folder's asymmetric encryption keys.
func (x encryptionService) List(_ context.Context, req *aepb.ListAsymmetricEncryptionKeysRequest) (*aepb.ListAsymmetricEncryptionKeysResponse, error) {
	keys, next, err := listFolder(x.s, MethodEncryptionList, req, func(f *folder) []*aepb.AsymmetricEncryptionKey { return f.encryption })
	if err != nil {
		return nil, err
	}
	return &aepb.ListAsymmetricEncryptionKeysResponse{Keys: keys, NextPageToken: next}, nil
}

// Get returns one asymmetric encryption key.
func (x encryptionService) Get(_ context.Context, req *aepb.GetAsymmetricEncryptionKeyRequest) (*aepb.AsymmetricEncryptionKey, error) {
	return get(x.s, x.s.store.encryption, "AsymmetricEncryptionKey", req.GetKeyId())
}

// ListAccessBindings returns a page of an asymmetric encryption key's access bindings.
func (x encryptionService) ListAccessBindings(_ context.Context, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error) {
	return x.s.listBindings(MethodEncryptionAccess, "AsymmetricEncryptionKey", func(id string) bool { return x.s.store.encryption[id] != nil }, req)
}

type signatureService struct {
	aspb.UnimplementedAsymmetricSignatureKeyServiceServer
	s *Server
}

// List returns a page of the folder's asymmetric signature keys.
func (x signatureService) List(_ context.Context, req *aspb.ListAsymmetricSignatureKeysRequest) (*aspb.ListAsymmetricSignatureKeysResponse, error) {
	keys, next, err := listFolder(x.s, MethodSignatureList, req, func(f *folder) []*aspb.AsymmetricSignatureKey { return f.signature })
	if err != nil {
		return nil, err
	}
	return &aspb.ListAsymmetricSignatureKeysResponse{Keys: keys, NextPageToken: next}, nil
}

// Get returns one asymmetric signature key.
func (x signatureService) Get(_ context.Context, req *aspb.GetAsymmetricSignatureKeyRequest) (*aspb.AsymmetricSignatureKey, error) {
	return get(x.s, x.s.store.signature, "AsymmetricSignatureKey", req.GetKeyId())
}

// ListAccessBindings returns a page of an asymmetric signature key's access bindings.
func (x signatureService) ListAccessBindings(_ context.Context, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error) {
	return x.s.listBindings(MethodSignatureAccess, "AsymmetricSignatureKey", func(id string) bool { return x.s.store.signature[id] != nil }, req)
}

// folderRequest is what the three List requests have in common.
type folderRequest interface {
	GetFolderId() string
	GetPageSize() int64
	GetPageToken() string
}

// listFolder validates a folder listing and cuts its page out of the keys
// that pick chooses.
func listFolder[T proto.Message](s *Server, method string, req folderRequest, pick func(*folder) []T) ([]T, string, error) {
	if err := checkID("folder_id", req.GetFolderId()); err != nil {
		return nil, "", err
	}
	keys := pick(s.store.lookup(req.GetFolderId()))
	from, to, next, err := s.page(listing{method, req.GetFolderId(), req.GetPageSize(), req.GetPageToken()}, len(keys))
	if err != nil {
		return nil, "", err
	}
	return withIDSuffix(&s.cfg, keys[from:to]), next, nil
}

// get validates a key ID and looks it up.
func get[T any](s *Server, keys map[string]T, kind, id string) (T, error) {
	var zero T
	if err := checkID("key_id", id); err != nil {
		return zero, err
	}
	k, ok := keys[id]
	if !ok {
		return zero, s.missing(kind, id)
	}
	return k, nil
}

// missing is the answer for a key of this kind that the server does not
// hold: NOT_FOUND, or PERMISSION_DENIED with WithDeniedForUnknownKeys.
func (s *Server) missing(kind, id string) error {
	if s.cfg.deniedUnknown {
		return status.Errorf(codes.PermissionDenied, "Permission denied to %s %s", kind, id)
	}
	return status.Errorf(codes.NotFound, "%s %s not found", kind, id)
}
