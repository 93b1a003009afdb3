package awskms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestMergeOfListersResumesByName: a Lister is named by its Region and
// endpoint, so that a Merge of two Regions' Listers, resumed without the
// first (its Region denied, then dropped from the fleet), resumes the
// second by name: it is neither listed again nor refused.
func TestMergeOfListersResumesByName(t *testing.T) {
	denied := awskmstest.New(awskmstest.WithRegion("eu-test-1"), awskmstest.WithGeneratedKeys(3),
		awskmstest.WithFault(awskmstest.Fault{Op: awskms.OpListKeys, Type: "AccessDeniedException"}))
	t.Cleanup(denied.Close)
	other := awskmstest.New(awskmstest.WithRegion("eu-test-2"), awskmstest.WithGeneratedKeys(3))
	t.Cleanup(other.Close)
	one, two := awskms.New(kmssdk.NewFromConfig(denied.Config())), awskms.New(kmssdk.NewFromConfig(other.Config()))
	assert.Equal(t, "eu-test-2/"+strings.TrimPrefix(*other.Config().BaseEndpoint, "http://"), two.Scope())

	it := kms.Merge(one, two).ListKeys(context.Background(), kms.ListOptions{})
	first, err := pagination.Collect(it)
	require.ErrorIs(t, err, kms.ErrPermissionDenied)
	require.Len(t, first, 3)

	rest, err := pagination.Collect(kms.Merge(two).ListKeys(context.Background(), kms.ListOptions{Cursor: it.Cursor()}))
	var se *kms.ScopeError
	require.True(t, errors.As(err, &se) && errors.Is(err, pagination.ErrScopeGone), "want the dropped Region reported gone, got %v", err)
	assert.Equal(t, "aws/"+one.Scope(), se.Scope)
	assert.Empty(t, rest, "the second Region's keys were all listed before")
}
