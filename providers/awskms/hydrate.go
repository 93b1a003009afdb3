package awskms

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// hydrator describes the keys of one listing and, for DetailFull, joins
// tags and aliases. It runs as two pagination.Map stages: hydrate
// (DescribeKey, ListResourceTags) and join (aliases), so that no describe
// waits for the ListAliases pass: join starts the pass on its first key and
// the describes of the next pages go on meanwhile.
type hydrator struct {
	l       *Lister
	opts    kms.ListOptions
	aliases aliasJoin
}

// hydrate describes k, and lists its tags for DetailFull with Tags. A failed
// describe keeps k as ListKeys gave it, the reason in DetailErr, whatever
// the filter (it cannot be decided).
func (h *hydrator) hydrate(ctx context.Context, k kms.Key) (kms.Key, bool) {
	md, err := h.l.describe(ctx, k.ID, h.l.retry)
	if err != nil {
		k.DetailErr = err
		return k, true
	}
	full := fromMetadata(md)
	if !h.opts.Filter.Match(full) {
		return kms.Key{}, false
	}
	if h.opts.Detail != kms.DetailFull {
		full.Detail = kms.DetailBasic // described to filter; no aliases or tags
		return full, true
	}
	if h.opts.Include.Has(kms.IncludeTags) {
		tags, err := h.l.loadTags(ctx, full.ID)
		if err == nil {
			full = withTags(full, tags)
		}
		full.DetailErr = err
	}
	return full, true
}

// join adds k's aliases from the listing's ListAliases pass; a failed pass
// goes into DetailErr.
func (h *hydrator) join(ctx context.Context, k kms.Key) (kms.Key, bool) {
	aliases := h.aliases.get(ctx, h.l.loadAliases)
	aliases.wait()
	if aliases.err != nil {
		k.DetailErr = errors.Join(k.DetailErr, aliases.err)
		return k, true
	}
	return withAliases(k, aliases.byKey[k.ID]), true
}

// aliasFuture is one ListAliases pass over the account, run once per listing.
type aliasFuture struct {
	done  chan struct{}
	byKey map[string][]types.AliasListEntry
	err   error
}

func (f *aliasFuture) wait() { <-f.done }

// cutShort reports whether the pass ended by cancellation.
func (f *aliasFuture) cutShort() bool {
	select {
	case <-f.done:
		return errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)
	default:
		return false
	}
}

// aliasJoin runs the ListAliases pass of a listing once, in the first join
// that needs it (the other joins wait for it, the describes go on), and
// again only if a pass was cut short by cancellation.
type aliasJoin struct {
	mu  sync.Mutex
	cur *aliasFuture
}

func (a *aliasJoin) get(ctx context.Context, load func(context.Context) (map[string][]types.AliasListEntry, error)) *aliasFuture {
	a.mu.Lock()
	if f := a.cur; f != nil && !f.cutShort() {
		a.mu.Unlock()
		return f
	}
	f := &aliasFuture{done: make(chan struct{})}
	a.cur = f
	a.mu.Unlock()
	f.byKey, f.err = load(ctx)
	close(f.done)
	return f
}

// loadAliases lists every alias of the account (ListAliases, 100 a page)
// and groups them by target key.
func (l *Lister) loadAliases(ctx context.Context) (map[string][]types.AliasListEntry, error) {
	entries, err := drain(ctx, l, OpListAliases, OpListAliases, 100,
		func(ctx context.Context, marker string, limit int) ([]types.AliasListEntry, string, bool, error) {
			out, err := page(ctx, OpListAliases, marker, limit, func(m *string, n *int32) (*kmssdk.ListAliasesOutput, error) {
				return l.client.ListAliases(ctx, &kmssdk.ListAliasesInput{Marker: m, Limit: n}, noSDKRetry)
			})
			if err != nil {
				return nil, "", false, err
			}
			return out.Aliases, aws.ToString(out.NextMarker), out.Truncated, nil
		})
	byKey := map[string][]types.AliasListEntry{}
	for _, a := range entries {
		if a.TargetKeyId != nil {
			byKey[*a.TargetKeyId] = append(byKey[*a.TargetKeyId], a)
		}
	}
	return byKey, err
}

// loadTags lists the tags of one key (ListResourceTags, 50 a page).
func (l *Lister) loadTags(ctx context.Context, keyID string) ([]types.Tag, error) {
	return drain(ctx, l, OpListResourceTags, OpListResourceTags+"/"+keyID, 50,
		func(ctx context.Context, marker string, limit int) ([]types.Tag, string, bool, error) {
			out, err := page(ctx, OpListResourceTags, marker, limit, func(m *string, n *int32) (*kmssdk.ListResourceTagsOutput, error) {
				return l.client.ListResourceTags(ctx, &kmssdk.ListResourceTagsInput{KeyId: aws.String(keyID), Marker: m, Limit: n}, noSDKRetry)
			})
			if err != nil {
				return nil, "", false, err
			}
			return out.Tags, aws.ToString(out.NextMarker), out.Truncated, nil
		})
}

// drain runs a whole marker listing of op in the calling goroutine, under
// the engine's retry, loop guard and op's limiter.
func drain[T any](ctx context.Context, l *Lister, op, scope string, size int, fetch pagination.MarkerFunc[T]) ([]T, error) {
	it := pagination.ByMarker(ctx, fetch, pagination.Options{
		PageSize: size, Scope: l.scope + "/" + scope, Prefetch: -1, Retry: l.retry, Limiter: l.limiters[op],
	})
	return pagination.Collect(it)
}
