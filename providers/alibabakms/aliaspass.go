package alibabakms

import (
	"context"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// aliasPlan chooses, once per DetailFull listing, how its keys' aliases
// are fetched: one ListAliasesByKeyId per key, or one account-wide
// ListAliases pass (100 aliases a page) joined into every key, whichever
// sends fewer requests under the shared quota. The choice is made as the
// first key is described, from the first ListKeys page's TotalCount (the
// keys to hydrate, at most MaxItems) and the first ListAliases page's
// TotalCount (the aliases of the account): the pass when its pages are no
// more than the keys. That first ListAliases page is the pass's own first
// page; with fewer than two keys to hydrate no ListAliases is sent.
type aliasPlan struct {
	l     *Lister
	asked bool       // DetailFull: the listing joins aliases
	keys  func() int // the keys the listing is to hydrate
	mu    sync.Mutex
	done  bool
	pass  bool
	first *alikms.ListAliasesResponse
}

// decide makes the choice, once; a failed ListAliases (a RAM policy that
// denies it, say) leaves the aliases per key.
func (p *aliasPlan) decide(ctx context.Context) {
	if !p.asked {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	n := p.keys()
	if n < 2 {
		return
	}
	resp, err := p.l.aliasPage(ctx, p.l.call, 1)
	if err != nil {
		return
	}
	pages := max(1, (resp.TotalCount+MaxPageSize-1)/MaxPageSize)
	p.pass, p.first = pages <= n, resp
}

// usePass reports whether the aliases come from the pass.
func (p *aliasPlan) usePass() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pass
}

// load runs the pass (hydrate.Pass.Load): every alias of the account, by
// key. Without the pass it joins nothing.
func (p *aliasPlan) load(ctx context.Context) (func(*kms.Key), error) {
	if !p.usePass() {
		return func(*kms.Key) {}, nil
	}
	const op = "ListAliases"
	fetch := func(ctx context.Context, page, size int) ([]alikms.Alias, int, error) {
		resp := p.first
		if page != 1 || size != MaxPageSize {
			var err error
			if resp, err = p.l.aliasPage(ctx, p.l.once, page); err != nil {
				return nil, 0, err
			}
		}
		return resp.Aliases.Alias, resp.TotalCount, nil
	}
	byKey := map[string][]string{}
	it := pagination.ByPageNumber(ctx, fetch, pagination.Options{
		PageSize: MaxPageSize, Concurrency: p.l.pages, Retry: p.l.retry, Limiter: p.l.limiter, Op: op, Observer: p.l.observer,
		WrapErr: func(err error) error { return kms.WrapEngineError(provider, op, err) },
	})
	for a, err := range it.All() {
		if err != nil {
			return nil, err
		}
		byKey[a.KeyId] = append(byKey[a.KeyId], a.AliasName)
	}
	return func(k *kms.Key) { k.Aliases = byKey[k.ID] }, nil
}

// aliasPage fetches page of ListAliases, 100 aliases a page, through run
// (Lister.call alone, Lister.once under the engine).
func (l *Lister) aliasPage(ctx context.Context, run func(context.Context, string, headered, func() error) error, page int) (*alikms.ListAliasesResponse, error) {
	const op = "ListAliases"
	req := alikms.CreateListAliasesRequest()
	req.PageNumber = requests.NewInteger(page)
	req.PageSize = requests.NewInteger(MaxPageSize)
	resp, err := invoke(ctx, run, op, req, l.client.ListAliases)
	if err != nil {
		return nil, err
	}
	if resp.RequestId == "" {
		return nil, malformed(op, "no RequestId")
	}
	return resp, nil
}
