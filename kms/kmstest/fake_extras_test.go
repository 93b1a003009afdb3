package kmstest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

// Each extra costs one request per key that can answer it; DetailFull one
// describe per key; a DetailBasic listing with an Include describes too.
func TestFakeExtrasRequests(t *testing.T) {
	keys := sampleKeys(6) // usages cycle Encrypt, Encrypt, Sign: keys 2 and 5 cannot rotate
	for _, tc := range []struct {
		opts kms.ListOptions
		want map[string]int
	}{
		{kms.ListOptions{}, map[string]int{"ListKeys": 1}},
		{kms.ListOptions{Detail: kms.DetailFull}, map[string]int{"ListKeys": 1, "DescribeKey": 6}},
		{kms.ListOptions{Include: kms.IncludeTags}, map[string]int{"ListKeys": 1, "DescribeKey": 6, kmstest.OpTags: 6}},
		{kms.ListOptions{Detail: kms.DetailFull, Include: kmstest.AllExtras}, map[string]int{"ListKeys": 1, "DescribeKey": 6,
			kmstest.OpTags: 6, kmstest.OpRotation: 4, kmstest.OpPolicy: 6, kmstest.OpAccess: 6}},
		{kms.ListOptions{Detail: kms.DetailFull, Include: kms.IncludeRotation, MaxItems: 2}, map[string]int{"ListKeys": 1,
			"DescribeKey": 2, kmstest.OpRotation: 2}},
	} {
		f := kmstest.NewFake(keys, kmstest.WithPrefetch(-1))
		got, err := kmstest.Collect(f.ListKeys(context.Background(), tc.opts))
		if err != nil {
			t.Fatalf("%+v: %v", tc.opts, err)
		}
		counts := f.CallCounts()
		if len(counts) != len(tc.want) {
			t.Errorf("%+v: requests %v, want %v", tc.opts, counts, tc.want)
		}
		for op, n := range tc.want {
			if counts[op] != n {
				t.Errorf("%+v: %d %s requests, want %d (all: %v)", tc.opts, counts[op], op, n, counts)
			}
		}
		for _, k := range got {
			if k.Detail != tc.opts.Detail {
				t.Errorf("%+v: key %s Detail %v", tc.opts, k.ID, k.Detail)
			}
			if tc.opts.Include.Has(kms.IncludeRotation) && k.Usage == kms.UsageSignVerify && k.AutomaticRotation != kms.RotationUnsupported {
				t.Errorf("%+v: key %s that cannot rotate: %q", tc.opts, k.ID, k.AutomaticRotation)
			}
		}
	}
}

// A denied extra keeps the key and everything else, with a
// PermissionDenied *kms.Error per extra in DetailErr; a denied rotation
// read is RotationUnknown, never Disabled.
func TestFakeDeniedExtra(t *testing.T) {
	keys := sampleKeys(4) // key-01: rotation Disabled, labels none; key-00 has everything
	f := kmstest.NewFake(keys, kmstest.WithDeniedExtra("key-01", kms.IncludeRotation),
		kmstest.WithDeniedExtra("key-00", kms.IncludePolicy|kms.IncludeAccess))
	got, err := kmstest.Collect(f.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull, Include: kmstest.AllExtras}))
	if err != nil || len(got) != 4 {
		t.Fatalf("%d keys, %v", len(got), err)
	}
	k0, k1 := got[0], got[1]
	if k1.AutomaticRotation != kms.RotationUnknown || !errors.Is(k1.DetailErr, kms.ErrPermissionDenied) {
		t.Errorf("denied rotation: %q, %v; want RotationUnknown and the denial", k1.AutomaticRotation, k1.DetailErr)
	}
	if k0.Policy != "" || k0.Access != nil || k0.Labels["team"] != "t0" || k0.AutomaticRotation != kms.RotationEnabled {
		t.Errorf("key-00 with policy and access denied: %+v", k0)
	}
	var e *kms.Error
	if !errors.As(k0.DetailErr, &e) || e.Op != kmstest.OpPolicy || !errors.Is(k0.DetailErr, kms.ErrPermissionDenied) ||
		len(k0.DetailErr.(interface{ Unwrap() []error }).Unwrap()) != 2 {
		t.Errorf("key-00 DetailErr %v; want the two denials joined", k0.DetailErr)
	}
	if got[2].DetailErr != nil || got[2].AutomaticRotation != kms.RotationUnsupported {
		t.Errorf("key-02: %+v", got[2])
	}

	d, err := f.DescribeKeyInclude(context.Background(), "key-00", kms.IncludeTags|kms.IncludePolicy)
	if err != nil || d.Labels["team"] != "t0" || d.Policy != "" || !errors.Is(d.DetailErr, kms.ErrPermissionDenied) || d.AutomaticRotation != kms.RotationUnknown {
		t.Errorf("DescribeKeyInclude: %+v, %v", d, err)
	}
	plain, err := kms.Describe(context.Background(), f, "key-00", 0)
	if err != nil || plain.Labels != nil || plain.Detail != kms.DetailFull || plain.DetailErr != nil {
		t.Errorf("DescribeKey carries extras: %+v, %v", plain, err)
	}
}

func TestFakeClose(t *testing.T) {
	f := kmstest.NewFake(sampleKeys(2))
	first, second := f.Close(), f.Close()
	if first != nil || second != nil || f.Closed() != 2 {
		t.Errorf("Close twice: Closed() = %d", f.Closed())
	}
	if _, err := f.DescribeKey(context.Background(), "key-01"); err != nil {
		t.Errorf("a closed Fake: %v", err)
	}
}
