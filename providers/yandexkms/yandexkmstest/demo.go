package yandexkmstest

import (
	"time"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// DemoFolderID is the folder WithDemoKeys seeds.
const DemoFolderID = "b1gdemo0kms0folder01"

// WithDemoKeys seeds DemoFolderID with a few named keys of the three kinds,
// for demos such as the inventory program.
func WithDemoKeys() Option {
	ts := func(s string) *timestamppb.Timestamp {
		t, _ := time.Parse(time.RFC3339, s)
		return timestamppb.New(t)
	}
	v1 := &kmspb.SymmetricKeyVersion{Id: "abjdemo0payments0v001", KeyId: "abjdemo0payments00001",
		Status: kmspb.SymmetricKeyVersion_SCHEDULED_FOR_DESTRUCTION, Algorithm: kmspb.SymmetricAlgorithm_AES_256,
		CreatedAt: ts("2025-02-01T09:00:00Z"), DestroyAt: ts("2026-12-31T00:00:00Z")}
	v2 := &kmspb.SymmetricKeyVersion{Id: "abjdemo0payments0v002", KeyId: "abjdemo0payments00001",
		Status: kmspb.SymmetricKeyVersion_ACTIVE, Algorithm: kmspb.SymmetricAlgorithm_AES_256,
		CreatedAt: ts("2026-02-01T09:00:00Z"), Primary: true}
	hsm := &kmspb.SymmetricKeyVersion{Id: "abjdemo0backups00v001", KeyId: "abjdemo0backups000001",
		Status: kmspb.SymmetricKeyVersion_ACTIVE, Algorithm: kmspb.SymmetricAlgorithm_AES_256_HSM,
		CreatedAt: ts("2025-06-10T12:00:00Z"), Primary: true, HostedByHsm: true}
	return func(c *config) {
		WithSymmetricKeys(
			&kmspb.SymmetricKey{Id: v2.KeyId, FolderId: DemoFolderID, CreatedAt: v1.CreatedAt,
				Name: "payments", Description: "card data envelope key", Labels: map[string]string{"env": "prod"},
				Status: kmspb.SymmetricKey_ACTIVE, PrimaryVersion: v2, DefaultAlgorithm: kmspb.SymmetricAlgorithm_AES_256,
				RotatedAt: v2.CreatedAt, RotationPeriod: durationpb.New(365 * 24 * time.Hour), DeletionProtection: true},
			&kmspb.SymmetricKey{Id: hsm.KeyId, FolderId: DemoFolderID, CreatedAt: hsm.CreatedAt,
				Name: "backups", Labels: map[string]string{"env": "prod"},
				Status: kmspb.SymmetricKey_INACTIVE, PrimaryVersion: hsm, DefaultAlgorithm: kmspb.SymmetricAlgorithm_AES_256_HSM,
				RotatedAt: hsm.CreatedAt},
		)(c)
		WithVersions(v2.KeyId, v1, v2)(c)
		WithAccessBindings(v2.KeyId, Binding("kms.keys.encrypterDecrypter", "serviceAccount", "ajedemo0payments0app1"))(c)
		WithAccessBindings("abjdemo0releases00001", Binding("kms.asymmetricSignatureKey.signer", "serviceAccount", "ajedemo0release0ci001"),
			Binding("kms.viewer", "system", "allAuthenticatedUsers"))(c)
		WithVersions(hsm.KeyId, hsm)(c)
		WithAsymmetricEncryptionKeys(&aepb.AsymmetricEncryptionKey{Id: "abjdemo0documents0001", FolderId: DemoFolderID,
			CreatedAt: ts("2025-09-15T08:30:00Z"), Name: "documents", Status: aepb.AsymmetricEncryptionKey_ACTIVE,
			EncryptionAlgorithm: aepb.AsymmetricEncryptionAlgorithm_RSA_3072_ENC_OAEP_SHA_256})(c)
		WithAsymmetricSignatureKeys(&aspb.AsymmetricSignatureKey{Id: "abjdemo0releases00001", FolderId: DemoFolderID,
			CreatedAt: ts("2026-01-20T16:45:00Z"), Name: "release-signing", Status: aspb.AsymmetricSignatureKey_ACTIVE,
			SignatureAlgorithm: aspb.AsymmetricSignatureAlgorithm_ECDSA_NIST_P256_SHA_256, DeletionProtection: true})(c)
	}
}
