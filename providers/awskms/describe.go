package awskms

import (
	"context"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The shapes of a key reference, as the KMS API documents them.
var (
	aliasRe    = regexp.MustCompile(`^alias/[a-zA-Z0-9:/_-]{1,250}$`)
	arnRe      = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/(.+)|(alias/.+))$`)
	refExample = "a key ID (1234abcd-12ab-34cd-56ef-1234567890ab or mrk-...), key ARN, alias/<name> or alias ARN"
)

// isKeyID tells a key ID: a UUID
// (^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)
// or a multi-Region key ID (^mrk-[0-9a-fA-F]{32}$). A scanner rather than
// an expression: every DescribeKey answer is checked against it.
func isKeyID(s string) bool {
	if hex, ok := strings.CutPrefix(s, "mrk-"); ok {
		return len(hex) == 32 && strings.IndexFunc(hex, notHex) < 0
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	for _, part := range [...]string{s[:8], s[9:13], s[14:18], s[19:23], s[24:]} {
		if strings.IndexFunc(part, notHex) >= 0 {
			return false
		}
	}
	return true
}

func notHex(r rune) bool {
	return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F')
}

// refKind tells what a valid key reference is.
type refKind int

const (
	refKeyID refKind = iota + 1
	refKeyARN
	refAlias
	refAliasARN
)

// checkKeyRef validates a key reference client-side: the checks of every
// adapter (kms.CheckKeyRef: not empty, UTF-8, 1..2048 characters, not an
// ARN of another cloud), then one of the four shapes AWS documents.
func checkKeyRef(op, ref string) (refKind, error) {
	if err := kms.CheckKeyRef(kms.ProviderAWS, op, ref, MaxKeyRefLen); err != nil {
		return 0, err
	}
	switch {
	case isKeyID(ref):
		return refKeyID, nil
	case aliasRe.MatchString(ref):
		return refAlias, nil
	}
	if m := arnRe.FindStringSubmatch(ref); m != nil {
		if m[2] != "" && isKeyID(m[2]) {
			return refKeyARN, nil
		}
		if m[3] != "" && aliasRe.MatchString(m[3]) {
			return refAliasARN, nil
		}
	}
	return 0, kms.InvalidArgument(kms.ProviderAWS, op, "keyRef", "must be %s", refExample)
}

func checkGrantTokens(tokens []string) error {
	if len(tokens) > MaxGrantTokens {
		return kms.InvalidArgument(kms.ProviderAWS, "New", "GrantTokens", "at most %d, got %d", MaxGrantTokens, len(tokens))
	}
	for i, t := range tokens {
		if len(t) < 1 || len(t) > MaxGrantTokenLen {
			return kms.InvalidArgument(kms.ProviderAWS, "New", "GrantTokens", "token %d: length must be 1..%d, got %d", i, MaxGrantTokenLen, len(t))
		}
	}
	return nil
}

// DescribeKey describes one key by key ID, key ARN, alias name (alias/...)
// or alias ARN, checked client-side first, as a DetailFull listing returns
// it: DescribeKey's metadata and the key's aliases (ListAliases with its
// KeyId). A failed alias listing keeps the key, with the reason in
// DetailErr. The key keeps *types.KeyMetadata (and []types.AliasListEntry)
// for Key.As.
func (l *Lister) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	return l.DescribeKeyInclude(ctx, keyRef, 0)
}

// DescribeKeyInclude is DescribeKey with the extras include asks for, as a
// listing with that Include fills them (kms.Describe calls it).
func (l *Lister) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	opts := kms.ListOptions{Detail: kms.DetailFull, Include: include}
	if err := l.checkList(OpDescribeKey, opts); err != nil {
		return kms.Key{}, err
	}
	if _, err := checkKeyRef(OpDescribeKey, keyRef); err != nil {
		return kms.Key{}, err
	}
	k, err := l.describeKey(ctx, keyRef)
	if err != nil {
		return kms.Key{}, err
	}
	return hydrate.One(ctx, k, opts, l.oneSteps(include), l.hydrateConfig()), nil
}

// describeKey calls DescribeKey under the Lister's retry and limiter.
func (l *Lister) describeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	md, err := l.describe(ctx, keyRef, l.request(OpDescribeKey))
	if err != nil {
		return kms.Key{}, err
	}
	return fromMetadata(md), nil
}

// describe calls DescribeKey as req says.
func (l *Lister) describe(ctx context.Context, keyRef string, req pagination.Request) (*types.KeyMetadata, error) {
	in := &kmssdk.DescribeKeyInput{KeyId: aws.String(keyRef), GrantTokens: l.grantTokens}
	var md *types.KeyMetadata
	err := req.Do(ctx, func(ctx context.Context) error {
		var c call
		out, err := l.client.DescribeKey(ctx, in, c.options)
		if err != nil {
			return c.fail(ctx, OpDescribeKey, err)
		}
		switch {
		case out.KeyMetadata == nil || out.KeyMetadata.KeyId == nil:
			return fail(OpDescribeKey, kms.CodeUnknown, errNoMetadata)
		case !printableASCII(*out.KeyMetadata.KeyId):
			return fail(OpDescribeKey, kms.CodeUnknown, errBadServerKeyID)
		case isKeyID(keyRef) && *out.KeyMetadata.KeyId != keyRef:
			return fail(OpDescribeKey, kms.CodeUnknown, errOtherKey)
		}
		md = out.KeyMetadata
		return nil
	})
	return md, err
}
