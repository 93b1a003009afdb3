package awskms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestDescribeKeyJoinsTheKeysAliases(t *testing.T) {
	keys := awskmstest.GenerateKeys(120)
	keys[3].Aliases = []string{"alias/a", "alias/b", "alias/team:c"}
	s, client := setup(t, awskmstest.WithKeys(keys...))
	l := awskms.New(client)
	for _, ref := range []string{keys[3].ID, "alias/b"} {
		s.ResetCounts()
		k, err := l.DescribeKey(context.Background(), ref)
		require.NoError(t, err)
		assert.Equal(t, keys[3].ID, k.ID)
		assert.Equal(t, kms.DetailFull, k.Detail)
		assert.Equal(t, keys[3].Aliases, k.Aliases)
		assert.NoError(t, k.DetailErr)
		var entries []types.AliasListEntry
		require.True(t, k.As(&entries), "[]types.AliasListEntry for As")
		assert.Equal(t, 1, s.Requests(awskms.OpListAliases), "the aliases of one key, not of the account (40 aliases)")
		assert.Nil(t, k.Labels, "no tags without IncludeTags")
	}
	// The same content as a DetailFull listing gives.
	listed, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
	require.NoError(t, err)
	described, err := l.DescribeKey(context.Background(), keys[3].ID)
	require.NoError(t, err)
	assert.Equal(t, listed[3].Aliases, described.Aliases)
	assert.Equal(t, listed[3].Detail, described.Detail)
	// kms.Describe adds the extras an Include asks for.
	tagged, err := kms.Describe(context.Background(), l, keys[4].ID, kms.IncludeTags)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "dev", "team": "t4"}, tagged.Labels)
}

func TestDescribeKeyKeepsTheKeyWhenItsAliasesFail(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(3),
		awskmstest.WithFault(awskmstest.Fault{Op: awskms.OpListAliases, Type: "AccessDeniedException"}))
	k, err := awskms.New(client).DescribeKey(context.Background(), s.Keys()[0].ID)
	require.NoError(t, err)
	assert.Equal(t, s.Keys()[0].ID, k.ID)
	assert.Equal(t, kms.StateEnabled, k.State)
	assert.ErrorIs(t, k.DetailErr, kms.ErrPermissionDenied)
}

func TestForeignReferencesAreRefusedAtOnce(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(1))
	l := awskms.New(client)
	for _, ref := range []string{
		"acs:kms:cn-hangzhou:123456789012:key/key-hzz62f1cb66fa42qo3r2q", // Alibaba
		"abjd5eq0m5t8pjssq1k5",                   // a Yandex key ID
		"key-hzz62f1cb66fa42qo3r2q",              // an Alibaba key ID
		"projects/p/locations/l/keyRings/r",      // Google
		"arn:aws:kms:us-east-1:111122223333:key", // no key
		"0d990263-018e-4e65-a703-eff731de951e\x00",
		string([]byte{0xff, 0xfe}),
	} {
		_, err := l.DescribeKey(context.Background(), ref)
		wantParam(t, err, "keyRef")
		assert.NotContains(t, err.Error(), ref, "the reference is not quoted")
		_, err = kmstest.Collect(l.ListKeyVersions(context.Background(), ref, kms.ListOptions{}))
		wantParam(t, err, "keyRef")
	}
	assert.Zero(t, s.TotalRequests())
}

func TestCursorScopeIncludesTheFilter(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(30))
	// No prefetch: a page fetched ahead and cancelled by the break could
	// reach the server after the counts are reset.
	l := awskms.New(client, awskms.WithPrefetch(0))
	enabled := kms.Filter{States: []kms.KeyState{kms.StateEnabled}}
	cursorOf := func(opts kms.ListOptions) string {
		it := l.ListKeys(context.Background(), opts)
		for _, err := range it.All() {
			require.NoError(t, err)
			break
		}
		return it.Cursor()
	}
	unfiltered := cursorOf(kms.ListOptions{PageSize: 5})
	filtered := cursorOf(kms.ListOptions{PageSize: 5, Filter: enabled})
	s.ResetCounts()
	for _, tc := range []kms.ListOptions{
		{Cursor: unfiltered, Filter: enabled},
		{Cursor: filtered},
		{Cursor: filtered, Filter: kms.Filter{States: []kms.KeyState{kms.StateDisabled}}},
	} {
		_, err := kmstest.Collect(l.ListKeys(context.Background(), tc))
		var ke *kms.Error
		require.ErrorIs(t, err, kms.ErrInvalidCursor)
		require.True(t, errors.As(err, &ke), "a cursor error is a *kms.Error: %v", err)
		assert.Equal(t, kms.ProviderAWS, ke.Provider)
		assert.Equal(t, awskms.OpListKeys, ke.Op)
		assert.Equal(t, 1, strings.Count(err.Error(), "kms:"), err.Error())
	}
	assert.Zero(t, s.TotalRequests(), "refused before any request")
	// Detail and Include are not part of the scope.
	rest, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Cursor: unfiltered, Detail: kms.DetailFull, Include: kms.IncludeTags}))
	require.NoError(t, err)
	assert.Len(t, rest, 29)
}

func TestListKeyVersionsRefusesWhatItCannotHonour(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(1))
	l := awskms.New(client)
	for param, opts := range map[string]kms.ListOptions{
		"Filter":  {Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}},
		"Detail":  {Detail: kms.DetailFull},
		"Include": {Include: kms.IncludeTags},
	} {
		_, err := kmstest.Collect(l.ListKeyVersions(context.Background(), s.Keys()[0].ID, opts))
		wantParam(t, err, param)
	}
	_, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: 7}))
	wantParam(t, err, "Detail")
	_, err = kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Include: 1 << 9}))
	wantParam(t, err, "Include")
	assert.Zero(t, s.TotalRequests())
}
