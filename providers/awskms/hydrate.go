package awskms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// AWS page sizes of the per-key and account-wide listings.
const (
	aliasPageSize = 100 // ListAliases: Limit 1..100
	tagPageSize   = 50  // ListResourceTags: Limit 1..50
)

// listSteps are this cloud's steps of the hydrate pipeline for a listing:
// DescribeKey, the Filter (ListKeys cannot filter), the extras the Include
// asks for and one ListAliases pass over the account, joined by
// TargetKeyId.
func (l *Lister) listSteps(opts kms.ListOptions) hydrate.Steps {
	return hydrate.Steps{
		Describe:   func(ctx context.Context, k kms.Key) (kms.Key, error) { return l.describeKey(ctx, k.ID) },
		DescribeOp: OpDescribeKey,
		Residual:   opts.Filter,
		Extras:     l.extras(opts.Include),
		Passes: []hydrate.Pass{{Op: OpListAliases, Load: func(ctx context.Context) (func(*kms.Key), error) {
			byKey, err := l.loadAliases(ctx)
			return func(k *kms.Key) { *k = withAliases(*k, byKey[k.ID]) }, err
		}}},
	}
}

// oneSteps are the steps of DescribeKey: the extras include asks for, and
// the aliases of the one key (ListAliases with its KeyId) rather than of
// the whole account.
func (l *Lister) oneSteps(include kms.Include) hydrate.Steps {
	return hydrate.Steps{
		Extras: append(l.extras(include), hydrate.Extra{Op: OpListAliases, Fetch: func(ctx context.Context, k *kms.Key) error {
			entries, err := l.listAliases(ctx, k.ID)
			if err == nil {
				*k = withAliases(*k, entries)
			}
			return err
		}}),
	}
}

func (l *Lister) tagsExtra() hydrate.Extra {
	return hydrate.Extra{Include: kms.IncludeTags, Op: OpListResourceTags, Fetch: func(ctx context.Context, k *kms.Key) error {
		tags, err := l.loadTags(ctx, k.ID)
		if err == nil {
			*k = withTags(*k, tags)
		}
		return err
	}}
}

func (l *Lister) hydrateConfig() hydrate.Config {
	return hydrate.Config{Concurrency: l.concurrency, Observer: l.observer, Scope: l.scope}
}

// loadAliases lists every alias of the account (ListAliases, 100 a page)
// and groups them by target key.
func (l *Lister) loadAliases(ctx context.Context) (map[string][]types.AliasListEntry, error) {
	entries, err := l.listAliases(ctx, "")
	byKey := map[string][]types.AliasListEntry{}
	for _, a := range entries {
		if a.TargetKeyId != nil {
			byKey[*a.TargetKeyId] = append(byKey[*a.TargetKeyId], a)
		}
	}
	return byKey, err
}

// listAliases lists the aliases of the account, or of one key when keyID
// is set.
func (l *Lister) listAliases(ctx context.Context, keyID string) ([]types.AliasListEntry, error) {
	var id *string
	scope := OpListAliases
	if keyID != "" {
		id, scope = aws.String(keyID), OpListAliases+"/"+keyID
	}
	return drain(ctx, l, OpListAliases, scope, aliasPageSize,
		func(ctx context.Context, marker string, limit int) ([]types.AliasListEntry, string, bool, error) {
			out, err := page(ctx, OpListAliases, marker, limit, func(m *string, n *int32, c *call) (*kmssdk.ListAliasesOutput, error) {
				return l.client.ListAliases(ctx, &kmssdk.ListAliasesInput{KeyId: id, Marker: m, Limit: n}, c.options)
			})
			if err != nil {
				return nil, "", false, err
			}
			next, err := nextMarker(OpListAliases, out.NextMarker, out.Truncated)
			return out.Aliases, next, out.Truncated, err
		})
}

// loadTags lists the tags of one key (ListResourceTags, 50 a page).
func (l *Lister) loadTags(ctx context.Context, keyID string) ([]types.Tag, error) {
	return drain(ctx, l, OpListResourceTags, OpListResourceTags+"/"+keyID, tagPageSize,
		func(ctx context.Context, marker string, limit int) ([]types.Tag, string, bool, error) {
			out, err := page(ctx, OpListResourceTags, marker, limit, func(m *string, n *int32, c *call) (*kmssdk.ListResourceTagsOutput, error) {
				return l.client.ListResourceTags(ctx, &kmssdk.ListResourceTagsInput{KeyId: aws.String(keyID), Marker: m, Limit: n}, c.options)
			})
			if err != nil {
				return nil, "", false, err
			}
			next, err := nextMarker(OpListResourceTags, out.NextMarker, out.Truncated)
			return out.Tags, next, out.Truncated, err
		})
}

// drain runs a whole marker listing of op in the calling goroutine, under
// the engine's retry, loop guard and op's limiter.
func drain[T any](ctx context.Context, l *Lister, op, scope string, size int, fetch pagination.MarkerFunc[T]) ([]T, error) {
	it := pagination.ByMarker(ctx, fetch, pagination.Options{
		PageSize: size, Scope: l.scope + "/" + scope, Prefetch: -1, Retry: l.retry, Limiter: l.limiters[op],
		Op: op, Observer: l.observer,
		WrapErr: func(err error) error { return kms.WrapEngineError(kms.ProviderAWS, op, err) },
	})
	return pagination.Collect(it)
}
