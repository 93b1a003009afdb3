package kmstest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
)

var (
	states = []kms.KeyState{kms.StateEnabled, kms.StateDisabled, kms.StateEnabled, kms.StatePendingDeletion}
	usages = []kms.KeyUsage{kms.UsageEncryptDecrypt, kms.UsageEncryptDecrypt, kms.UsageSignVerify}
	specs  = []string{"SYMMETRIC_DEFAULT", "RSA_2048", "ECC_NIST_P256"}
)

// sampleKeys returns n keys with varied states, usages and specs.
func sampleKeys(n int) []kms.Key {
	keys := make([]kms.Key, n)
	for i := range keys {
		id := fmt.Sprintf("key-%02d", i)
		keys[i] = kms.Key{
			ID:         id,
			ARN:        "arn:aws:kms:eu-west-1:111122223333:key/" + id,
			State:      states[i%len(states)],
			Usage:      usages[i%len(usages)],
			Spec:       specs[i%len(specs)],
			Protection: kms.ProtectionSoftware,
			CreatedAt:  time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC),
		}
		withExtras(&keys[i], i)
	}
	return keys
}

// withExtras gives key i of sampleKeys the extras: labels on every other
// key, rotation by usage, a policy and access on every third key.
func withExtras(k *kms.Key, i int) {
	if i%2 == 0 {
		k.Labels = map[string]string{"team": fmt.Sprint("t", i)}
	}
	switch {
	case k.Usage == kms.UsageSignVerify:
		k.AutomaticRotation = kms.RotationUnsupported
	case i%4 == 0:
		k.AutomaticRotation, k.RotationPeriod = kms.RotationEnabled, 365*24*time.Hour
		k.NextRotationAt = time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC)
	default:
		k.AutomaticRotation = kms.RotationDisabled
	}
	if i%3 == 0 {
		k.Policy = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt"}]}`
		k.Access = []kms.Access{
			{Principal: "*", Actions: []string{"kms:Decrypt"}, Source: kms.AccessFromPolicy},
			{Principal: "arn:aws:iam::111122223333:role/app", PrincipalType: "Grantee", Actions: []string{"Decrypt"}, Source: kms.AccessFromGrant, Conditional: true},
		}
	}
}

func sampleVersions() map[string][]kms.KeyVersion {
	return map[string][]kms.KeyVersion{
		"key-00": {
			{KeyID: "key-00", ID: "v1", State: kms.VersionEnabled},
			{KeyID: "key-00", ID: "v2", State: kms.VersionEnabled},
			{KeyID: "key-00", ID: "v3", State: kms.VersionEnabled, Primary: true},
		},
		"key-03": {{KeyID: "key-03", ID: "v1", State: kms.VersionDestroyed, Primary: true}},
	}
}

func TestFakeConformance(t *testing.T) {
	for _, shape := range []kmstest.Shape{kmstest.ByMarker, kmstest.ByPageNumber, kmstest.ByPageToken} {
		t.Run(shape.String(), func(t *testing.T) {
			kmstest.RunConformance(t, kmstest.Harness{Setup: func(t *testing.T) kmstest.Fixture {
				f := kmstest.NewFake(sampleKeys(14), kmstest.WithShape(shape), kmstest.WithProvider(kms.ProviderAWS),
					kmstest.WithMaxPageSize(20), kmstest.WithVersions(sampleVersions()),
					kmstest.WithDeniedExtra("key-06", kmstest.AllExtras)) // a key whose extras are all refused
				return kmstest.Fixture{
					Lister:        f,
					Keys:          f.Keys(),
					Versions:      f.Versions(),
					MissingKeyRef: "key-99",
					MaxPageSize:   f.MaxPageSize(),
					Requests:      f.Calls,
					Extras:        kmstest.AllExtras,
				}
			}})
		})
	}
}

func ids(t *testing.T, it *pagination.Iterator[kms.Key]) ([]string, error) {
	t.Helper()
	var out []string
	for k, err := range it.All() {
		if err != nil {
			return out, err
		}
		out = append(out, k.ID)
	}
	return out, nil
}

func TestFakeFailure(t *testing.T) {
	boom := errors.New("boom")
	f := kmstest.NewFake(sampleKeys(6), kmstest.WithFailure(2, boom), kmstest.WithPrefetch(-1))
	got, err := ids(t, f.ListKeys(context.Background(), kms.ListOptions{PageSize: 2}))
	if !errors.Is(err, boom) || len(got) != 2 {
		t.Fatalf("got %v, %v; want 2 keys then boom", got, err)
	}
	if n := f.Calls(); n != 2 {
		t.Errorf("Calls() = %d, want 2", n)
	}
}

func TestFakeThrottleIsRetried(t *testing.T) {
	for _, shape := range []kmstest.Shape{kmstest.ByMarker, kmstest.ByPageNumber, kmstest.ByPageToken} {
		f := kmstest.NewFake(sampleKeys(6), kmstest.WithShape(shape), kmstest.WithThrottle(2),
			kmstest.WithPrefetch(-1), kmstest.WithConcurrency(1))
		got, err := ids(t, f.ListKeys(context.Background(), kms.ListOptions{PageSize: 2}))
		if err != nil || len(got) != 6 {
			t.Fatalf("%v: got %v, %v; want all 6 keys", shape, got, err)
		}
		if n := f.CallsTo("ListKeys"); n != 4 {
			t.Errorf("%v: CallsTo(ListKeys) = %d, want 4 (3 pages and one retry)", shape, n)
		}
	}
}

func TestFakeThrottleError(t *testing.T) {
	f := kmstest.NewFake(sampleKeys(2), kmstest.WithProvider(kms.ProviderAWS), kmstest.WithThrottle(1),
		kmstest.WithRetry(pagination.Retry{MaxAttempts: 1}))
	_, err := f.DescribeKey(context.Background(), "key-00")
	var kerr *kms.Error
	if !errors.Is(err, kms.ErrThrottled) || !errors.As(err, &kerr) || kerr.Provider != kms.ProviderAWS || kerr.Op != "DescribeKey" {
		t.Fatalf("got %v, want a throttled aws DescribeKey kms.Error", err)
	}
	if _, err := f.DescribeKey(context.Background(), "key-01"); err != nil {
		t.Fatalf("second call: %v", err)
	}
}

func TestFakeLatencyHonoursContext(t *testing.T) {
	f := kmstest.NewFake(sampleKeys(2), kmstest.WithLatency(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	_, err := f.DescribeKey(ctx, "key-00")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestFakeDetail(t *testing.T) {
	keys := sampleKeys(3)
	keys[1].Aliases = []string{"alias/second"}
	f := kmstest.NewFake(keys)
	basic, err := f.DescribeKey(context.Background(), "alias/second")
	if err != nil || basic.ID != "key-01" {
		t.Fatalf("DescribeKey by alias: %+v, %v", basic, err)
	}
	for k, err := range f.ListKeys(context.Background(), kms.ListOptions{}).All() {
		if err != nil {
			t.Fatal(err)
		}
		if k.Provider != "fake" || k.State != "" || k.Spec != "" || !k.CreatedAt.IsZero() || k.Detail != kms.DetailBasic || k.ARN == "" {
			t.Errorf("DetailBasic key %+v, want only Provider, ID and ARN", k)
		}
	}
	if p := f.Provider(); p != "fake" {
		t.Errorf("Provider() = %q", p)
	}
}

func TestFakeCallCounts(t *testing.T) {
	f := kmstest.NewFake(sampleKeys(5), kmstest.WithVersions(sampleVersions()), kmstest.WithPrefetch(-1))
	if _, err := ids(t, f.ListKeys(context.Background(), kms.ListOptions{PageSize: 2})); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DescribeKey(context.Background(), "key-00"); err != nil {
		t.Fatal(err)
	}
	for _, err := range f.ListKeyVersions(context.Background(), "key-00", kms.ListOptions{}).All() {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{"ListKeys": 3, "DescribeKey": 1, "ListKeyVersions": 1}
	got := f.CallCounts()
	if f.Calls() != 5 || len(got) != len(want) {
		t.Fatalf("Calls() = %d, CallCounts() = %v; want 5 and %v", f.Calls(), got, want)
	}
	for op, n := range want {
		if got[op] != n {
			t.Errorf("CallCounts()[%s] = %d, want %d", op, got[op], n)
		}
	}
}
