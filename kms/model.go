package kms

import (
	"reflect"
	"time"
)

// Provider names the cloud a key lives in.
type Provider string

// The providers multikms speaks to.
const (
	ProviderAWS     Provider = "aws"
	ProviderAlibaba Provider = "alibaba"
	ProviderYandex  Provider = "yandex"
)

// KeyState is the portable lifecycle state of a key. The provider's own value
// is kept in Key.NativeState.
type KeyState string

// Portable key states.
const (
	StateUnknown         KeyState = ""
	StateEnabled         KeyState = "Enabled"
	StateDisabled        KeyState = "Disabled"
	StatePendingDeletion KeyState = "PendingDeletion"
	StatePendingImport   KeyState = "PendingImport"
	StateCreating        KeyState = "Creating"
	StateUnavailable     KeyState = "Unavailable"
)

// KeyUsage is the portable cryptographic purpose of a key. The provider's own
// value is kept in Key.NativeUsage.
type KeyUsage string

// Portable key usages.
const (
	UsageUnknown           KeyUsage = ""
	UsageEncryptDecrypt    KeyUsage = "EncryptDecrypt"
	UsageSignVerify        KeyUsage = "SignVerify"
	UsageGenerateVerifyMAC KeyUsage = "GenerateVerifyMAC"
	UsageKeyAgreement      KeyUsage = "KeyAgreement"
)

// ProtectionLevel is where the key material lives. The provider's own value
// is kept in Key.NativeProtection.
type ProtectionLevel string

// Portable protection levels.
const (
	ProtectionUnknown  ProtectionLevel = ""
	ProtectionSoftware ProtectionLevel = "Software"
	ProtectionHSM      ProtectionLevel = "HSM"
	ProtectionExternal ProtectionLevel = "External"
)

// KeyKind tells apart the kinds of key a cloud keeps in separate lists
// (Yandex Cloud has three services); AWS and Alibaba keys are told apart by
// Usage and Spec and their Kind follows from them.
type KeyKind string

// Key kinds.
const (
	KindUnknown              KeyKind = ""
	KindSymmetric            KeyKind = "Symmetric"
	KindAsymmetricEncryption KeyKind = "AsymmetricEncryption"
	KindAsymmetricSignature  KeyKind = "AsymmetricSignature"
	KindHMAC                 KeyKind = "HMAC"
)

// Detail is how much a listing tells about each key.
type Detail int

const (
	// DetailBasic is what the cloud's list call returns, with no extra requests.
	DetailBasic Detail = iota
	// DetailFull describes every key and joins its aliases (and the extras
	// ListOptions.Include asks for). DescribeKey returns this content on
	// every adapter.
	DetailFull
)

func (d Detail) valid() bool { return d == DetailBasic || d == DetailFull }

// Include asks a listing (or Describe) for extras that cost requests.
// The bits combine: IncludeTags|IncludeRotation. An unasked extra is not
// fetched and its field stays empty (unless the cloud gives it free); a
// denied one leaves the reason in Key.DetailErr; see the package doc,
// "Include". Its text form is "tags,rotation,policy,access" (ParseInclude).
type Include uint

const (
	// IncludeTags fetches tags (AWS, Alibaba) or labels (Yandex) where they
	// cost a request.
	IncludeTags Include = 1 << iota
	// IncludeRotation fetches the rotation status where it costs a request
	// (AWS GetKeyRotationStatus).
	IncludeRotation
	// IncludePolicy fetches the key policy document (AWS, Alibaba GetKeyPolicy).
	IncludePolicy
	// IncludeAccess fetches who may use the key: AWS grants and policy
	// statements, Alibaba policy statements, Yandex access bindings.
	IncludeAccess

	includeAll = IncludeTags | IncludeRotation | IncludePolicy | IncludeAccess
)

func (i Include) valid() bool { return i&^includeAll == 0 }

// Has reports whether every bit of x is set in i.
func (i Include) Has(x Include) bool { return i&x == x }

// RotationStatus is whether a key rotates automatically. A refused or
// failed read is RotationUnknown with the reason in Key.DetailErr, never
// RotationDisabled; see the package doc, "Rotation".
type RotationStatus string

// Rotation statuses.
const (
	// RotationUnknown: not fetched, or the cloud refused to tell (the reason
	// is in Key.DetailErr). Never read as disabled.
	RotationUnknown RotationStatus = ""
	// RotationEnabled: automatic rotation is on.
	RotationEnabled RotationStatus = "Enabled"
	// RotationDisabled: the key could rotate automatically but does not.
	RotationDisabled RotationStatus = "Disabled"
	// RotationUnsupported: this key cannot rotate automatically (asymmetric,
	// HMAC, imported material, a custom key store).
	RotationUnsupported RotationStatus = "Unsupported"
)

// Access is one grant of use of a key: who (Principal, of PrincipalType),
// what (Actions) and where it comes from (Source: "grant", "policy",
// "binding"). Conditional marks an access that holds only under conditions
// (grant constraints, policy conditions).
type Access struct {
	Principal     string   `json:"principal"`
	PrincipalType string   `json:"principalType,omitempty"`
	Actions       []string `json:"actions,omitempty"`
	Source        string   `json:"source,omitempty"`
	Conditional   bool     `json:"conditional,omitempty"`
}

// Key is a KMS key of any provider. Fields a provider does not have, or that
// the listing's Detail did not fetch, are left zero.
type Key struct {
	// native comes first: an adapter filling a listed key writes it with the
	// few fields a list call gives, in the same cache lines.
	native natives

	Provider Provider
	// ID is the provider's key ID.
	ID string
	// ARN is the AWS ARN or Alibaba acs ARN; empty where the cloud has none.
	ARN string
	// Region is the AWS or Alibaba region.
	Region string
	// Account is the AWS account ID or Alibaba account (UID).
	Account string
	// FolderID is the Yandex Cloud folder.
	FolderID string
	// Name is the key's name (Yandex Cloud).
	Name        string
	Description string
	Kind        KeyKind

	State       KeyState
	NativeState string
	Usage       KeyUsage
	NativeUsage string
	// Spec is the key spec or algorithm as the provider names it (AWS
	// KeySpec, Alibaba KeySpec, Yandex default algorithm).
	Spec string
	// Origin is where the material came from (AWS Origin, Alibaba Origin).
	Origin           string
	Protection       ProtectionLevel
	NativeProtection string
	// Manager is who manages the key (AWS KeyManager, Alibaba Creator).
	Manager string
	// KeyStore is the dedicated store holding the key: the AWS custom key
	// store (CustomKeyStoreId) or the Alibaba KMS instance (DKMSInstanceId);
	// empty for the cloud's shared store.
	KeyStore string
	// Enabled is the provider's own enabled flag where it has one.
	Enabled bool

	CreatedAt time.Time
	// DeletionAt is when the key is scheduled to be deleted.
	DeletionAt time.Time
	// ValidTo is when imported key material expires.
	ValidTo         time.Time
	ExpirationModel string
	// RotatedAt is the time of the last rotation.
	RotatedAt time.Time
	// NextRotationAt is the time of the next automatic rotation.
	NextRotationAt time.Time
	// RotationPeriod is the interval between automatic rotations; 0 if none.
	RotationPeriod time.Duration
	// AutomaticRotation tells whether automatic rotation is on; see
	// RotationStatus (it was a bool).
	AutomaticRotation RotationStatus
	// PrimaryVersion is the ID of the primary (current) version.
	PrimaryVersion string
	// Labels are the key's tags (AWS, Alibaba) or labels (Yandex).
	Labels map[string]string
	// Aliases are the key's alias names.
	Aliases            []string
	DeletionProtection bool
	// MultiRegion tells an AWS multi-Region key.
	MultiRegion bool
	// CloudID is the Yandex Cloud cloud holding the key's folder, where known.
	CloudID string
	// Policy is the key policy document as the cloud returns it (native
	// JSON), with IncludePolicy.
	Policy string
	// Access lists who may use the key, with IncludeAccess.
	Access []Access

	// Detail is the level of detail this Key was filled to.
	Detail Detail
	// DetailErr says why this key carries less than the listing asked for
	// (its describe was denied, say); nil when it is complete.
	DetailErr error
}

// KeyVersionState is the portable state of a key version.
type KeyVersionState string

// Portable key-version states.
const (
	VersionUnknown         KeyVersionState = ""
	VersionEnabled         KeyVersionState = "Enabled"
	VersionPending         KeyVersionState = "Pending"
	VersionPendingDeletion KeyVersionState = "PendingDeletion"
	VersionDestroyed       KeyVersionState = "Destroyed"
)

// KeyVersion is one version (key material) of a key.
type KeyVersion struct {
	Provider    Provider
	KeyID       string
	ID          string
	State       KeyVersionState
	NativeState string
	// Primary marks the version used by default (AWS CURRENT material,
	// Alibaba primary version, Yandex primary version).
	Primary   bool
	Algorithm string
	CreatedAt time.Time
	// DestroyAt is when a version scheduled for destruction goes.
	DestroyAt time.Time
	// RotationType is how the version came to be (AWS AUTOMATIC, ON_DEMAND).
	RotationType string
	// ImportState is the AWS import state of imported material.
	ImportState string
	// ValidTo is when imported material expires.
	ValidTo    time.Time
	Protection ProtectionLevel

	native natives
}

// As finds the first native SDK object of the key assignable to target, a
// non-nil pointer, sets target to it and returns true; it returns false if
// there is none. Adapters document which native types they keep.
func (k Key) As(target any) bool { return k.native.as(target) }

// WithNative returns a copy of k that also keeps the native SDK objects v;
// for adapters.
func (k Key) WithNative(v ...any) Key {
	k.native = k.native.with(v)
	return k
}

// AddNative makes k also keep the native SDK objects v, in place; for
// adapters. Keeping one object (a pointer) allocates nothing.
func (k *Key) AddNative(v ...any) { k.native = k.native.with(v) }

// As finds the first native SDK object of the version assignable to target;
// see Key.As.
func (v KeyVersion) As(target any) bool { return v.native.as(target) }

// WithNative returns a copy of v that also keeps the native SDK objects n;
// for adapters.
func (v KeyVersion) WithNative(n ...any) KeyVersion {
	v.native = v.native.with(n)
	return v
}

// AddNative makes v also keep the native SDK objects n, in place; for adapters.
func (v *KeyVersion) AddNative(n ...any) { v.native = v.native.with(n) }

// natives holds the native objects of a Key or KeyVersion: one object
// directly (no allocation for a pointer), several as a nativeList, copied on
// every addition so that copies of a Key never share one.
type natives struct{ v any }

type nativeList []any

func (n natives) with(add []any) natives {
	var all nativeList
	switch cur := n.v.(type) {
	case nil:
		switch len(add) {
		case 0:
			return n
		case 1:
			return natives{add[0]}
		}
	case nativeList:
		all = append(make(nativeList, 0, len(cur)+len(add)), cur...)
	default:
		all = append(make(nativeList, 0, 1+len(add)), cur)
	}
	return natives{append(all, add...)}
}

func (n natives) as(target any) bool {
	switch cur := n.v.(type) {
	case nil:
		return false
	case nativeList:
		return asNative(cur, target)
	default:
		return asNative([]any{cur}, target)
	}
}

func asNative(natives []any, target any) bool {
	tv := reflect.ValueOf(target)
	if !tv.IsValid() || tv.Kind() != reflect.Pointer || tv.IsNil() {
		return false
	}
	want := tv.Elem().Type()
	for _, n := range natives {
		if n == nil {
			continue
		}
		nv := reflect.ValueOf(n)
		if nv.Type().AssignableTo(want) {
			tv.Elem().Set(nv)
			return true
		}
		if nv.Kind() == reflect.Pointer && !nv.IsNil() && nv.Elem().Type().AssignableTo(want) {
			tv.Elem().Set(nv.Elem())
			return true
		}
	}
	return false
}
