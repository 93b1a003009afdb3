package pagination_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/multikms/multikms/pagination"
)

// names serves "key-0".."key-6" three at a time behind an AWS-style marker.
func names(_ context.Context, marker string, limit int) ([]string, string, bool, error) {
	start, _ := strconv.Atoi(marker)
	if limit == 0 {
		limit = 3
	}
	var page []string
	for i := start; i < min(start+limit, 7); i++ {
		page = append(page, "key-"+strconv.Itoa(i))
	}
	if start+limit >= 7 {
		return page, "", false, nil
	}
	return page, strconv.Itoa(start + limit), true, nil
}

func ExampleByMarker() {
	it := pagination.ByMarker(context.Background(), names, pagination.Options{})
	for name, err := range it.All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(name)
	}
	// Output:
	// key-0
	// key-1
	// key-2
	// key-3
	// key-4
	// key-5
	// key-6
}

func ExampleIterator_Cursor() {
	ctx := context.Background()
	opts := pagination.Options{Scope: "demo"}
	it := pagination.ByMarker(ctx, names, opts)
	for name := range it.All() {
		fmt.Println("first run:", name)
		if name == "key-3" {
			break // stop mid-page; the cursor remembers the exact item
		}
	}
	opts.Cursor = it.Cursor() // store it anywhere: it is an opaque URL-safe string
	it = pagination.ByMarker(ctx, names, opts)
	for name := range it.All() {
		fmt.Println("resumed:", name)
	}
	fmt.Printf("exhausted: %q\n", it.Cursor())
	// Output:
	// first run: key-0
	// first run: key-1
	// first run: key-2
	// first run: key-3
	// resumed: key-4
	// resumed: key-5
	// resumed: key-6
	// exhausted: ""
}

func ExampleIterator_Pages() {
	it := pagination.ByMarker(context.Background(), names, pagination.Options{})
	for page, err := range it.Pages() {
		if err != nil {
			return
		}
		fmt.Println(page)
	}
	// Output:
	// [key-0 key-1 key-2]
	// [key-3 key-4 key-5]
	// [key-6]
}

func ExampleMap() {
	ctx := context.Background()
	it := pagination.ByMarker(ctx, names, pagination.Options{})
	described := pagination.Map(it, 4, func(_ context.Context, name string) (string, bool) {
		return name + " (described)", name != "key-2" // drop key-2
	})
	for v := range described.All() {
		fmt.Println(v)
	}
	// Output:
	// key-0 (described)
	// key-1 (described)
	// key-3 (described)
	// key-4 (described)
	// key-5 (described)
	// key-6 (described)
}

// entry is what a cloud's list call returns for a key: small.
type entry struct{ id string }

// key is the large portable value an adapter makes of an entry.
type key struct {
	ID, Name, Region string
	Labels           map[string]string
}

func ExamplePageBuffer() {
	// A fetch function that translates the cloud's entries into keys fills
	// them in a page buffer: once All has handed out every key of a page,
	// its memory holds the next page's keys.
	fetch := func(ctx context.Context, marker string, limit int) ([]key, string, bool, error) {
		start, _ := strconv.Atoi(marker)
		entries := []entry{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}[start:min(start+limit, 5)] // the cloud's answer
		keys := pagination.PageBuffer[key](ctx, len(entries))
		for i, e := range entries {
			keys[i].ID, keys[i].Region = e.id, "eu-1" // the items come zeroed
		}
		next := start + len(entries)
		return keys, strconv.Itoa(next), next < 5, nil
	}
	for k, err := range pagination.ByMarker(context.Background(), fetch, pagination.Options{PageSize: 2}).All() {
		if err != nil {
			return
		}
		fmt.Println(k.ID, k.Region)
	}
	// Output:
	// a eu-1
	// b eu-1
	// c eu-1
	// d eu-1
	// e eu-1
}
