package yandexkmstest

import (
	"fmt"
	"time"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// epoch is the creation time of generated key 0 of folder 0.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// FolderID returns the ID of generated folder i (20 characters, like the cloud's).
func FolderID(i int) string { return fmt.Sprintf("b1g%017d", i) }

// KeyID returns the ID of generated key j of folder i.
func KeyID(i, j int) string { return fmt.Sprintf("abj%08d%09d", i, j) }

// WithGenerated seeds folders folders (FolderID(0) ...) of keysPerFolder keys
// each: key j is symmetric when j%3 == 0, asymmetric encryption when 1 and
// asymmetric signature when 2. Statuses, labels, algorithms, rotation,
// deletion protection and access bindings (j%3 of them) vary with j; symmetric key j has 1 + (j/3)%3 versions
// (ACTIVE primary, SCHEDULED_FOR_DESTRUCTION with destroy_at, DESTROYED).
func WithGenerated(folders, keysPerFolder int) Option {
	return func(c *config) {
		for i := range folders {
			for j := range keysPerFolder {
				generateKey(c, i, j)
			}
		}
	}
}

// WithGeneratedSymmetric seeds folders folders of keysPerFolder symmetric
// keys each (IDs KeyID(i, j)), varied as WithGenerated varies its symmetric
// keys: for comparisons with the SDK's SymmetricKeyIterator.
func WithGeneratedSymmetric(folders, keysPerFolder int) Option {
	return func(c *config) {
		for i := range folders {
			for j := range keysPerFolder {
				generateKindOf(c, i, j, 3*j)
			}
		}
	}
}

func generateKey(c *config, i, j int) { generateKindOf(c, i, j, j) }

// generateKindOf seeds key j of folder i shaped as generated key v is: its
// kind, status, labels and algorithms follow v.
func generateKindOf(c *config, i, j, v int) {
	id, folderID := KeyID(i, j), FolderID(i)
	created := epoch.Add(time.Duration(i)*time.Hour + time.Duration(j)*time.Minute)
	labels := map[string]string{"env": []string{"prod", "staging", "dev"}[v%3], "team": fmt.Sprintf("t%d", v%4)}
	name, desc := fmt.Sprintf("key-%d-%d", i, j), fmt.Sprintf("generated key %d of folder %d", j, i)
	status := 2 // ACTIVE in the asymmetric enums
	switch {
	case v%13 == 12:
		status = 1 // CREATING
	case v%5 == 4:
		status = 3 // INACTIVE
	}
	generateBindings(c, id, v)
	switch v % 3 {
	case 0:
		k, vs := generateSymmetric(id, folderID, v, created)
		k.Name, k.Description, k.Labels = name, desc, labels
		k.Status = kmspb.SymmetricKey_Status(status)
		c.seed.symmetric = append(c.seed.symmetric, k)
		WithVersions(id, vs...)(c)
	case 1:
		c.seed.encryption = append(c.seed.encryption, &aepb.AsymmetricEncryptionKey{
			Id: id, FolderId: folderID, CreatedAt: timestamppb.New(created),
			Name: name, Description: desc, Labels: labels,
			Status:              aepb.AsymmetricEncryptionKey_Status(status),
			EncryptionAlgorithm: aepb.AsymmetricEncryptionAlgorithm(1 + v%3),
			DeletionProtection:  v%4 == 1,
		})
	default:
		c.seed.signature = append(c.seed.signature, &aspb.AsymmetricSignatureKey{
			Id: id, FolderId: folderID, CreatedAt: timestamppb.New(created),
			Name: name, Description: desc, Labels: labels,
			Status:             aspb.AsymmetricSignatureKey_Status(status),
			SignatureAlgorithm: aspb.AsymmetricSignatureAlgorithm(1 + v%13),
			DeletionProtection: v%4 == 2,
		})
	}
}

// generateBindings gives generated key v (v%3) access bindings: a service
// account that may use it, then a group that may view it; when v%11 == 5
// the second is the public system:allAuthenticatedUsers.
func generateBindings(c *config, id string, v int) {
	bs := []*access.AccessBinding{
		Binding("kms.keys.encrypterDecrypter", "serviceAccount", fmt.Sprintf("aje%017d", v)),
		Binding("kms.viewer", "group", fmt.Sprintf("aje%017d", v+1)),
	}
	if v%11 == 5 {
		bs[1] = Binding("kms.viewer", "system", "allAuthenticatedUsers")
	}
	if n := v % 3; n > 0 {
		WithAccessBindings(id, bs[:n]...)(c)
	}
}

// generateSymmetric makes symmetric key j and its 1 + (j/3)%3 versions, the
// last one primary.
func generateSymmetric(id, folderID string, j int, created time.Time) (*kmspb.SymmetricKey, []*kmspb.SymmetricKeyVersion) {
	alg := kmspb.SymmetricAlgorithm(1 + (j/3)%5)
	n := 1 + (j/3)%3
	vs := make([]*kmspb.SymmetricKeyVersion, n)
	for v := range n {
		at := created.Add(time.Duration(v) * 24 * time.Hour)
		ver := &kmspb.SymmetricKeyVersion{
			Id: fmt.Sprintf("%s-v%d", id, v), KeyId: id, Algorithm: alg,
			CreatedAt: timestamppb.New(at), HostedByHsm: alg == kmspb.SymmetricAlgorithm_AES_256_HSM,
			Status: kmspb.SymmetricKeyVersion_ACTIVE,
		}
		switch {
		case v == n-1:
			ver.Primary = true
		case v == 0 && n == 3:
			ver.Status = kmspb.SymmetricKeyVersion_DESTROYED
		default:
			ver.Status = kmspb.SymmetricKeyVersion_SCHEDULED_FOR_DESTRUCTION
			ver.DestroyAt = timestamppb.New(at.Add(30 * 24 * time.Hour))
		}
		vs[v] = ver
	}
	k := &kmspb.SymmetricKey{
		Id: id, FolderId: folderID, CreatedAt: timestamppb.New(created),
		PrimaryVersion: vs[n-1], DefaultAlgorithm: alg,
		RotatedAt:          vs[n-1].CreatedAt,
		DeletionProtection: j%4 == 0,
	}
	if j%2 == 0 {
		k.RotationPeriod = durationpb.New(365 * 24 * time.Hour)
	}
	return k, vs
}
