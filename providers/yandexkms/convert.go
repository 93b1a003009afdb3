package yandexkms

import (
	"time"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/multikms/multikms/kms"
)

// keyState maps the status the three key kinds share (CREATING 1, ACTIVE 2,
// INACTIVE 3 in all three enums).
func keyState(status int32) kms.KeyState {
	switch status {
	case 1:
		return kms.StateCreating
	case 2:
		return kms.StateEnabled
	case 3:
		return kms.StateDisabled
	}
	return kms.StateUnknown
}

// enumName returns the proto name of an enum value from its generated name
// map (much cheaper than String, which goes through the descriptor), or
// String for a value the map does not know.
func enumName[E interface {
	~int32
	String() string
}](names map[int32]string, v E) string {
	if s, ok := names[int32(v)]; ok {
		return s
	}
	return v.String()
}

// timeOf converts a timestamp; nil (unset) is the zero time.
func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

// protection tells where a symmetric version's material lives, and the
// native flag that says so ("" when it is not hosted by an HSM).
func protection(hostedByHSM bool) (kms.ProtectionLevel, string) {
	if hostedByHSM {
		return kms.ProtectionHSM, "hosted_by_hsm"
	}
	return kms.ProtectionSoftware, ""
}

// setBase fills the fields every kind has into *key, in place (a Key is
// large: copying it per key costs more than the mapping).
func setBase(key *kms.Key, kind kms.KeyKind, id, folderID, name, desc string, labels map[string]string,
	created *timestamppb.Timestamp, status int32, statusName string, deletionProtection bool,
) {
	key.Provider, key.ID, key.FolderID, key.Name, key.Description, key.Kind = kms.ProviderYandex, id, folderID, name, desc, kind
	key.State, key.NativeState, key.Enabled = keyState(status), statusName, status == 2
	key.CreatedAt, key.Labels, key.DeletionProtection = timeOf(created), labels, deletionProtection
	key.Detail = kms.DetailFull
}

// fromSymmetric maps a symmetric key; the key's protection is its primary
// version's (hosted_by_hsm), and the next rotation is rotated_at plus
// rotation_period when both are set.
func fromSymmetric(key *kms.Key, k *kmspb.SymmetricKey) {
	setBase(key, kms.KindSymmetric, k.Id, k.FolderId, k.Name, k.Description, k.Labels,
		k.CreatedAt, int32(k.Status), enumName(kmspb.SymmetricKey_Status_name, k.Status), k.DeletionProtection)
	key.Usage, key.Spec = kms.UsageEncryptDecrypt, enumName(kmspb.SymmetricAlgorithm_name, k.DefaultAlgorithm)
	key.Protection, key.NativeProtection = protection(k.GetPrimaryVersion().GetHostedByHsm() ||
		k.DefaultAlgorithm == kmspb.SymmetricAlgorithm_AES_256_HSM)
	key.PrimaryVersion = k.GetPrimaryVersion().GetId()
	key.RotatedAt = timeOf(k.RotatedAt)
	key.AutomaticRotation = kms.RotationDisabled
	if k.RotationPeriod != nil {
		key.RotationPeriod = k.RotationPeriod.AsDuration()
		if key.RotationPeriod > 0 {
			key.AutomaticRotation = kms.RotationEnabled
		}
		if key.RotationPeriod > 0 && !key.RotatedAt.IsZero() {
			key.NextRotationAt = key.RotatedAt.Add(key.RotationPeriod)
		}
	}
	key.AddNative(k)
}

// fromEncryption maps an asymmetric encryption key.
func fromEncryption(key *kms.Key, k *aepb.AsymmetricEncryptionKey) {
	setBase(key, kms.KindAsymmetricEncryption, k.Id, k.FolderId, k.Name, k.Description, k.Labels,
		k.CreatedAt, int32(k.Status), enumName(aepb.AsymmetricEncryptionKey_Status_name, k.Status), k.DeletionProtection)
	setAsymmetric(key, kms.UsageEncryptDecrypt, enumName(aepb.AsymmetricEncryptionAlgorithm_name, k.EncryptionAlgorithm), k)
}

// fromSignature maps an asymmetric signature key.
func fromSignature(key *kms.Key, k *aspb.AsymmetricSignatureKey) {
	setBase(key, kms.KindAsymmetricSignature, k.Id, k.FolderId, k.Name, k.Description, k.Labels,
		k.CreatedAt, int32(k.Status), enumName(aspb.AsymmetricSignatureKey_Status_name, k.Status), k.DeletionProtection)
	setAsymmetric(key, kms.UsageSignVerify, enumName(aspb.AsymmetricSignatureAlgorithm_name, k.SignatureAlgorithm), k)
}

// setAsymmetric fills what asymmetric keys of both kinds share: Yandex
// Cloud keeps their material in software, cannot rotate them
// automatically, and their one implicit version has the key's ID.
func setAsymmetric(key *kms.Key, usage kms.KeyUsage, spec string, native any) {
	key.Usage, key.Spec = usage, spec
	key.AutomaticRotation = kms.RotationUnsupported
	key.Protection, key.NativeProtection = protection(false)
	key.PrimaryVersion = key.ID
	key.AddNative(native)
}

// versionStates maps SymmetricKeyVersion.Status.
var versionStates = map[kmspb.SymmetricKeyVersion_Status]kms.KeyVersionState{
	kmspb.SymmetricKeyVersion_ACTIVE:                    kms.VersionEnabled,
	kmspb.SymmetricKeyVersion_SCHEDULED_FOR_DESTRUCTION: kms.VersionPendingDeletion,
	kmspb.SymmetricKeyVersion_DESTROYED:                 kms.VersionDestroyed,
}

// fromVersion maps a symmetric key version.
func fromVersion(out *kms.KeyVersion, v *kmspb.SymmetricKeyVersion) {
	out.Provider, out.KeyID, out.ID = kms.ProviderYandex, v.KeyId, v.Id
	out.State, out.NativeState = versionStates[v.Status], enumName(kmspb.SymmetricKeyVersion_Status_name, v.Status)
	out.Primary, out.Algorithm = v.Primary, enumName(kmspb.SymmetricAlgorithm_name, v.Algorithm)
	out.CreatedAt, out.DestroyAt = timeOf(v.CreatedAt), timeOf(v.DestroyAt)
	out.Protection, _ = protection(v.HostedByHsm)
	out.AddNative(v)
}

// implicitVersion is the one version of an asymmetric key: its ID is the
// key's, it is primary, and it is Enabled while the key exists (ACTIVE or
// INACTIVE: the key's state says whether it may be used) or Pending while
// the key is CREATING. KeyVersion.As finds the key's native object.
func implicitVersion(k kms.Key) kms.KeyVersion {
	state := kms.VersionEnabled
	if k.State == kms.StateCreating {
		state = kms.VersionPending
	}
	v := kms.KeyVersion{
		Provider: kms.ProviderYandex, KeyID: k.ID, ID: k.ID, State: state, NativeState: k.NativeState,
		Primary: true, Algorithm: k.Spec, CreatedAt: k.CreatedAt, Protection: k.Protection,
	}
	var enc *aepb.AsymmetricEncryptionKey
	var sig *aspb.AsymmetricSignatureKey
	switch {
	case k.As(&enc):
		return v.WithNative(enc)
	case k.As(&sig):
		return v.WithNative(sig)
	}
	return v
}
