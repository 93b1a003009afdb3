package awskms_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestDetailFullJoinsAliasesAndTags(t *testing.T) {
	keys := awskmstest.GenerateKeys(250)
	keys[6].DenyDescribe = true
	s, client := setup(t, awskmstest.WithKeys(keys...))
	l := awskms.New(client)
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludeTags}))
	if err != nil || len(got) != len(keys) {
		t.Fatalf("got %d keys, %v", len(got), err)
	}
	for i, k := range got {
		if i == 6 {
			continue
		}
		if k.ID != keys[i].ID || k.DetailErr != nil || k.Detail != kms.DetailFull || !slices.Equal(k.Aliases, keys[i].Aliases) ||
			len(k.Labels) != len(keys[i].Tags) || !k.CreatedAt.Equal(keys[i].Created) {
			t.Fatalf("key %d: got %+v, want %+v", i, k, keys[i])
		}
		var md types.KeyMetadata
		if !k.As(&md) || *md.KeyId != k.ID {
			t.Fatalf("key %d: no *types.KeyMetadata for As", i)
		}
	}
	denied := got[6]
	if denied.ID != keys[6].ID || denied.ARN == "" || !errors.Is(denied.DetailErr, kms.ErrPermissionDenied) ||
		denied.State != kms.StateUnknown || denied.Detail != kms.DetailBasic || !slices.Equal(denied.Aliases, keys[6].Aliases) {
		t.Fatalf("denied key: got %+v, want ID, ARN from ListKeys, its aliases, DetailErr permission denied", denied)
	}
	// One ListAliases pass (84 aliases, 100 a page), tags only for the 249
	// described keys.
	if a, tg := s.Requests(awskms.OpListAliases), s.Requests(awskms.OpListResourceTags); a != 1 || tg != 249 {
		t.Fatalf("ListAliases %d requests, ListResourceTags %d; want 1 and 249", a, tg)
	}
}

func TestDescribesAreBoundedAndInOrder(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(40), awskmstest.WithLatency(20*time.Millisecond))
	l := awskms.New(client, awskms.WithDescribeConcurrency(4))
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull, PageSize: 10}))
	if err != nil || len(got) != 40 {
		t.Fatalf("got %d keys, %v", len(got), err)
	}
	for i, k := range got {
		if k.ID != s.Keys()[i].ID || k.Detail != kms.DetailFull {
			t.Fatalf("key %d: %s (detail %v), want %s described: list order kept", i, k.ID, k.Detail, s.Keys()[i].ID)
		}
	}
	// 4 describes at once at most, plus a page fetched ahead and the alias
	// pass; held 20 ms each, the describes overlap.
	if n := s.MaxInFlight(); n < 2 || n > 4+2 {
		t.Fatalf("%d requests at once, want 2 to 6", n)
	}
}

func TestFilterOnBasicListingDescribes(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(40))
	l := awskms.New(client)
	f := kms.Filter{States: []kms.KeyState{kms.StateDisabled}, Usages: []kms.KeyUsage{kms.UsageEncryptDecrypt}}
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Filter: f}))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, k := range s.Keys() {
		if k.State == "Disabled" && k.Usage == "ENCRYPT_DECRYPT" {
			want = append(want, k.ID)
		}
	}
	var ids []string
	for _, k := range got {
		ids = append(ids, k.ID)
		if k.Detail != kms.DetailBasic || k.State != kms.StateDisabled || k.Spec == "" || k.Aliases != nil {
			t.Fatalf("filtered basic key %+v: want described fields, Detail basic, no aliases", k)
		}
	}
	if len(want) == 0 || !slices.Equal(ids, want) {
		t.Fatalf("got %v, want %v", ids, want)
	}
	if s.Requests(awskms.OpDescribeKey) != 40 || s.Requests(awskms.OpListAliases) != 0 {
		t.Fatalf("describes %d, alias listings %d; want 40 and 0", s.Requests(awskms.OpDescribeKey), s.Requests(awskms.OpListAliases))
	}
}

func TestBasicListingKeepsListEntry(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(3))
	got, err := kmstest.Collect(awskms.New(client).ListKeys(context.Background(), kms.ListOptions{}))
	if err != nil || len(got) != 3 {
		t.Fatalf("got %d keys, %v", len(got), err)
	}
	var e types.KeyListEntry
	if !got[0].As(&e) || *e.KeyId != s.Keys()[0].ID || got[0].Region != "us-east-1" || got[0].Account != "111122223333" {
		t.Fatalf("basic key %+v", got[0])
	}
	if s.Requests(awskms.OpDescribeKey) != 0 {
		t.Fatal("a basic listing described keys")
	}
}

func TestThrottlingIsAbsorbed(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(60), awskmstest.WithRateLimit(awskms.OpDescribeKey, 100, 5))
	l := awskms.New(client, awskms.WithOperationRateLimit(awskms.OpDescribeKey, 2000, 100),
		awskms.WithRetry(pagination.Retry{MaxAttempts: 30, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}))
	got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
	if err != nil || len(got) != 60 {
		t.Fatalf("got %d keys, %v", len(got), err)
	}
	for _, k := range got {
		if k.DetailErr != nil {
			t.Fatalf("key %s: throttling surfaced: %v", k.ID, k.DetailErr)
		}
	}
	if s.Throttled(awskms.OpDescribeKey) == 0 {
		t.Fatal("the emulator throttled nothing; the test proves nothing")
	}
}

func TestMisbehavingMarkers(t *testing.T) {
	_, client := setup(t, awskmstest.WithGeneratedKeys(10), awskmstest.WithRepeatedMarkers())
	_, err := kmstest.Collect(awskms.New(client).ListKeys(context.Background(), kms.ListOptions{PageSize: 3}))
	var ke *kms.Error
	if !errors.Is(err, pagination.ErrRepeatedToken) || !errors.As(err, &ke) || ke.Provider != kms.ProviderAWS || ke.Op != awskms.OpListKeys {
		t.Fatalf("repeated marker: got %v, want ErrRepeatedToken in an aws ListKeys *kms.Error", err)
	}
	_, client = setup(t, awskmstest.WithGeneratedKeys(10), awskmstest.WithEmptyPages())
	got, err := kmstest.Collect(awskms.New(client).ListKeys(context.Background(), kms.ListOptions{PageSize: 3}))
	if err != nil || len(got) != 10 {
		t.Fatalf("empty truncated pages: got %d keys, %v", len(got), err)
	}
}

func TestListKeyVersions(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(9))
	l := awskms.New(client)
	k := s.Keys()[8] // symmetric, two rotations
	for _, ref := range []string{k.ID, "arn:aws:kms:us-east-1:111122223333:key/" + k.ID} {
		vs, err := kmstest.Collect(l.ListKeyVersions(context.Background(), ref, kms.ListOptions{PageSize: 2}))
		if err != nil || len(vs) != 3 || !vs[2].Primary || vs[0].Primary || vs[2].RotationType != "ON_DEMAND" || vs[0].State != kms.VersionEnabled {
			t.Fatalf("%s: got %+v, %v", ref, vs, err)
		}
		var e types.RotationsListEntry
		if !vs[1].As(&e) || *e.KeyMaterialId != vs[1].ID {
			t.Fatal("no *types.RotationsListEntry for As")
		}
	}
	aliased := s.Keys()[0] // symmetric, alias/demo-0
	vs, err := kmstest.Collect(l.ListKeyVersions(context.Background(), aliased.Aliases[0], kms.ListOptions{}))
	if err != nil || len(vs) != len(aliased.Materials) || vs[0].KeyID != aliased.ID {
		t.Fatalf("by alias: got %+v, %v", vs, err)
	}
	_, err = kmstest.Collect(l.ListKeyVersions(context.Background(), s.Keys()[2].ID, kms.ListOptions{})) // RSA: no rotation
	if !errors.Is(err, kms.ErrUnsupported) {
		t.Fatalf("asymmetric key: got %v, want ErrUnsupported", err)
	}
}

func TestLimiterIsSharedAndAdjustable(t *testing.T) {
	_, client := setup(t)
	l := awskms.New(client)
	for op, q := range awskms.DefaultQuotas {
		if got := l.Limiter(op).Limit(); got != q {
			t.Errorf("%s: limit %v, want %v", op, got, q)
		}
	}
	l.Limiter(awskms.OpDescribeKey).SetLimit(10)
	if l.Limiter(awskms.OpDescribeKey).Limit() != 10 || l.Limiter("Encrypt") != nil {
		t.Fatal("Limiter is not adjustable, or knows an unknown op")
	}
	if l.Provider() != kms.ProviderAWS {
		t.Fatal("Provider")
	}
}

func TestIteratorsOfOneListerShareTheQuota(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(3))
	// One ListKeys request now, the next in 1,000 seconds.
	l := awskms.New(client, awskms.WithOperationRateLimit(awskms.OpListKeys, 0.001, 1))
	first, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
	if err != nil || len(first) != 3 {
		t.Fatalf("first listing: %d keys, %v", len(first), err)
	}
	// The second listing's iterator draws on the same budget: its request
	// would miss the deadline, so it is refused at once, unsent.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := kmstest.Collect(l.ListKeys(ctx, kms.ListOptions{})); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second listing: got %v, want context.DeadlineExceeded from the shared limiter", err)
	}
	if n := s.Requests(awskms.OpListKeys); n != 1 {
		t.Fatalf("%d ListKeys requests, want 1", n)
	}
}

func TestCustomKeyStoreKeys(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(20))
	l := awskms.New(client)
	hsm, ext := s.Keys()[11], s.Keys()[16]
	got, err := l.DescribeKey(context.Background(), hsm.ID)
	if err != nil || got.Origin != "AWS_CLOUDHSM" || got.Protection != kms.ProtectionHSM || got.KeyStore != hsm.CustomKeyStoreID {
		t.Fatalf("CloudHSM key: %+v, %v", got, err)
	}
	var md types.KeyMetadata
	if !got.As(&md) || md.CustomKeyStoreId == nil || *md.CustomKeyStoreId != hsm.CustomKeyStoreID {
		t.Fatalf("CloudHSM key: CustomKeyStoreId not kept")
	}
	keys, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{
		Filter: kms.Filter{Protections: []kms.ProtectionLevel{kms.ProtectionExternal}}}))
	if err != nil || len(keys) != 1 || keys[0].ID != ext.ID || keys[0].NativeProtection != "EXTERNAL_KEY_STORE" ||
		keys[0].KeyStore != ext.CustomKeyStoreID {
		t.Fatalf("external key store filter: %+v, %v", keys, err)
	}
	if _, err := kmstest.Collect(l.ListKeyVersions(context.Background(), hsm.ID, kms.ListOptions{})); !errors.Is(err, kms.ErrUnsupported) {
		t.Fatalf("versions of a custom key store key: got %v, want ErrUnsupported", err)
	}
}
