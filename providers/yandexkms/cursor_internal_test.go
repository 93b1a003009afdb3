package yandexkms

import (
	"context"
	"errors"
	"strings"
	"testing"

	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// TestLongTokenCursorSendsNothing: a cursor is checked, not signed, so it
// may carry a page token longer than the API allows. Resuming from it fails
// before any request, in any folder or kind (Concat starts none of them).
func TestLongTokenCursorSendsNothing(t *testing.T) {
	srv, err := emu.Start(emu.WithGenerated(6, 5))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	sdk, err := ycsdk.Build(context.Background(), ycsdk.Config{
		Credentials: ycsdk.NewIAMTokenCredentials(srv.Token()), Endpoint: srv.Addr(), Plaintext: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
	folders := make([]string, 6)
	for i := range folders {
		folders[i] = emu.FolderID(i)
	}
	l := New(sdk, folders[0], WithFolders(folders...))

	// Make the cursor with a server that hands out an over-long token.
	saved := kinds[0].list
	kinds[0].list = func(*Lister, context.Context, string, string, int64) (page[kms.Key], error) {
		return page[kms.Key]{[]kms.Key{{ID: "k"}}, strings.Repeat("t", MaxPageToken+1)}, nil
	}
	nextTokenLimit = 2 * MaxPageToken
	it := l.ListKeys(context.Background(), kms.ListOptions{})
	for range it.All() {
		break
	}
	kinds[0].list, nextTokenLimit = saved, MaxPageToken
	cursor := it.Cursor()

	before := srv.TotalRequests()
	_, err = pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{Cursor: cursor}))
	if !errors.Is(err, kms.ErrInvalidCursor) {
		t.Fatalf("got %v, want ErrInvalidCursor", err)
	}
	if n := srv.TotalRequests() - before; n != 0 {
		t.Fatalf("%d requests sent for a refused cursor", n)
	}
}
