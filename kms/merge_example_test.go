package kms_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
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
