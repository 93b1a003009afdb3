package kmstest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

func TestMock(t *testing.T) {
	boom := errors.New("boom")
	m := new(kmstest.Mock)
	m.On("ListKeys", mock.Anything, kms.ListOptions{PageSize: 1}).Return([]kms.Key{{ID: "a"}, {ID: "b"}}).Once()
	m.On("ListKeys", mock.Anything, kms.ListOptions{PageSize: 2}).Return(kmstest.Iterator(kms.Key{ID: "c"})).Once()
	m.On("ListKeys", mock.Anything, kms.ListOptions{PageSize: 3}).Return(boom).Once()
	m.On("DescribeKey", mock.Anything, "a").Return(kms.Key{ID: "a", State: kms.StateEnabled}, nil)
	m.On("DescribeKey", mock.Anything, "x").Return(kms.Key{}, boom)
	m.On("ListKeyVersions", mock.Anything, "a", kms.ListOptions{}).Return([]kms.KeyVersion{{KeyID: "a", ID: "v1"}})
	m.On("ListKeyVersions", mock.Anything, "b", kms.ListOptions{}).Return(nil)
	m.On("DescribeKeyInclude", mock.Anything, "a", kms.IncludePolicy).Return(kms.Key{ID: "a", Policy: "{}"}, nil)

	var l kms.Lister = m
	ctx := context.Background()
	for size, want := range map[int][]string{1: {"a", "b"}, 2: {"c"}} {
		got, err := ids(t, l.ListKeys(ctx, kms.ListOptions{PageSize: size}))
		if err != nil || len(got) != len(want) || got[0] != want[0] {
			t.Errorf("ListKeys(PageSize %d) = %v, %v; want %v", size, got, err, want)
		}
	}
	if _, err := ids(t, l.ListKeys(ctx, kms.ListOptions{PageSize: 3})); !errors.Is(err, boom) {
		t.Errorf("ListKeys returning an error: %v", err)
	}
	if k, err := l.DescribeKey(ctx, "a"); err != nil || k.State != kms.StateEnabled {
		t.Errorf("DescribeKey(a) = %+v, %v", k, err)
	}
	if _, err := l.DescribeKey(ctx, "x"); !errors.Is(err, boom) {
		t.Errorf("DescribeKey(x): %v", err)
	}
	n := 0
	for _, ref := range []string{"a", "b"} {
		for v, err := range l.ListKeyVersions(ctx, ref, kms.ListOptions{}).All() {
			if err != nil || v.ID != "v1" {
				t.Errorf("ListKeyVersions(%s): %+v, %v", ref, v, err)
			}
			n++
		}
	}
	if n != 1 {
		t.Errorf("got %d versions, want 1", n)
	}
	if k, err := kms.Describe(ctx, l, "a", kms.IncludePolicy); err != nil || k.Policy != "{}" {
		t.Errorf("Describe(a, IncludePolicy) = %+v, %v", k, err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close with no expectation: %v", err)
	}
	m.AssertExpectations(t)
}

func TestMockBadReturnPanics(t *testing.T) {
	m := new(kmstest.Mock)
	m.On("ListKeys", mock.Anything, mock.Anything).Return(42)
	defer func() {
		if recover() == nil {
			t.Error("no panic for a return value of the wrong type")
		}
	}()
	m.ListKeys(context.Background(), kms.ListOptions{})
}
