package awskmstest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Key is a KMS key the emulator holds. Its wire shape (DescribeKey's
// KeyMetadata, ListKeys' KeyListEntry) is derived from these fields.
type Key struct {
	// ID is the key ID: a UUID, or "mrk-" and 32 hex digits for a
	// multi-Region key.
	ID          string
	Description string
	// State is the KMS KeyState: Enabled, Disabled, PendingDeletion,
	// PendingImport, PendingReplicaDeletion, Unavailable, Creating or
	// Updating. Enabled (the KeyMetadata flag) follows from it.
	State string
	// Spec is the KeySpec, such as SYMMETRIC_DEFAULT or RSA_2048.
	Spec string
	// Usage is the KeyUsage, such as ENCRYPT_DECRYPT or SIGN_VERIFY.
	Usage string
	// Origin is AWS_KMS, EXTERNAL, AWS_CLOUDHSM or EXTERNAL_KEY_STORE.
	Origin string
	// CustomKeyStoreID is the custom key store of an AWS_CLOUDHSM or
	// EXTERNAL_KEY_STORE key.
	CustomKeyStoreID string
	// Manager is CUSTOMER or AWS.
	Manager         string
	Created         time.Time
	DeletionDate    time.Time
	ValidTo         time.Time
	ExpirationModel string
	// PendingDeletionDays is PendingDeletionWindowInDays (0: absent).
	PendingDeletionDays int32
	MultiRegion         bool
	// Aliases are alias names ("alias/..."), in ListAliases order.
	Aliases []string
	Tags    []Tag
	// Materials are the key materials, oldest first, as ListKeyRotations
	// with ALL_KEY_MATERIAL returns them. The CURRENT one is
	// KeyMetadata.CurrentKeyMaterialId. Empty means the key does not
	// support rotation (ListKeyRotations answers UnsupportedOperationException).
	Materials []Material
	// DenyDescribe makes DescribeKey of this key answer AccessDeniedException,
	// as a key policy that does not allow kms:DescribeKey would.
	DenyDescribe bool

	// RotationEnabled and RotationPeriodDays are what GetKeyRotationStatus
	// answers for a key that can rotate (customer-managed, symmetric,
	// AWS_KMS origin, no custom key store; AWS-managed keys always rotate,
	// yearly); it answers UnsupportedOperationException for the others.
	// A period of 0 means 365 days.
	RotationEnabled    bool
	RotationPeriodDays int32
	// DenyRotation, DenyPolicy and DenyGrants make GetKeyRotationStatus,
	// GetKeyPolicy and ListGrants of this key answer AccessDeniedException.
	DenyRotation, DenyPolicy, DenyGrants bool
	// Policy is the key policy document GetKeyPolicy returns; "" means the
	// default key policy (the account's root may do kms:*).
	Policy string
	// Grants are the key's grants, in ListGrants order.
	Grants []Grant
}

// Grant is one grant of a key (a GrantListEntry).
type Grant struct {
	ID, Name          string
	GranteePrincipal  string
	RetiringPrincipal string
	// Operations are the grant operations, such as Decrypt.
	Operations []string
	// EncryptionContextSubset and EncryptionContextEquals are the grant's
	// constraints; either makes the grant conditional.
	EncryptionContextSubset map[string]string
	EncryptionContextEquals map[string]string
	Created                 time.Time
}

// CanRotate reports whether GetKeyRotationStatus can answer for k, as AWS
// documents: customer-managed symmetric keys with AWS_KMS origin outside a
// custom key store, and AWS-managed keys.
func (k *Key) CanRotate() bool {
	if k.Manager == "AWS" {
		return true
	}
	return k.Spec == "SYMMETRIC_DEFAULT" && k.Origin == "AWS_KMS" && k.CustomKeyStoreID == ""
}

// Tag is one resource tag of a key.
type Tag struct{ Key, Value string }

// Material is one key material of a key (a RotationsListEntry).
type Material struct {
	ID string
	// State is the KeyMaterialState: CURRENT, NON_CURRENT or PENDING_ROTATION.
	State string
	// RotationType is AUTOMATIC or ON_DEMAND; "" for the first material,
	// which only ListKeyRotations with ALL_KEY_MATERIAL returns.
	RotationType string
	// RotationDate is when the material was created by a rotation (or the
	// key's creation for the first material).
	RotationDate time.Time
	// ImportState is IMPORTED or PENDING_IMPORT for imported material.
	ImportState     string
	ExpirationModel string
	ValidTo         time.Time
	Description     string
}

// currentMaterial returns the ID of the CURRENT material, or "".
func (k *Key) currentMaterial() string {
	for _, m := range k.Materials {
		if m.State == "CURRENT" {
			return m.ID
		}
	}
	return ""
}

// GenerateKeys returns n deterministic keys, varied the way an account is:
// mostly enabled symmetric keys, with disabled, pending-deletion and
// pending-import ones, asymmetric and HMAC specs, imported, custom key store
// (CloudHSM and external) and multi-Region keys, aliases on every third
// key, tags on every fourth and rotations on the rotatable ones.
func GenerateKeys(n int) []Key {
	keys := make([]Key, n)
	for i := range keys {
		keys[i] = generateKey(i)
	}
	return keys
}

// GenerateKey returns the i-th key of GenerateKeys.
func GenerateKey(i int) Key { return generateKey(i) }

var base = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

type specUsage struct{ spec, usage string }

var specs = []specUsage{
	{"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"},
	{"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"},
	{"RSA_2048", "SIGN_VERIFY"},
	{"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"},
	{"ECC_NIST_P256", "SIGN_VERIFY"},
	{"HMAC_256", "GENERATE_VERIFY_MAC"},
	{"RSA_3072", "ENCRYPT_DECRYPT"},
	{"ECC_NIST_P384", "KEY_AGREEMENT"},
}

func generateKey(i int) Key {
	su := specs[i%len(specs)]
	k := Key{
		ID:          keyID(i, i%7 == 3),
		Description: fmt.Sprintf("demo key %d", i),
		State:       "Enabled",
		Spec:        su.spec,
		Usage:       su.usage,
		Origin:      "AWS_KMS",
		Manager:     "CUSTOMER",
		Created:     base.Add(time.Duration(i) * 7 * time.Hour),
		MultiRegion: i%7 == 3,
	}
	switch i % 10 {
	case 4:
		k.State = "Disabled"
	case 7:
		k.State = "PendingDeletion"
		k.DeletionDate = k.Created.Add(30 * 24 * time.Hour)
		k.PendingDeletionDays = 30
	case 9:
		if su.spec == "SYMMETRIC_DEFAULT" {
			k.State, k.Origin, k.ExpirationModel = "PendingImport", "EXTERNAL", "KEY_MATERIAL_DOES_NOT_EXPIRE"
		}
	}
	if i%3 == 0 {
		k.Aliases = []string{fmt.Sprintf("alias/demo-%d", i)}
	}
	if i%4 == 0 {
		k.Tags = []Tag{{"env", []string{"prod", "dev"}[i/4%2]}, {"team", fmt.Sprintf("t%d", i%5)}}
	}
	k.RotationEnabled = i%2 == 0
	if i%4 == 2 {
		k.RotationPeriodDays = 90
	}
	if i%5 == 0 {
		k.Grants = generateGrants(k.ID, k.Created, i)
	}
	symmetric := su.spec == "SYMMETRIC_DEFAULT" && k.State != "PendingImport" && !k.MultiRegion
	switch {
	case symmetric && i%20 == 11:
		k.Origin, k.CustomKeyStoreID = "AWS_CLOUDHSM", "cks-"+k.ID[:8]+"000000000"
	case symmetric && i%20 == 16:
		k.Origin, k.CustomKeyStoreID = "EXTERNAL_KEY_STORE", "cks-"+k.ID[:8]+"111111111"
	case su.spec == "SYMMETRIC_DEFAULT" && k.State != "PendingImport":
		k.Materials = generateMaterials(k.ID, k.Created, i%3)
	}
	return k
}

// generateGrants returns a grant for a role and, for every other key, one
// more under an encryption-context constraint.
func generateGrants(keyID string, created time.Time, i int) []Grant {
	gs := []Grant{{
		ID: grantID(keyID, 0), Name: fmt.Sprintf("app-%d", i), Created: created,
		GranteePrincipal: "arn:aws:iam::111122223333:role/app", Operations: []string{"Decrypt", "Encrypt", "GenerateDataKey"},
	}}
	if i%10 == 0 {
		gs = append(gs, Grant{
			ID: grantID(keyID, 1), Created: created, GranteePrincipal: "arn:aws:iam::444455556666:role/partner",
			RetiringPrincipal: "arn:aws:iam::111122223333:role/admin", Operations: []string{"Decrypt"},
			EncryptionContextSubset: map[string]string{"tenant": "partner"},
		})
	}
	return gs
}

func grantID(keyID string, n int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "grant/%s/%d", keyID, n))
	return hex.EncodeToString(h[:])
}

// generateMaterials returns the first material and rotations more.
func generateMaterials(keyID string, created time.Time, rotations int) []Material {
	ms := []Material{{ID: materialID(keyID, 0), State: "CURRENT", RotationDate: created}}
	for r := 1; r <= rotations; r++ {
		ms[r-1].State = "NON_CURRENT"
		typ := "AUTOMATIC"
		if r%2 == 0 {
			typ = "ON_DEMAND"
		}
		ms = append(ms, Material{
			ID: materialID(keyID, r), State: "CURRENT", RotationType: typ,
			RotationDate: created.Add(time.Duration(r) * 365 * 24 * time.Hour),
		})
	}
	return ms
}

// keyID returns a deterministic UUID (or mrk- ID) for index i.
func keyID(i int, multiRegion bool) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	h := sha256.Sum256(b[:])
	s := hex.EncodeToString(h[:16])
	if multiRegion {
		return "mrk-" + s
	}
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-8" + s[17:20] + "-" + s[20:32]
}

func materialID(keyID string, r int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%d", keyID, r))
	return hex.EncodeToString(h[:])
}
