package alibabakms

import (
	"context"
	"strings"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// ListKeyVersions lists the versions of a key (ID, alias or ARN) with
// ListKeyVersions, by page number from 1.
//
// PageSize must be 0 (the cloud's default, 10) to 100. The reference gives
// the odd range 0..101 for this call; 0 is what ListOptions already means
// by "the default", and 101 is one past every other page limit of the API
// (ListKeys takes 1..100), so the adapter accepts the range both calls
// document alike rather than rely on an undocumented-looking edge.
//
// The versions carry no state (Alibaba versions have none). To mark the
// primary version and give the algorithm and protection, the key is
// described once per listing, with the first version; if that describe
// fails, the versions come without those fields. Versions keep their
// alikms.KeyVersion for KeyVersion.As.
//
// The call has no filter and one level of detail: a Filter, an Include or
// DetailFull is refused (ErrInvalidArgument naming it) rather than ignored.
func (l *Lister) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	const op = "ListKeyVersions"
	if err := l.checkVersions(op, keyRef, opts); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	ctx = withSlots(ctx, l.conc)
	fetch := func(ctx context.Context, page, size int) ([]kms.KeyVersion, int, error) {
		req := alikms.CreateListKeyVersionsRequest()
		req.KeyId = keyRef
		req.PageNumber = requests.NewInteger(page)
		req.PageSize = requests.NewInteger(size)
		resp, err := invoke(ctx, l.once, op, req, l.client.ListKeyVersions)
		if err != nil {
			return nil, 0, err
		}
		if resp.RequestId == "" {
			return nil, 0, malformed(op, "no RequestId")
		}
		vs := pagination.PageBuffer[kms.KeyVersion](ctx, len(resp.KeyVersions.KeyVersion))
		for i, v := range resp.KeyVersions.KeyVersion {
			if !validKeyID(v.KeyVersionId) {
				return nil, 0, malformed(op, "version %d of page %d has no valid KeyVersionId", i+1, page)
			}
			vs[i] = versionOf(v)
		}
		return vs, resp.TotalCount, nil
	}
	it := pagination.ByPageNumber(ctx, fetch, l.pageOptions(op, keyRef, opts))
	var (
		once sync.Once
		key  kms.Key
		kerr error
	)
	return pagination.Map(it, 1, func(ctx context.Context, v kms.KeyVersion) (kms.KeyVersion, bool) {
		once.Do(func() { key, kerr = l.describe(ctx, keyRef) })
		if kerr == nil {
			v = withKey(v, key)
		}
		return v, true
	})
}

// DescribeKeyVersion returns one version of a key (ID, alias or ARN), with
// the key's algorithm and protection and whether it is the primary version
// (a DescribeKey besides DescribeKeyVersion).
func (l *Lister) DescribeKeyVersion(ctx context.Context, keyRef, versionID string) (kms.KeyVersion, error) {
	const op = "DescribeKeyVersion"
	if l.err != nil {
		return kms.KeyVersion{}, l.err
	}
	if err := checkRef(op, keyRef); err != nil {
		return kms.KeyVersion{}, err
	}
	if strings.TrimSpace(versionID) == "" || !validKeyID(versionID) {
		return kms.KeyVersion{}, kms.InvalidArgument(provider, op, "versionID",
			"must be a version ID (letters, digits, - and _, at most %d characters)", maxKeyIDLen)
	}
	req := alikms.CreateDescribeKeyVersionRequest()
	req.KeyId, req.KeyVersionId = keyRef, versionID
	resp, err := invoke(ctx, l.call, op, req, l.client.DescribeKeyVersion)
	if err != nil {
		return kms.KeyVersion{}, err
	}
	key, err := l.describe(ctx, keyRef)
	if err != nil {
		return kms.KeyVersion{}, err
	}
	return withKey(versionOf(resp.KeyVersion), key), nil
}

// checkVersions validates a ListKeyVersions call before any request.
func (l *Lister) checkVersions(op, keyRef string, opts kms.ListOptions) error {
	if l.err != nil {
		return l.err
	}
	if err := opts.ValidateVersions(provider, op, MaxPageSize); err != nil {
		return err
	}
	return checkRef(op, keyRef)
}

func versionOf(v alikms.KeyVersion) kms.KeyVersion {
	kv := kms.KeyVersion{Provider: provider, KeyID: v.KeyId, ID: v.KeyVersionId}
	var p fieldParser
	kv.CreatedAt = p.time("CreationDate", v.CreationDate)
	return kv.WithNative(v)
}

// withKey completes v with what its key tells.
func withKey(v kms.KeyVersion, k kms.Key) kms.KeyVersion {
	v.Primary = v.ID == k.PrimaryVersion
	v.Algorithm = k.Spec
	v.Protection = k.Protection
	return v
}
