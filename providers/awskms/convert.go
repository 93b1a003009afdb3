package awskms

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/internal/arnprefix"
	"github.com/multikms/multikms/kms"
)

var states = map[types.KeyState]kms.KeyState{
	types.KeyStateEnabled:                kms.StateEnabled,
	types.KeyStateDisabled:               kms.StateDisabled,
	types.KeyStatePendingDeletion:        kms.StatePendingDeletion,
	types.KeyStatePendingReplicaDeletion: kms.StatePendingDeletion,
	types.KeyStatePendingImport:          kms.StatePendingImport,
	types.KeyStateCreating:               kms.StateCreating,
	types.KeyStateUnavailable:            kms.StateUnavailable,
}

var usages = map[types.KeyUsageType]kms.KeyUsage{
	types.KeyUsageTypeEncryptDecrypt:    kms.UsageEncryptDecrypt,
	types.KeyUsageTypeSignVerify:        kms.UsageSignVerify,
	types.KeyUsageTypeGenerateVerifyMac: kms.UsageGenerateVerifyMAC,
	types.KeyUsageTypeKeyAgreement:      kms.UsageKeyAgreement,
}

// protections: KMS keys live in the FIPS HSMs of AWS KMS (imported material
// too) or of a CloudHSM cluster; an external key store keeps them outside AWS.
var protections = map[types.OriginType]kms.ProtectionLevel{
	types.OriginTypeAwsKms:           kms.ProtectionHSM,
	types.OriginTypeExternal:         kms.ProtectionHSM,
	types.OriginTypeAwsCloudhsm:      kms.ProtectionHSM,
	types.OriginTypeExternalKeyStore: kms.ProtectionExternal,
}

// setListEntry fills the zero key k from a ListKeys entry, in place (a page
// of keys is large: no copies). arns carries the Region and account over
// from the page's previous key.
func setListEntry(k *kms.Key, e *types.KeyListEntry, arns *arnprefix.Cache) {
	k.Provider, k.ID, k.ARN = kms.ProviderAWS, aws.ToString(e.KeyId), aws.ToString(e.KeyArn)
	k.Region, k.Account = arns.RegionAccount(k.ARN, splitARN)
	k.AddNative(e)
}

// fromMetadata maps DescribeKey's metadata to a DetailFull key.
func fromMetadata(md *types.KeyMetadata) kms.Key {
	spec := string(md.KeySpec)
	k := kms.Key{
		Provider:         kms.ProviderAWS,
		ID:               aws.ToString(md.KeyId),
		ARN:              aws.ToString(md.Arn),
		Account:          aws.ToString(md.AWSAccountId),
		Description:      aws.ToString(md.Description),
		Kind:             kind(spec, md.KeyUsage),
		State:            states[md.KeyState],
		NativeState:      string(md.KeyState),
		Usage:            usages[md.KeyUsage],
		NativeUsage:      string(md.KeyUsage),
		Spec:             spec,
		Origin:           string(md.Origin),
		Protection:       protections[md.Origin],
		NativeProtection: string(md.Origin),
		Manager:          string(md.KeyManager),
		KeyStore:         aws.ToString(md.CustomKeyStoreId),
		Enabled:          md.Enabled,
		CreatedAt:        aws.ToTime(md.CreationDate),
		DeletionAt:       aws.ToTime(md.DeletionDate),
		ValidTo:          aws.ToTime(md.ValidTo),
		ExpirationModel:  string(md.ExpirationModel),
		PrimaryVersion:   aws.ToString(md.CurrentKeyMaterialId),
		MultiRegion:      aws.ToBool(md.MultiRegion),
		Detail:           kms.DetailFull,
	}
	k.Region, _ = arnRegionAccount(k.ARN)
	return k.WithNative(md)
}

// kind derives the portable kind from the key spec and usage.
func kind(spec string, usage types.KeyUsageType) kms.KeyKind {
	switch {
	case spec == string(types.KeySpecSymmetricDefault):
		return kms.KindSymmetric
	case strings.HasPrefix(spec, "HMAC_"):
		return kms.KindHMAC
	case usage == types.KeyUsageTypeSignVerify:
		return kms.KindAsymmetricSignature
	case usage == types.KeyUsageTypeEncryptDecrypt:
		return kms.KindAsymmetricEncryption
	}
	return kms.KindUnknown
}

// arnRegionAccount returns the Region and account of an ARN
// (arn:partition:kms:region:account:resource), without allocating.
func arnRegionAccount(arn string) (region, account string) {
	region, account, _ = splitARN(arn)
	return region, account
}

// splitARN returns the Region and account of an ARN and the length of its
// prefix up to the account's colon; all zero if arn is not an ARN.
func splitARN(arn string) (region, account string, prefix int) {
	var colon [5]int
	from := 0
	for i := range colon {
		j := strings.IndexByte(arn[from:], ':')
		if j < 0 {
			return "", "", 0
		}
		colon[i] = from + j
		from += j + 1
	}
	return arn[colon[2]+1 : colon[3]], arn[colon[3]+1 : colon[4]], from
}

// fromRotation maps a ListKeyRotations entry (one key material) to a version.
func fromRotation(e *types.RotationsListEntry) kms.KeyVersion {
	v := kms.KeyVersion{
		Provider:     kms.ProviderAWS,
		KeyID:        aws.ToString(e.KeyId),
		ID:           aws.ToString(e.KeyMaterialId),
		NativeState:  string(e.KeyMaterialState),
		Primary:      e.KeyMaterialState == types.KeyMaterialStateCurrent,
		CreatedAt:    aws.ToTime(e.RotationDate),
		RotationType: string(e.RotationType),
		ImportState:  string(e.ImportState),
		ValidTo:      aws.ToTime(e.ValidTo),
	}
	switch {
	case e.ImportState == types.ImportStatePendingImport,
		e.KeyMaterialState == types.KeyMaterialStatePendingRotation,
		e.KeyMaterialState == types.KeyMaterialStatePendingMultiRegionImportAndRotation:
		v.State = kms.VersionPending
	case e.KeyMaterialState == types.KeyMaterialStateCurrent, e.KeyMaterialState == types.KeyMaterialStateNonCurrent:
		v.State = kms.VersionEnabled
	}
	return v.WithNative(e)
}

// withAliases returns k with the aliases of its key joined in.
func withAliases(k kms.Key, entries []types.AliasListEntry) kms.Key {
	if len(entries) == 0 {
		return k
	}
	k.Aliases = make([]string, len(entries))
	for i := range entries {
		k.Aliases[i] = aws.ToString(entries[i].AliasName)
	}
	return k.WithNative(entries)
}

// withTags returns k with its tags as Labels.
func withTags(k kms.Key, tags []types.Tag) kms.Key {
	k.Labels = make(map[string]string, len(tags))
	for _, t := range tags {
		k.Labels[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
	}
	return k.WithNative(tags)
}
