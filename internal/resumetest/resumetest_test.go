package resumetest_test

import (
	"fmt"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/multikms/multikms/internal/resumetest"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func keyID(k kms.Key) string { return k.ID }

// TestListPartThenResume: the part and the rest are every key once, and a
// listing that ran to its end reports no failed scope.
func TestListPartThenResume(t *testing.T) {
	keys := make([]kms.Key, 7)
	want := make([]string, len(keys))
	for i := range keys {
		keys[i] = kms.Key{ID: fmt.Sprintf("k%d", i)}
		want[i] = keys[i].ID
	}
	f := kmstest.NewFake(keys, kmstest.WithProvider(kms.ProviderAWS))
	part, cursor := resumetest.ListPart(t, f, 3, keyID)
	if len(part) != 3 {
		t.Fatalf("part %v, want 3 keys", part)
	}
	rest, failed, _ := resumetest.Resume(t, f, cursor, keyID)
	if len(failed) != 0 {
		t.Errorf("failed scopes %v, want none", failed)
	}
	if got := resumetest.SortedOnce(t, append(part, rest...)); !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
}

// TestFailedCursorResumesTheFailedScope: the cursor of a listing that
// ended with a failed scope resumes that scope's keys.
func TestFailedCursorResumesTheFailedScope(t *testing.T) {
	denied := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodePermissionDenied, nil)
	bad := kmstest.NewFake([]kms.Key{{ID: "b1"}}, kmstest.WithProvider(kms.ProviderAWS), kmstest.WithFailure(1, denied),
		kmstest.WithRetry(pagination.Retry{MaxAttempts: 1}))
	m := kms.Merge(kmstest.NewFake([]kms.Key{{ID: "a1"}}, kmstest.WithProvider(kms.ProviderAWS)), bad)
	cursor := resumetest.FailedCursor(t, m, kms.ListOptions{})
	rest, failed, _ := resumetest.Resume(t, m, cursor, keyID)
	if !slices.Equal(rest, []string{"b1"}) || len(failed) != 0 {
		t.Errorf("resumed %v, failed %v; want b1 and no failure", rest, failed)
	}
}

// TestSortedOnceFailsOnARepeat: a key listed twice fails the test.
func TestSortedOnceFailsOnARepeat(t *testing.T) {
	rec := &testing.T{}
	resumetest.SortedOnce(rec, []string{"b", "a", "b"})
	if !rec.Failed() {
		t.Error("a repeated key did not fail the test")
	}
}
