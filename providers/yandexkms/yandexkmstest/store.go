package yandexkmstest

import (
	"fmt"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
)

// folder holds the keys of one folder, each kind in list order.
type folder struct {
	symmetric  []*kmspb.SymmetricKey
	encryption []*aepb.AsymmetricEncryptionKey
	signature  []*aspb.AsymmetricSignatureKey
}

// store is the server's data; read-only once built.
type store struct {
	folders    map[string]*folder
	order      []string
	symmetric  map[string]*kmspb.SymmetricKey
	encryption map[string]*aepb.AsymmetricEncryptionKey
	signature  map[string]*aspb.AsymmetricSignatureKey
	versions   map[string][]*kmspb.SymmetricKeyVersion
	bindings   map[string][]*access.AccessBinding
}

func newStore(sd seed) (*store, error) {
	st := &store{
		folders:    map[string]*folder{},
		symmetric:  map[string]*kmspb.SymmetricKey{},
		encryption: map[string]*aepb.AsymmetricEncryptionKey{},
		signature:  map[string]*aspb.AsymmetricSignatureKey{},
		versions:   map[string][]*kmspb.SymmetricKeyVersion{},
		bindings:   map[string][]*access.AccessBinding{},
	}
	seen := map[string]bool{}
	add := func(id, folderID string) (*folder, error) {
		if id == "" || folderID == "" {
			return nil, fmt.Errorf("yandexkmstest: key %q in folder %q: id and folder_id are required", id, folderID)
		}
		if seen[id] {
			return nil, fmt.Errorf("yandexkmstest: duplicate key id %q", id)
		}
		seen[id] = true
		return st.folder(folderID), nil
	}
	for _, k := range sd.symmetric {
		f, err := add(k.GetId(), k.GetFolderId())
		if err != nil {
			return nil, err
		}
		f.symmetric = append(f.symmetric, k)
		st.symmetric[k.Id] = k
	}
	for _, k := range sd.encryption {
		f, err := add(k.GetId(), k.GetFolderId())
		if err != nil {
			return nil, err
		}
		f.encryption = append(f.encryption, k)
		st.encryption[k.Id] = k
	}
	for _, k := range sd.signature {
		f, err := add(k.GetId(), k.GetFolderId())
		if err != nil {
			return nil, err
		}
		f.signature = append(f.signature, k)
		st.signature[k.Id] = k
	}
	for keyID, vs := range sd.versions {
		if st.symmetric[keyID] == nil {
			return nil, fmt.Errorf("yandexkmstest: versions for unknown symmetric key %q", keyID)
		}
		st.versions[keyID] = vs
	}
	if err := st.checkBindings(sd.bindings); err != nil {
		return nil, err
	}
	return st, nil
}

func (st *store) folder(id string) *folder {
	f := st.folders[id]
	if f == nil {
		f = &folder{}
		st.folders[id] = f
		st.order = append(st.order, id)
	}
	return f
}

// lookup returns the folder's keys; an unknown folder holds none.
func (st *store) lookup(id string) *folder {
	if f := st.folders[id]; f != nil {
		return f
	}
	return &folder{}
}

// SymmetricKeys returns the symmetric keys of a folder, in list order.
// The messages are the server's own: do not modify them.
func (s *Server) SymmetricKeys(folderID string) []*kmspb.SymmetricKey {
	return s.store.lookup(folderID).symmetric
}

// EncryptionKeys returns the asymmetric encryption keys of a folder, in list order.
func (s *Server) EncryptionKeys(folderID string) []*aepb.AsymmetricEncryptionKey {
	return s.store.lookup(folderID).encryption
}

// SignatureKeys returns the asymmetric signature keys of a folder, in list order.
func (s *Server) SignatureKeys(folderID string) []*aspb.AsymmetricSignatureKey {
	return s.store.lookup(folderID).signature
}

// Versions returns the versions of a symmetric key, in list order.
func (s *Server) Versions(keyID string) []*kmspb.SymmetricKeyVersion {
	return s.store.versions[keyID]
}
