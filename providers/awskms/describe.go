package awskms

import (
	"context"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// The shapes of a key reference, as the KMS API documents them.
var (
	keyIDRe    = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)
	aliasRe    = regexp.MustCompile(`^alias/[a-zA-Z0-9:/_-]{1,250}$`)
	arnRe      = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/(.+)|(alias/.+))$`)
	refExample = "a key ID (1234abcd-12ab-34cd-56ef-1234567890ab or mrk-...), key ARN, alias/<name> or alias ARN"
)

// refKind tells what a valid key reference is.
type refKind int

const (
	refKeyID refKind = iota + 1
	refKeyARN
	refAlias
	refAliasARN
)

// checkKeyRef validates a key reference client-side: length 1..2048 and one
// of the four shapes.
func checkKeyRef(op, ref string) (refKind, error) {
	if n := len(ref); n < 1 || n > MaxKeyRefLen {
		return 0, kms.InvalidArgument(kms.ProviderAWS, op, "keyRef", "length must be 1..%d, got %d", MaxKeyRefLen, n)
	}
	switch {
	case keyIDRe.MatchString(ref):
		return refKeyID, nil
	case aliasRe.MatchString(ref):
		return refAlias, nil
	}
	if m := arnRe.FindStringSubmatch(ref); m != nil {
		if m[2] != "" && keyIDRe.MatchString(m[2]) {
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
		return kms.InvalidArgument(kms.ProviderAWS, OpDescribeKey, "GrantTokens", "at most %d, got %d", MaxGrantTokens, len(tokens))
	}
	for i, t := range tokens {
		if len(t) < 1 || len(t) > MaxGrantTokenLen {
			return kms.InvalidArgument(kms.ProviderAWS, OpDescribeKey, "GrantTokens", "token %d: length must be 1..%d, got %d", i, MaxGrantTokenLen, len(t))
		}
	}
	return nil
}

// DescribeKey describes one key by key ID, key ARN, alias name (alias/...)
// or alias ARN, checked client-side first. The key carries DescribeKey's
// metadata (Detail is DetailFull; aliases and tags are not joined here) and
// keeps *types.KeyMetadata for Key.As.
func (l *Lister) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	if l.optErr != nil {
		return kms.Key{}, l.optErr
	}
	if _, err := checkKeyRef(OpDescribeKey, keyRef); err != nil {
		return kms.Key{}, err
	}
	md, err := l.describe(ctx, keyRef, l.retry)
	if err != nil {
		return kms.Key{}, err
	}
	return fromMetadata(md), nil
}

// describe calls DescribeKey under retry r and the DescribeKey limiter.
func (l *Lister) describe(ctx context.Context, keyRef string, r pagination.Retry) (*types.KeyMetadata, error) {
	in := &kmssdk.DescribeKeyInput{KeyId: aws.String(keyRef), GrantTokens: l.grantTokens}
	var md *types.KeyMetadata
	err := pagination.Call(ctx, r, l.limiters[OpDescribeKey], func(ctx context.Context) error {
		out, err := l.client.DescribeKey(ctx, in, noSDKRetry)
		if err != nil {
			return mapError(ctx, OpDescribeKey, err)
		}
		if out.KeyMetadata == nil || out.KeyMetadata.KeyId == nil {
			return kms.NewError(kms.ProviderAWS, OpDescribeKey, kms.CodeUnknown, errNoMetadata)
		}
		md = out.KeyMetadata
		return nil
	})
	return md, err
}
