package alibabakms

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// DescribeKey returns one key with DetailFull content, the same on every
// adapter: its KeyMetadata (kept for Key.As as alikms.KeyMetadata, with
// the rotation settings) and its aliases (ListAliasesByKeyId); no tags, no
// policy (DescribeKeyInclude asks for them). keyRef is a key ID, an alias
// (alias/...) or a key or alias ARN (acs:kms:<region>:<uid>:key/<id>,
// acs:kms:<region>:<uid>:alias/<name>), checked against those shapes
// before any request.
//
// The aliases take requests of their own: if they fail (a RAM policy that
// allows DescribeKey only, say), the key still comes back, with the reason
// in DetailErr, as in a listing.
func (l *Lister) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	return l.DescribeKeyInclude(ctx, keyRef, 0)
}

// DescribeKeyInclude is DescribeKey with the extras include asks for, as a
// listing with that Include fills them (kms.Describe calls it): tags
// (ListResourceTags), the key policy and the access it grants (GetKeyPolicy,
// for keys in a KMS instance only). A failed extra keeps the key, with the
// reason in DetailErr.
func (l *Lister) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	const op = "DescribeKey"
	if l.err != nil {
		return kms.Key{}, l.err
	}
	opts := kms.ListOptions{Detail: kms.DetailFull, Include: include}
	if err := opts.Validate(provider, op, MaxPageSize); err != nil {
		return kms.Key{}, err
	}
	if err := checkRef(op, keyRef); err != nil {
		return kms.Key{}, err
	}
	k, err := l.describe(ctx, keyRef)
	if err != nil {
		return kms.Key{}, err
	}
	k = hydrate.One(ctx, k, opts, hydrate.Steps{Extras: l.extras(nil)}, l.hydrateConfig())
	if cerr := ctx.Err(); cerr != nil {
		return kms.Key{}, cerr
	}
	return k, nil
}

// describe calls DescribeKey and maps its KeyMetadata.
func (l *Lister) describe(ctx context.Context, ref string) (kms.Key, error) {
	const op = "DescribeKey"
	req := alikms.CreateDescribeKeyRequest()
	req.KeyId = ref
	resp, err := invoke(ctx, l.call, op, req, l.client.DescribeKey)
	if err != nil {
		return kms.Key{}, err
	}
	if resp.RequestId == "" || !validKeyID(resp.KeyMetadata.KeyId) {
		return kms.Key{}, malformed(op, "no RequestId or no valid KeyId")
	}
	return keyFromMetadata(resp.KeyMetadata), nil
}

// Native values of KeyMetadata and their portable counterparts.
var (
	portableStates = map[string]kms.KeyState{
		"Enabled": kms.StateEnabled, "Disabled": kms.StateDisabled,
		"PendingDeletion": kms.StatePendingDeletion, "PendingImport": kms.StatePendingImport,
	}
	portableUsages = map[string]kms.KeyUsage{
		"ENCRYPT/DECRYPT": kms.UsageEncryptDecrypt, "SIGN/VERIFY": kms.UsageSignVerify,
	}
	portableProtections = map[string]kms.ProtectionLevel{
		"SOFTWARE": kms.ProtectionSoftware, "HSM": kms.ProtectionHSM,
	}
)

// keyFromMetadata parses KeyMetadata, whose fields are all strings, into a
// Key. A field that does not parse is left zero and named in DetailErr; the
// raw KeyMetadata stays reachable with Key.As, and with it the two values
// the portable Key has no place for: DeletionProtectionDescription, and an
// AutomaticRotation of Suspended (AutomaticRotation is true for Enabled
// only).
func keyFromMetadata(m alikms.KeyMetadata) kms.Key {
	k := kms.Key{
		Provider: provider, ID: m.KeyId, ARN: m.Arn, Description: m.Description,
		State: portableStates[m.KeyState], NativeState: m.KeyState,
		Usage: portableUsages[m.KeyUsage], NativeUsage: m.KeyUsage,
		Spec: m.KeySpec, Origin: m.Origin,
		Protection: portableProtections[m.ProtectionLevel], NativeProtection: m.ProtectionLevel,
		Manager: m.Creator, KeyStore: m.DKMSInstanceId, Enabled: m.KeyState == "Enabled",
		PrimaryVersion:     m.PrimaryKeyVersion,
		DeletionProtection: m.DeletionProtection == "Enabled",
		Kind:               kindOf(m.KeySpec, m.KeyUsage),
		Detail:             kms.DetailFull,
	}
	k.AutomaticRotation = rotationStatus(m, k.Kind)
	k.Region, k.Account, _ = parseARN(m.Arn)
	p := fieldParser{}
	k.CreatedAt = p.time("CreationDate", m.CreationDate)
	k.DeletionAt = p.time("DeleteDate", m.DeleteDate)
	k.ValidTo = p.time("MaterialExpireTime", m.MaterialExpireTime)
	k.RotatedAt = p.time("LastRotationDate", m.LastRotationDate)
	k.NextRotationAt = p.time("NextRotationDate", m.NextRotationDate)
	k.RotationPeriod = p.seconds("RotationInterval", m.RotationInterval)
	if len(p.bad) > 0 {
		k.DetailErr = kms.NewError(provider, "DescribeKey", kms.CodeUnknown,
			fmt.Errorf("unparseable KeyMetadata fields: %s", strings.Join(p.bad, ", ")))
	}
	return k.WithNative(m)
}

// kindOf tells the key kind from its spec and usage.
func kindOf(spec, usage string) kms.KeyKind {
	switch {
	case spec == "":
		return kms.KindUnknown
	case strings.HasPrefix(spec, "Aliyun_"):
		return kms.KindSymmetric
	case strings.HasPrefix(spec, "HMAC"):
		return kms.KindHMAC
	case usage == "SIGN/VERIFY":
		return kms.KindAsymmetricSignature
	case usage == "ENCRYPT/DECRYPT":
		return kms.KindAsymmetricEncryption
	}
	return kms.KindUnknown
}

// fieldParser parses KeyMetadata strings, collecting the names of the
// fields that do not parse.
type fieldParser struct{ bad []string }

func (p *fieldParser) time(name, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.bad = append(p.bad, fmt.Sprintf("%s=%q", name, s))
	}
	return t
}

// seconds parses a duration such as "604800s".
func (p *fieldParser) seconds(name, s string) time.Duration {
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(s, "s"), 10, 64)
	if err != nil || n < 0 {
		p.bad = append(p.bad, fmt.Sprintf("%s=%q", name, s))
		return 0
	}
	return time.Duration(n) * time.Second
}

// aliases lists the alias names of key id (ListAliasesByKeyId, 100 a page).
func (l *Lister) aliases(ctx context.Context, id string) ([]string, error) {
	const op = "ListAliasesByKeyId"
	fetch := func(ctx context.Context, page, size int) ([]string, int, error) {
		req := alikms.CreateListAliasesByKeyIdRequest()
		req.KeyId = id
		req.PageNumber = requests.NewInteger(page)
		req.PageSize = requests.NewInteger(size)
		resp, err := invoke(ctx, l.once, op, req, l.client.ListAliasesByKeyId)
		if err != nil {
			return nil, 0, err
		}
		if resp.RequestId == "" {
			return nil, 0, malformed(op, "no RequestId")
		}
		names := make([]string, len(resp.Aliases.Alias))
		for i, a := range resp.Aliases.Alias {
			names[i] = a.AliasName
		}
		return names, resp.TotalCount, nil
	}
	names, err := pagination.Collect(pagination.ByPageNumber(ctx, fetch, pagination.Options{
		PageSize: MaxPageSize, Concurrency: 1, Retry: l.retry, Limiter: l.limiter, Op: op, Observer: l.observer,
	}))
	if err != nil {
		return nil, err
	}
	return names, nil
}

// tags returns the tags of key id (ListResourceTags).
func (l *Lister) tags(ctx context.Context, id string) (map[string]string, error) {
	const op = "ListResourceTags"
	req := alikms.CreateListResourceTagsRequest()
	req.KeyId = id
	resp, err := invoke(ctx, l.call, op, req, l.client.ListResourceTags)
	if err != nil {
		return nil, err
	}
	if resp.RequestId == "" {
		return nil, malformed(op, "no RequestId")
	}
	if len(resp.Tags.Tag) == 0 {
		return nil, nil
	}
	labels := make(map[string]string, len(resp.Tags.Tag))
	for _, t := range resp.Tags.Tag {
		labels[t.TagKey] = t.TagValue
	}
	return labels, nil
}

// rotationStatus maps AutomaticRotation (Enabled, Disabled, Suspended)
// for a key that can rotate: Suspended (rotation paused) is Disabled, as
// the key does not rotate; the native value stays in KeyMetadata. Keys that
// cannot rotate automatically, whatever the field says, are
// RotationUnsupported: asymmetric and HMAC keys, and keys whose key
// material is imported (Origin EXTERNAL), as the key-rotation reference
// documents.
func rotationStatus(m alikms.KeyMetadata, kind kms.KeyKind) kms.RotationStatus {
	switch {
	case kind == kms.KindAsymmetricEncryption, kind == kms.KindAsymmetricSignature, kind == kms.KindHMAC,
		m.Origin == "EXTERNAL":
		return kms.RotationUnsupported
	}
	switch m.AutomaticRotation {
	case "Enabled":
		return kms.RotationEnabled
	case "Disabled", "Suspended":
		return kms.RotationDisabled
	}
	return kms.RotationUnknown
}
