package kmstest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// firstErr returns the error the listing ends with, or nil.
func firstErr[T any](it *pagination.Iterator[T]) error {
	_, err := Collect(it)
	return err
}

// wantErr checks that err is of class want and, unless want is a context
// error (which must come back itself, unwrapped), a *kms.Error.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == context.Canceled || want == context.DeadlineExceeded {
		if err != want {
			t.Errorf("%s: got error %v (%T), want the context's error %v itself, unwrapped", what, err, err, want)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want one matching %v", what, err, want)
	}
	if err != nil {
		var e *kms.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %v (%T) is not a *kms.Error", what, err, err)
		}
	}
}

func testDescribeKey(t *testing.T, fx Fixture) {
	n := len(fx.Keys)
	for _, want := range []kms.Key{fx.Keys[0], fx.Keys[n/2], fx.Keys[n-1]} {
		refs := []string{want.ID}
		if want.ARN != "" {
			refs = append(refs, want.ARN)
		}
		for _, ref := range refs {
			got, err := fx.Lister.DescribeKey(context.Background(), ref)
			if err != nil {
				t.Errorf("DescribeKey(%q): %v", ref, err)
				continue
			}
			sameKey(t, fmt.Sprintf("DescribeKey(%q)", ref), got, want)
		}
	}
}

func testListKeyVersions(t *testing.T, fx Fixture) {
	for id, want := range fx.Versions {
		for _, size := range []int{1, 0} {
			vs, err := Collect(fx.Lister.ListKeyVersions(context.Background(), id, kms.ListOptions{PageSize: size}))
			if err != nil {
				t.Errorf("ListKeyVersions(%q), PageSize %d: %v", id, size, err)
				continue
			}
			sameIDs(t, fmt.Sprintf("ListKeyVersions(%q), PageSize %d", id, size), versionIDs(vs), versionIDs(want))
			for i := range min(len(vs), len(want)) {
				if vs[i].State != want[i].State || vs[i].Primary != want[i].Primary {
					t.Errorf("ListKeyVersions(%q)[%d]: got state %q primary %t, want %q %t",
						id, i, vs[i].State, vs[i].Primary, want[i].State, want[i].Primary)
				}
			}
		}
	}
}

func testNotFound(t *testing.T, fx Fixture) {
	_, err := fx.Lister.DescribeKey(context.Background(), fx.MissingKeyRef)
	wantErr(t, "DescribeKey(MissingKeyRef)", err, kms.ErrNotFound)
	err = firstErr(fx.Lister.ListKeyVersions(context.Background(), fx.MissingKeyRef, kms.ListOptions{}))
	wantErr(t, "ListKeyVersions(MissingKeyRef)", err, kms.ErrNotFound)
}

// noRequest runs fn and fails t if the backend received a request meanwhile.
func noRequest(t *testing.T, fx Fixture, what string, fn func()) {
	t.Helper()
	before := fx.Requests()
	fn()
	if n := fx.Requests() - before; n != 0 {
		t.Errorf("%s: %d requests sent, want none", what, n)
	}
}

func testInvalidArgument(t *testing.T, fx Fixture) {
	ctx := context.Background()
	key := multiVersionKey(fx)
	check := func(what string, err error) {
		t.Helper()
		wantErr(t, what, err, kms.ErrInvalidArgument)
	}
	noRequest(t, fx, "empty keyRef", func() {
		_, err := fx.Lister.DescribeKey(ctx, "")
		check(`DescribeKey("")`, err)
		check(`ListKeyVersions("")`, firstErr(fx.Lister.ListKeyVersions(ctx, "", kms.ListOptions{})))
	})
	for _, size := range []int{-1, fx.MaxPageSize + 1} {
		opts := kms.ListOptions{PageSize: size}
		noRequest(t, fx, fmt.Sprintf("PageSize %d", size), func() {
			check(fmt.Sprintf("ListKeys, PageSize %d", size), firstErr(fx.Lister.ListKeys(ctx, opts)))
			check(fmt.Sprintf("ListKeyVersions, PageSize %d", size), firstErr(fx.Lister.ListKeyVersions(ctx, key, opts)))
		})
	}
	bad := kms.ListOptions{Filter: kms.Filter{States: []kms.KeyState{"NoSuchState"}}}
	noRequest(t, fx, "invalid filter", func() {
		check("ListKeys, invalid filter", firstErr(fx.Lister.ListKeys(ctx, bad)))
	})
}

// cursorAfterOne returns the cursor of it after its first item.
//
// The listing is made with MaxItems 1 and drained, not broken out of: a
// break leaves no goroutine behind, but a page fetched ahead may still reach
// the server after it, inside a later no-request check.
func cursorAfterOne[T any](t *testing.T, it *pagination.Iterator[T]) string {
	t.Helper()
	for _, err := range it.All() {
		if err != nil {
			t.Fatal(err)
		}
	}
	c := it.Cursor()
	if c == "" {
		t.Fatal("Cursor() after the first of several items is empty")
	}
	return c
}

func testInvalidCursor(t *testing.T, fx Fixture) {
	ctx := context.Background()
	key := multiVersionKey(fx)
	keysCursor := cursorAfterOne(t, fx.Lister.ListKeys(ctx, kms.ListOptions{PageSize: 1, MaxItems: 1}))
	versionsCursor := cursorAfterOne(t, fx.Lister.ListKeyVersions(ctx, key, kms.ListOptions{PageSize: 1, MaxItems: 1}))
	check := func(what string, err error) {
		t.Helper()
		wantErr(t, what, err, kms.ErrInvalidCursor)
	}
	noRequest(t, fx, "bad cursors", func() {
		for _, c := range []string{"garbage!", "AAAA", keysCursor[:len(keysCursor)/2]} {
			check(fmt.Sprintf("ListKeys, cursor %q", c), firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{Cursor: c})))
		}
		check("ListKeys, a ListKeyVersions cursor",
			firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{Cursor: versionsCursor})))
		check("ListKeyVersions, a ListKeys cursor",
			firstErr(fx.Lister.ListKeyVersions(ctx, key, kms.ListOptions{Cursor: keysCursor})))
	})
}

func testCancel(t *testing.T, fx Fixture) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantErr(t, "ListKeys", firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{})), context.Canceled)
	wantErr(t, "ListKeys, DetailFull", firstErr(fx.Lister.ListKeys(ctx, kms.ListOptions{Detail: kms.DetailFull})), context.Canceled)
	_, err := fx.Lister.DescribeKey(ctx, fx.Keys[0].ID)
	wantErr(t, "DescribeKey", err, context.Canceled)
	err = firstErr(fx.Lister.ListKeyVersions(ctx, multiVersionKey(fx), kms.ListOptions{}))
	wantErr(t, "ListKeyVersions", err, context.Canceled)

	// An expired deadline: the context's own error too.
	past, stop := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer stop()
	wantErr(t, "ListKeys, deadline passed", firstErr(fx.Lister.ListKeys(past, kms.ListOptions{})), context.DeadlineExceeded)
	_, err = fx.Lister.DescribeKey(past, fx.Keys[0].ID)
	wantErr(t, "DescribeKey, deadline passed", err, context.DeadlineExceeded)

	// Cancelled mid-listing: the listing ends with the context's error
	// before it is complete.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	got := 0
	for _, err = range fx.Lister.ListKeys(ctx, kms.ListOptions{PageSize: 1}).All() {
		if err != nil {
			break
		}
		got++
		cancel()
	}
	wantErr(t, "ListKeys cancelled after the first item", err, context.Canceled)
	if got >= len(fx.Keys) {
		t.Errorf("ListKeys cancelled after the first item: got all %d keys", got)
	}
}

// testBreak breaks out of listings mid-way; the suite's leak check after
// each subtest then finds any goroutine left behind.
func testBreak(t *testing.T, fx Fixture) {
	ctx := context.Background()
	for _, opts := range []kms.ListOptions{{PageSize: 1}, {PageSize: 2, Detail: kms.DetailFull}} {
		it := fx.Lister.ListKeys(ctx, opts)
		n := 0
		for _, err := range it.All() {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 3 {
				break
			}
		}
		for _, err := range it.Pages() {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for _, err := range fx.Lister.ListKeyVersions(ctx, multiVersionKey(fx), kms.ListOptions{PageSize: 1}).All() {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
}
