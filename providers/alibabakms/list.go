package alibabakms

import (
	"context"
	"sync/atomic"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/arnprefix"
	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// ListKeys lists the keys of the account and region with ListKeys, by page
// number; pages after the first are fetched concurrently once the total is
// known. PageSize must be 0 (the cloud's default, 10) to 100.
//
// The Filter's states, usages, protection levels and specs are sent as the
// Filters parameter; the Lister's creator types and KMS instances are added
// to it. Origins, and specs the parameter does not know, are matched
// client-side after each key is described (one DescribeKey per key, even
// with DetailBasic); a key whose describe failed is kept, with DetailErr.
//
// With DetailFull every key is described (DescribeKey, which also gives
// its rotation) and its aliases joined: from one account-wide ListAliases
// pass when its pages are no more than the keys to list, else one
// ListAliasesByKeyId per key (see the package doc). Include adds, key by
// key: IncludeTags its tags (ListResourceTags), IncludeRotation nothing
// more than the describe, IncludePolicy its key policy and IncludeAccess
// the Allow statements of it (GetKeyPolicy, for keys in a KMS instance
// only: other keys have no key policy and get none, without a request).
// An Include on a DetailBasic listing describes the keys too; they stay
// DetailBasic. A failure leaves the key in the listing with DetailErr set
// (a key whose describe failed stays as ListKeys gave it, DetailBasic),
// one error per failed request. Keys keep their alikms.Key and, once
// described, their alikms.KeyMetadata for Key.As.
func (l *Lister) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	const op = "ListKeys"
	pd, err := l.checkList(op, opts)
	if err != nil {
		return pagination.Err[kms.Key](err)
	}
	ctx = withSlots(ctx, l.conc)
	var total atomic.Int64 // the latest TotalCount, for the alias plan
	fetch := func(ctx context.Context, page, size int) ([]kms.Key, int, error) {
		if pd.none {
			return nil, 0, nil
		}
		req := alikms.CreateListKeysRequest()
		req.PageNumber = requests.NewInteger(page)
		req.PageSize = requests.NewInteger(size)
		req.Filters = pd.filters
		resp, err := invoke(ctx, l.once, op, req, l.client.ListKeys)
		if err != nil {
			return nil, 0, err
		}
		if resp.RequestId == "" {
			return nil, 0, malformed(op, "no RequestId")
		}
		keys := pagination.PageBuffer[kms.Key](ctx, len(resp.Keys.Key))
		var arns arnprefix.Cache // pages are fetched concurrently: one each
		for i := range resp.Keys.Key {
			if !validKeyID(resp.Keys.Key[i].KeyId) {
				return nil, 0, malformed(op, "key %d of page %d has no valid KeyId", i+1, page)
			}
			setListed(&keys[i], &resp.Keys.Key[i], &arns)
		}
		total.Store(int64(resp.TotalCount))
		return keys, resp.TotalCount, nil
	}
	it := pagination.ByPageNumber(ctx, fetch, l.pageOptions(op, pd.filters+"|"+pd.residual.String(), opts))
	plan := &aliasPlan{l: l, asked: opts.Detail == kms.DetailFull, keys: func() int {
		n := int(total.Load())
		if opts.MaxItems > 0 {
			n = min(n, opts.MaxItems)
		}
		return n
	}}
	return hydrate.Pipeline(it, opts, l.steps(pd.residual, plan), l.hydrateConfig())
}

// hydrateConfig is how the Lister's keys are hydrated.
func (l *Lister) hydrateConfig() hydrate.Config {
	return hydrate.Config{Concurrency: l.keys, Observer: l.observer, Scope: l.scopeName()}
}

// checkList validates the options before any request and builds the
// Filters parameter.
func (l *Lister) checkList(op string, opts kms.ListOptions) (pushdown, error) {
	if l.err != nil {
		return pushdown{}, l.err
	}
	if err := opts.Validate(provider, op, MaxPageSize); err != nil {
		return pushdown{}, err
	}
	pd, err := buildPushdown(opts.Filter, l.settings.creatorTypes, l.settings.instances)
	if err != nil {
		return pushdown{}, kms.InvalidArgument(provider, op, "Filter", "%v", err)
	}
	return pd, nil
}

// setListed fills the zero key from an entry of ListKeys: ID and ARN, in
// place (a page of keys is large: no copies). It keeps the native entry by
// pointer (Key.As fills an alikms.Key or *alikms.Key), which allocates
// nothing.
func setListed(key *kms.Key, k *alikms.Key, arns *arnprefix.Cache) {
	key.Provider, key.ID, key.ARN = provider, k.KeyId, k.KeyArn
	key.Region, key.Account = arns.RegionAccount(k.KeyArn, splitARN)
	key.AddNative(k)
}
