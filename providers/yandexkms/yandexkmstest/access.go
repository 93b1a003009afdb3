package yandexkmstest

import (
	"fmt"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Full gRPC method names of the three ListAccessBindings calls, as Requests
// counts them.
const (
	MethodSymmetricAccess  = kmspb.SymmetricKeyService_ListAccessBindings_FullMethodName
	MethodEncryptionAccess = aepb.AsymmetricEncryptionKeyService_ListAccessBindings_FullMethodName
	MethodSignatureAccess  = aspb.AsymmetricSignatureKeyService_ListAccessBindings_FullMethodName
)

// WithAccessBindings seeds the access bindings of key keyID (of any kind),
// in list order. ListAccessBindings of the key's kind pages them as the
// cloud does (page_size 0..1000, 0 meaning 100; page tokens of at most 100
// characters, bound to the key and method).
func WithAccessBindings(keyID string, bindings ...*access.AccessBinding) Option {
	return func(c *config) {
		if c.seed.bindings == nil {
			c.seed.bindings = map[string][]*access.AccessBinding{}
		}
		c.seed.bindings[keyID] = append(c.seed.bindings[keyID], bindings...)
	}
}

// WithDeniedAccessBindings makes ListAccessBindings of the given keys answer
// PERMISSION_DENIED, as for a caller allowed to list a key but not to read
// who may use it (kms.keys.viewer without access-binding rights).
func WithDeniedAccessBindings(keyIDs ...string) Option {
	return func(c *config) {
		if c.deniedBindings == nil {
			c.deniedBindings = map[string]bool{}
		}
		for _, id := range keyIDs {
			c.deniedBindings[id] = true
		}
	}
}

// Binding returns an access binding of role to the subject of the given
// type ("serviceAccount", "userAccount", "group", "system", ...) and ID.
func Binding(role, subjectType, subjectID string) *access.AccessBinding {
	return &access.AccessBinding{RoleId: role, Subject: &access.Subject{Type: subjectType, Id: subjectID}}
}

// AccessBindings returns the seeded bindings of a key, in list order.
func (s *Server) AccessBindings(keyID string) []*access.AccessBinding { return s.store.bindings[keyID] }

// listBindings answers ListAccessBindings of one kind: known says whether
// the kind holds the key.
func (s *Server) listBindings(method, kind string, known func(string) bool, req *access.ListAccessBindingsRequest) (*access.ListAccessBindingsResponse, error) {
	if err := checkID("resource_id", req.GetResourceId()); err != nil {
		return nil, err
	}
	bs := s.store.bindings[req.ResourceId]
	from, to, next, err := s.page(listing{method, req.ResourceId, req.PageSize, req.PageToken}, len(bs))
	if err != nil {
		return nil, err
	}
	switch {
	case !known(req.ResourceId):
		return nil, s.missing(kind, req.ResourceId)
	case s.cfg.deniedBindings[req.ResourceId]:
		return nil, status.Errorf(codes.PermissionDenied, "Permission denied to list access bindings of %s %s", kind, req.ResourceId)
	}
	return &access.ListAccessBindingsResponse{AccessBindings: bs[from:to], NextPageToken: next}, nil
}

// checkBindings refuses bindings seeded for a key the store does not hold.
func (st *store) checkBindings(bindings map[string][]*access.AccessBinding) error {
	for id, bs := range bindings {
		if st.symmetric[id] == nil && st.encryption[id] == nil && st.signature[id] == nil {
			return fmt.Errorf("yandexkmstest: access bindings for unknown key %q", id)
		}
		st.bindings[id] = bs
	}
	return nil
}
