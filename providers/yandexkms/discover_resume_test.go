package yandexkms_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rmpb "github.com/yandex-cloud/go-genproto/yandex/cloud/resourcemanager/v1"

	"github.com/multikms/multikms/internal/resumetest"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// The generated folders of the resume tests and their keys: folder i of
// the KMS Server holds KeyID(i, 0..perFolder-1).
const resumeFolders, perFolder = 8, 6

// folderKeys returns the IDs of the keys of folders (by index).
func folderKeys(folders ...int) []string {
	var out []string
	for _, i := range folders {
		for j := range perFolder {
			out = append(out, emu.KeyID(i, j))
		}
	}
	slices.Sort(out)
	return out
}

// folderScope is the scope name of folder i of testCloud.
func folderScope(i int) string { return "yandex/" + testCloud + "/" + emu.FolderID(i) }

// resumeCloud starts a cloud whose KMS holds resumeFolders folders of
// perFolder keys and whose ResourceManager lists the folders of the
// indices given, in testCloud.
func resumeCloud(t *testing.T, folders ...int) (*emu.ResourceManager, func(...yandexkms.Option) *yandexkms.Fleet) {
	t.Helper()
	ids := make([]string, len(folders))
	for n, i := range folders {
		ids[n] = emu.FolderID(i)
	}
	rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(resumeFolders, perFolder)}, emu.WithCloud("", testCloud, ids...))
	return rm, func(opts ...yandexkms.Option) *yandexkms.Fleet { return discoverCloud(t, sdk, testCloud, opts...) }
}

func keyID(k kms.Key) string { return k.ID }

// inTestCloud names a key by its ID, checking that it carries testCloud.
func inTestCloud(t *testing.T) func(kms.Key) string {
	return func(k kms.Key) string {
		assert.Equal(t, testCloud, k.CloudID, k.ID)
		return k.ID
	}
}

// TestFleetResumeOverAChangedFleet: a cursor made over folders 1,2,3,4,6
// (folder 1 finished, 2 in flight, the rest not started) resumes in a fresh
// Fleet (another process) that found folders 0 and 5 more (one before the
// resume point, one after it) and 1 and 2 less (a finished folder pending
// deletion, the one in flight deleted). Every key of a folder of both fleets comes out
// exactly once over the chain, the new folders' keys all, the vanished
// in-flight folder ends as a scope failure naming it (its keys not
// repeated, and resumed where it stopped when it is back), and the
// finished one costs nothing.
func TestFleetResumeOverAChangedFleet(t *testing.T) {
	rm, discover := resumeCloud(t, 1, 2, 3, 4, 6)
	// One folder at a time and no page ahead: folder 1 is done and folder 2
	// two keys in when the loop stops after 8 keys.
	first, cursor := resumetest.ListPart(t, discover(yandexkms.WithConcurrency(1), yandexkms.WithPrefetch(0)), 8, keyID)
	require.Equal(t, folderKeys(1), slices.Sorted(slices.Values(first[:perFolder])))
	inFlight := slices.Sorted(slices.Values(first[perFolder:]))
	require.Subset(t, folderKeys(2), inFlight)

	rm.AddFolder(testCloud, emu.FolderID(0))
	rm.AddFolder(testCloud, emu.FolderID(5))
	rm.SetFolderStatus(emu.FolderID(1), rmpb.Folder_PENDING_DELETION) // no longer ACTIVE
	rm.RemoveFolder(emu.FolderID(2))
	fresh := discover()
	require.Equal(t, []string{emu.FolderID(0), emu.FolderID(3), emu.FolderID(4), emu.FolderID(5), emu.FolderID(6)}, fresh.Folders())
	rest, failed, next := resumetest.Resume(t, fresh, cursor, inTestCloud(t))

	chain := resumetest.SortedOnce(t, append(slices.Clone(first), rest...))
	assert.Equal(t, resumetest.SortedOnce(t, append(folderKeys(0, 1, 3, 4, 5, 6), inFlight...)), chain,
		"every key of the folders of both fleets once, the new folders' all")
	assert.Equal(t, []string{folderScope(2)}, failed, "the vanished in-flight folder, and it alone, is a scope failure")

	// The folder is back (its deletion undone): the cursor, which kept it,
	// resumes it where it stopped.
	require.NotEmpty(t, next)
	rm.AddFolder(testCloud, emu.FolderID(2))
	last, failed, end := resumetest.Resume(t, discover(), next, inTestCloud(t))
	assert.Empty(t, failed)
	assert.Empty(t, end)
	assert.Equal(t, resumetest.SortedOnce(t, append(last, inFlight...)), folderKeys(2), "the rest of the folder, once")
}

// TestFleetResumeOfAFailedFolderThatVanished: a listing whose folder 1 was
// denied ends with a cursor of that folder alone; when the folder is then
// deleted and another created, a fresh Fleet's resumed listing reports the
// deleted folder as a scope failure and lists the new folder whole.
func TestFleetResumeOfAFailedFolderThatVanished(t *testing.T) {
	rm, discover := resumeCloud(t, 0, 1, 2)
	rm.DenyFolder(emu.FolderID(1))
	it := discover().ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	keys, err := pagination.Collect(it)
	var se *kms.ScopeError
	require.ErrorAs(t, err, &se)
	require.Equal(t, folderScope(1), se.Scope)
	require.Len(t, keys, 2*perFolder)

	rm.RemoveFolder(emu.FolderID(1))
	rm.AddFolder(testCloud, emu.FolderID(3))
	rest, failed, _ := resumetest.Resume(t, discover(), it.Cursor(), inTestCloud(t))
	assert.Equal(t, []string{folderScope(1)}, failed)
	assert.Equal(t, folderKeys(3), resumetest.SortedOnce(t, rest), "the new folder whole, nothing of the finished ones again")
}

// TestFleetResumeOverAChangedFleetConcurrently: the same changes with the
// default concurrency (every folder started at once), which keys have come
// out when the loop stops being the scheduler's: every key once over the
// chain, the new folders' all, and a vanished folder is a scope failure
// when some of its keys had not come out (and only a vanished one is).
func TestFleetResumeOverAChangedFleetConcurrently(t *testing.T) {
	for range 5 {
		rm, discover := resumeCloud(t, 1, 2, 3, 4, 6)
		first, cursor := resumetest.ListPart(t, discover(), 11, keyID)
		rm.AddFolder(testCloud, emu.FolderID(0))
		rm.AddFolder(testCloud, emu.FolderID(5))
		rm.RemoveFolder(emu.FolderID(1))
		rm.RemoveFolder(emu.FolderID(4))
		rest, failed, _ := resumetest.Resume(t, discover(), cursor, inTestCloud(t))
		chain := resumetest.SortedOnce(t, append(slices.Clone(first), rest...))

		want := folderKeys(0, 2, 3, 5, 6)
		for _, gone := range []int{1, 4} {
			seen := 0
			for _, id := range first {
				if slices.Contains(folderKeys(gone), id) {
					want, seen = append(want, id), seen+1
				}
			}
			if seen < perFolder {
				assert.Contains(t, failed, folderScope(gone), "a vanished folder with keys left")
			}
		}
		assert.Equal(t, resumetest.SortedOnce(t, want), chain)
		// A vanished folder whose keys all came out may still have been in
		// flight (its end not yet seen): a failure then, with nothing lost.
		assert.Subset(t, []string{folderScope(1), folderScope(4)}, failed)
	}
}

// TestFleetRefusesForeignCursorsBeforeAnyRequest: a cursor that is not one
// of this listing's (tampered, truncated, of another filter), one over a
// fleet changed by more than the cursor can tell apart (40 folders more,
// kms.Merge tells about 8), and bad options beside a good cursor are
// refused before any request.
func TestFleetRefusesForeignCursorsBeforeAnyRequest(t *testing.T) {
	rm, discover := resumeCloud(t, 0, 1, 2)
	f := discover()
	// Cursors of listings that ran to their end (folder 1 denied, so that
	// they resume it), not broken out of: no request of theirs can still be
	// on its way to be counted below.
	rm.DenyFolder(emu.FolderID(1))
	cursor := resumetest.FailedCursor(t, f, kms.ListOptions{PageSize: 2})
	otherFilter := resumetest.FailedCursor(t, f, kms.ListOptions{PageSize: 2, Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}})

	for i := range 40 {
		rm.AddFolder(testCloud, fmt.Sprintf("b1fnew%014d", i))
	}
	grown := discover()
	require.Len(t, grown.Folders(), 43)

	tampered := []byte(cursor)
	tampered[len(tampered)/2] ^= 1
	for name, c := range map[string]struct {
		f      *yandexkms.Fleet
		opts   kms.ListOptions
		target error
	}{
		"tampered":        {f, kms.ListOptions{PageSize: 2, Cursor: string(tampered)}, kms.ErrInvalidCursor},
		"truncated":       {f, kms.ListOptions{PageSize: 2, Cursor: cursor[:len(cursor)/2]}, kms.ErrInvalidCursor},
		"another filter":  {f, kms.ListOptions{PageSize: 2, Cursor: otherFilter}, kms.ErrInvalidCursor},
		"40 folders more": {grown, kms.ListOptions{PageSize: 2, Cursor: cursor}, kms.ErrInvalidCursor},
		"bad page size":   {f, kms.ListOptions{PageSize: yandexkms.MaxPageSize + 1, Cursor: cursor}, kms.ErrInvalidArgument},
	} {
		rm.ResetCounts()
		_, err := pagination.Collect(c.f.ListKeys(context.Background(), c.opts))
		assert.True(t, errors.Is(err, c.target), "%s: %v", name, err)
		assert.Zero(t, rm.KMS().TotalRequests(), name)
	}
}

// orgOfTwoClouds starts testOrg of testCloud (folders 0 and 1) and
// testCloud2 (folder 2), perFolder keys each, and returns its
// ResourceManager and a discovery of a fresh Fleet of it.
func orgOfTwoClouds(t *testing.T) (*emu.ResourceManager, func() *yandexkms.Fleet) {
	t.Helper()
	rm, sdk := setupCloud(t, []emu.Option{emu.WithGenerated(3, perFolder)},
		emu.WithCloud(testOrg, testCloud, emu.FolderID(0), emu.FolderID(1)),
		emu.WithCloud(testOrg, testCloud2, emu.FolderID(2)))
	return rm, func() *yandexkms.Fleet { return discoverOrg(t, sdk) }
}

// TestFleetResumeOfADeniedCloudNowSeen: in an organization, a cloud whose
// folders discovery could not list is one failed scope; once its folders
// are seen, a fresh Fleet's resumed listing lists them whole and ends
// cleanly (the cloud's own scope is still there, of no keys), rather than
// reporting the cloud as vanished for ever.
func TestFleetResumeOfADeniedCloudNowSeen(t *testing.T) {
	rm, discover := orgOfTwoClouds(t)
	rm.DenyCloud(testCloud2)
	it := discover().ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	keys, err := pagination.Collect(it)
	var se *kms.ScopeError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "yandex/"+testCloud2, se.Scope)
	require.Len(t, keys, 2*perFolder)

	rm.AllowCloud(testCloud2)
	rest, err := pagination.Collect(discover().ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: it.Cursor()}))
	require.NoError(t, err)
	var ids []string
	for _, k := range rest {
		ids = append(ids, k.ID)
		assert.Equal(t, testCloud2, k.CloudID)
	}
	assert.Equal(t, folderKeys(2), resumetest.SortedOnce(t, ids))
}

// TestFleetResumeOfAFolderWhoseCloudIsNowDenied: a folder the cursor had
// failed, whose cloud discovery can no longer list (its permission taken
// away), is reported with the cloud's denial, not as a folder deleted: its
// *kms.ScopeError matches kms.ErrPermissionDenied and
// pagination.ErrScopeGone; a folder whose cloud is still seen but that is
// gone is kms.ErrNotFound.
func TestFleetResumeOfAFolderWhoseCloudIsNowDenied(t *testing.T) {
	rm, discover := orgOfTwoClouds(t)
	rm.DenyFolder(emu.FolderID(1))
	rm.DenyFolder(emu.FolderID(2))
	it := discover().ListKeys(context.Background(), kms.ListOptions{PageSize: 2})
	keys, err := pagination.Collect(it)
	require.ErrorIs(t, err, kms.ErrPermissionDenied)
	require.Len(t, keys, perFolder, "folder 0 alone")

	rm.DenyCloud(testCloud2)
	rm.RemoveFolder(emu.FolderID(1))
	rest, err := pagination.Collect(discover().ListKeys(context.Background(), kms.ListOptions{PageSize: 2, Cursor: it.Cursor()}))
	assert.Empty(t, rest)
	ses := kms.ScopeErrors(err)
	require.NotNil(t, ses, "every error is a scope's: %v", err)
	byScope := map[string]error{}
	for _, se := range ses {
		byScope[se.Scope] = se
	}
	hidden := byScope["yandex/"+testCloud2+"/"+emu.FolderID(2)]
	assert.ErrorIs(t, hidden, kms.ErrPermissionDenied, "folder 2, its cloud denied")
	assert.ErrorIs(t, hidden, pagination.ErrScopeGone)
	assert.NotErrorIs(t, hidden, kms.ErrNotFound)
	var ke *kms.Error
	require.ErrorAs(t, hidden, &ke)
	assert.Equal(t, yandexkms.OpListFolders, ke.Op, "the cloud's discovery error")
	assert.ErrorIs(t, byScope[folderScope(1)], kms.ErrNotFound, "folder 1, deleted")
	assert.Len(t, byScope, 2, "the cloud's own scope had finished (of no keys): not listed again")
}

// TestFleetObserverNamesTheFolders: a Fleet's observer is told of every
// request of a listing once, named by its folder's scope, and of each
// folder's start and end, a denied folder's failure included.
func TestFleetObserverNamesTheFolders(t *testing.T) {
	rm, discover := resumeCloud(t, 0, 1, 2)
	var mu sync.Mutex
	requests := map[string]int{}
	ends := map[pagination.EventKind][]string{}
	f := discover(yandexkms.WithObserver(func(e pagination.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case pagination.EventRequest:
			requests[e.Scope]++
		case pagination.EventScopeStarted, pagination.EventScopeDone, pagination.EventScopeFailed:
			ends[e.Kind] = append(ends[e.Kind], e.Scope)
		}
	}))
	mu.Lock()
	assert.Equal(t, map[string]int{"": 1}, requests, "discovery's one FolderService.List, of no scope")
	clear(requests)
	mu.Unlock()
	rm.DenyFolder(emu.FolderID(1))
	rm.ResetCounts()
	_, err := pagination.Collect(f.ListKeys(context.Background(), kms.ListOptions{PageSize: 2}))
	require.Error(t, err)

	mu.Lock()
	defer mu.Unlock()
	for scope := range requests {
		assert.Contains(t, []string{folderScope(0), folderScope(1), folderScope(2)}, scope)
	}
	for _, i := range []int{0, 2} {
		assert.Equal(t, int(rm.FolderRequests(emu.FolderID(i))), requests[folderScope(i)], "every request of folder %d told once", i)
	}
	// The denied folder's other services' requests, cancelled when its
	// first failed, are told as attempts even if they never reached it.
	assert.GreaterOrEqual(t, requests[folderScope(1)], int(rm.FolderRequests(emu.FolderID(1))))
	assert.NotZero(t, rm.FolderRequests(emu.FolderID(1)))
	assert.ElementsMatch(t, []string{folderScope(0), folderScope(1), folderScope(2)}, ends[pagination.EventScopeStarted])
	assert.ElementsMatch(t, []string{folderScope(0), folderScope(2)}, ends[pagination.EventScopeDone])
	assert.Equal(t, []string{folderScope(1)}, ends[pagination.EventScopeFailed])
}
