package kmstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stretchr/testify/mock"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

// A Fake stands in for a cloud in tests: seed it with keys, pick the page
// shape and inject faults. Here the second request is throttled; the engine
// retries it, so the listing completes with one request more.
func ExampleNewFake() {
	keys := []kms.Key{{ID: "k1"}, {ID: "k2"}, {ID: "k3"}, {ID: "k4"}, {ID: "k5"}}
	fake := kmstest.NewFake(keys,
		kmstest.WithProvider(kms.ProviderAlibaba),
		kmstest.WithShape(kmstest.ByPageNumber),
		kmstest.WithThrottle(2),
		kmstest.WithConcurrency(1), // fetch one page at a time, for a fixed request order
	)
	var ids []string
	for key, err := range fake.ListKeys(context.Background(), kms.ListOptions{PageSize: 2}).All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		ids = append(ids, key.ID)
	}
	fmt.Println(strings.Join(ids, " "))
	fmt.Println("requests:", fake.Calls())

	_, err := fake.DescribeKey(context.Background(), "k9")
	fmt.Println(errors.Is(err, kms.ErrNotFound), err)
	// Output:
	// k1 k2 k3 k4 k5
	// requests: 4
	// true kms: alibaba DescribeKey: not found: key "k9" does not exist
}

// Mock is a testify mock of kms.Lister; a listing may return a slice.
func ExampleMock() {
	m := new(kmstest.Mock)
	m.On("ListKeys", mock.Anything, mock.Anything).Return([]kms.Key{{ID: "k1"}, {ID: "k2"}})
	for key, err := range m.ListKeys(context.Background(), kms.ListOptions{}).All() {
		fmt.Println(key.ID, err)
	}
	// Output:
	// k1 <nil>
	// k2 <nil>
}
