package kms_test

import (
	"context"
	"fmt"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

// demoKeys returns n keys named key-1..key-n, every third one disabled.
func demoKeys(prefix string, n int) []kms.Key {
	keys := make([]kms.Key, n)
	for i := range keys {
		keys[i] = kms.Key{ID: fmt.Sprintf("%s-%d", prefix, i+1), State: kms.StateEnabled, Usage: kms.UsageEncryptDecrypt}
		if i%3 == 2 {
			keys[i].State = kms.StateDisabled
		}
	}
	return keys
}

// List every key of a Lister (here a Fake; an adapter or kms.Open works the
// same): the iterator fetches the pages as the loop goes.
func Example_listKeys() {
	var lister kms.Lister = kmstest.NewFake(demoKeys("key", 4))
	ctx := context.Background()
	for key, err := range lister.ListKeys(ctx, kms.ListOptions{PageSize: 2, Detail: kms.DetailFull}).All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(key.ID, key.State)
	}
	// Output:
	// key-1 Enabled
	// key-2 Enabled
	// key-3 Disabled
	// key-4 Enabled
}

// Stop anywhere, keep the cursor (it is a URL-safe string) and resume later,
// in this process or another: nothing is repeated or skipped.
func Example_resumeByCursor() {
	lister := kmstest.NewFake(demoKeys("key", 5))
	ctx := context.Background()

	it := lister.ListKeys(ctx, kms.ListOptions{PageSize: 2})
	for key, err := range it.All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println("first run:", key.ID)
		if key.ID == "key-3" { // stop in the middle of the second page
			break
		}
	}
	cursor := it.Cursor()

	for key, err := range lister.ListKeys(ctx, kms.ListOptions{PageSize: 2, Cursor: cursor}).All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println("resumed:", key.ID)
	}
	// Output:
	// first run: key-1
	// first run: key-2
	// first run: key-3
	// resumed: key-4
	// resumed: key-5
}

// Filter keeps the keys that match every field it sets (AND), any of the
// values of a field (OR).
func Example_filter() {
	lister := kmstest.NewFake(demoKeys("key", 6))
	opts := kms.ListOptions{Filter: kms.Filter{States: []kms.KeyState{kms.StateDisabled}}}
	for key, err := range lister.ListKeys(context.Background(), opts).All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(key.ID)
	}
	// Output:
	// key-3
	// key-6
}

// Merge lists several clouds as one stream (the listers run concurrently,
// so their keys interleave); DescribeKey goes to the lister of an ARN's
// provider, or asks each in turn.
func ExampleMerge() {
	aws := kmstest.NewFake([]kms.Key{
		{ID: "1234abcd", ARN: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd", State: kms.StateEnabled},
	}, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithShape(kmstest.ByMarker))
	yandex := kmstest.NewFake(demoKeys("abj", 3), kmstest.WithProvider(kms.ProviderYandex))
	all := kms.Merge(aws, yandex)
	ctx := context.Background()

	for key, err := range all.ListKeys(ctx, kms.ListOptions{}).All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(key.Provider, key.ID)
	}
	key, err := all.DescribeKey(ctx, "arn:aws:kms:eu-west-1:111122223333:key/1234abcd")
	fmt.Println(key.Provider, key.ID, key.State, err)
	key, err = all.DescribeKey(ctx, "abj-3")
	fmt.Println(key.Provider, key.ID, key.State, err)
	// Unordered output:
	// aws 1234abcd
	// yandex abj-1
	// yandex abj-2
	// yandex abj-3
	// aws 1234abcd Enabled <nil>
	// yandex abj-3 Disabled <nil>
}
