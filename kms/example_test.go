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

// The inventory program's flags read a Filter, an Include and a Detail with
// the Parse functions (or flag.TextVar); errors name the field and the
// values it allows.
func ExampleParseFilter() {
	f, err := kms.ParseFilter("state=Enabled,Disabled usage=SignVerify")
	fmt.Println(f, err)
	inc, err := kms.ParseInclude("rotation,policy")
	fmt.Println(inc, err)
	d, err := kms.ParseDetail("full")
	fmt.Println(d, err)
	_, err = kms.ParseFilter("state=Gone")
	fmt.Println(err)
	// Output:
	// states=Disabled|Enabled;usages=SignVerify <nil>
	// rotation,policy <nil>
	// full <nil>
	// kms: ParseFilter: invalid argument: parameter filter.states: unknown value "Gone" (allowed: Enabled, Disabled, PendingDeletion, PendingImport, Creating, Unavailable)
}

// A key listed with IncludeAccess tells whether anyone may use it.
func ExampleKey_OpenToAnyone() {
	keys := []kms.Key{
		{ID: "aws-open", Access: []kms.Access{{Principal: "*", PrincipalType: "AWS", Actions: []string{"kms:Decrypt"}, Source: kms.AccessFromPolicy}}},
		{ID: "aws-conditional", Access: []kms.Access{{Principal: "*", PrincipalType: "AWS", Source: kms.AccessFromPolicy, Conditional: true}}},
		{ID: "yc-open", Access: []kms.Access{{Principal: "allAuthenticatedUsers", PrincipalType: "system", Source: kms.AccessFromBinding}}},
		{ID: "yc-team", Access: []kms.Access{{Principal: "ajeteam", PrincipalType: "group", Source: kms.AccessFromBinding}}},
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.OpenToAnyone())
	}
	// Output:
	// aws-open true
	// aws-conditional false
	// yc-open true
	// yc-team false
}
