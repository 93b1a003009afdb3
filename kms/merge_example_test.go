package kms_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
)

// ExampleNewMerge lists a fleet of two listers, one of which is denied: the
// other's keys come out, then one error with a *kms.ScopeError for the
// denied one. MergeConcurrency(1) lists them in turn, for a deterministic
// output; by default 16 are listed at once.
func ExampleNewMerge() {
	denied := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodePermissionDenied, errors.New("not authorized"))
	ok := kmstest.NewFake([]kms.Key{{ID: "k1"}, {ID: "k2"}}, kmstest.WithProvider(kms.ProviderAWS))
	bad := kmstest.NewFake([]kms.Key{{ID: "k3"}}, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied))
	fleet := kms.NewMerge([]kms.Lister{ok, bad}, kms.MergeConcurrency(1))
	for k, err := range fleet.ListKeys(context.Background(), kms.ListOptions{}).All() {
		var se *kms.ScopeError
		if errors.As(err, &se) {
			fmt.Println("scope", se.Scope, "failed; denied:", errors.Is(err, kms.ErrPermissionDenied))
			break
		}
		fmt.Println(k.ID)
	}
	// Output:
	// k1
	// k2
	// scope aws#1 failed; denied: true
}

// ExampleScopeErrors reports each failed scope of a fleet listing, those
// of a fleet inside the fleet by their own names: the inner Merge's second
// lister (aws#1 there), then the outer one's denied lister (aws#0 among
// the outer Merge's AWS listers without a Scope: a Merge tells no provider).
func ExampleScopeErrors() {
	denied := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodePermissionDenied, errors.New("not authorized"))
	down := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodeUnavailable, errors.New("service unavailable"))
	failing := func(err error) kms.Lister {
		return kmstest.NewFake([]kms.Key{{ID: "x"}}, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, err),
			kmstest.WithRetry(pagination.Retry{MaxAttempts: 1}))
	}
	ok := kmstest.NewFake([]kms.Key{{ID: "k1"}}, kmstest.WithProvider(kms.ProviderAWS))
	inner := kms.Merge(ok, failing(down))
	fleet := kms.NewMerge([]kms.Lister{inner, failing(denied)}, kms.MergeConcurrency(1))
	_, err := kmstest.Collect(fleet.ListKeys(context.Background(), kms.ListOptions{}))
	for _, se := range kms.ScopeErrors(err) {
		fmt.Println(se.Scope, errors.Is(se, kms.ErrPermissionDenied), errors.Is(se, kms.ErrUnavailable))
	}
	// Output:
	// aws#1 false true
	// aws#0 true false
}
