package awskms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestHostileServers: every broken or hostile answer ends in a classified
// error or a correct listing, by the deadline.
func TestHostileServers(t *testing.T) {
	retry := awskms.WithRetry(pagination.Retry{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	tests := []struct {
		name string
		h    awskmstest.Hostile
		// want is the error class; nil means a correct listing.
		want error
		// unretried: the answer is not worth a second request.
		unretried bool
	}{
		{"truncated body", awskmstest.Hostile{TruncateAfter: 40}, kms.ErrUnavailable, false},
		{"wrong content type, JSON body", awskmstest.Hostile{ContentType: "text/html"}, nil, false},
		{"HTML body", awskmstest.Hostile{ContentType: "text/html", Body: "<html><body>502 Bad Gateway</body></html>"}, errClassified, false},
		{"a padded page of 1 MiB", awskmstest.Hostile{PadBytes: 1 << 20}, nil, false},
		{"a page of 9 MiB", awskmstest.Hostile{PadBytes: 9 << 20}, errClassified, true},
		{"NUL and invalid UTF-8 in key IDs", awskmstest.Hostile{BadKeyIDs: true}, errClassified, true},
		{"a NextMarker of 2,000 bytes", awskmstest.Hostile{NextMarkerBytes: 2000}, errClassified, true},
		{"a NextMarker of 10 MB", awskmstest.Hostile{NextMarkerBytes: 10 << 20}, errClassified, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.h.Op = awskms.OpListKeys
			s, client := setup(t, awskmstest.WithGeneratedKeys(12), awskmstest.WithHostile(tc.h))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			got, err := kmstest.Collect(awskms.New(client, retry).ListKeys(ctx, kms.ListOptions{PageSize: 5}))
			switch {
			case tc.want == nil:
				require.NoError(t, err)
				require.Len(t, got, 12)
				for i, k := range got {
					assert.Equal(t, s.Keys()[i].ID, k.ID)
				}
				return
			case errors.Is(tc.want, errClassified):
				wantClassified(t, err, awskms.OpListKeys)
			default:
				require.ErrorIs(t, err, tc.want)
				wantClassified(t, err, awskms.OpListKeys)
			}
			require.NoError(t, ctx.Err(), "ended before the deadline")
			if tc.unretried {
				assert.Equal(t, 1, s.Requests(awskms.OpListKeys), "one request: no retry, no request with a bad marker")
			}
		})
	}
}

var errClassified = errors.New("any classified error")

func wantClassified(t *testing.T, err error, op string) {
	t.Helper()
	var ke *kms.Error
	require.Error(t, err)
	require.True(t, errors.As(err, &ke), "%v is not a *kms.Error", err)
	assert.Equal(t, kms.ProviderAWS, ke.Provider)
	assert.Equal(t, op, ke.Op)
}

// TestSlowLorisAnswersEndByTheDeadline: an answer trickled a byte every
// 50 ms ends with the caller's deadline, on a listing and on a describe.
func TestSlowLorisAnswersEndByTheDeadline(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(3), awskmstest.WithHostile(awskmstest.Hostile{ByteInterval: 50 * time.Millisecond}))
	l := awskms.New(client)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := kmstest.Collect(l.ListKeys(ctx, kms.ListOptions{}))
	require.Equal(t, context.DeadlineExceeded, err)
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = l.DescribeKey(ctx, s.Keys()[0].ID)
	require.Equal(t, context.DeadlineExceeded, err)
}

// TestHostileDescribeAnswers: a describe whose answer is truncated or not
// JSON leaves the key in the listing with the reason in DetailErr.
func TestHostileDescribeAnswers(t *testing.T) {
	for _, h := range []awskmstest.Hostile{{TruncateAfter: 30}, {Body: "not json"}, {BadKeyIDs: true}} {
		h.Op = awskms.OpDescribeKey
		s, client := setup(t, awskmstest.WithGeneratedKeys(4), awskmstest.WithHostile(h))
		l := awskms.New(client, awskms.WithRetry(pagination.Retry{MaxAttempts: 1}))
		got, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Detail: kms.DetailFull}))
		require.NoError(t, err)
		require.Len(t, got, 4)
		for i, k := range got {
			assert.Equal(t, s.Keys()[i].ID, k.ID)
			wantClassified(t, k.DetailErr, awskms.OpDescribeKey)
		}
	}
}
