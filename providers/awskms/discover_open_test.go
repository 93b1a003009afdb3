package awskms_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestOpenDiscoveryURL: kms.Open hands a discovery URL to NewFleet; a bad
// one is refused naming the parameter before any request.
func TestOpenDiscoveryURL(t *testing.T) {
	c := cloud(t, awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 2},
		awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1"}, Keys: 2}))
	cr, err := c.Config().Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	t.Setenv("AWS_ACCESS_KEY_ID", cr.AccessKeyID) // the Cloud's own, good for it only
	t.Setenv("AWS_SECRET_ACCESS_KEY", cr.SecretAccessKey)
	ep := "&endpoint=" + url.QueryEscape(c.URL())

	l, err := kms.Open(context.Background(), "awskms://?organization=*&region=*"+ep)
	require.NoError(t, err)
	defer l.Close()
	f, ok := l.(*awskms.Fleet)
	require.True(t, ok, "a discovery URL opens a Fleet")
	assert.Equal(t, []string{mgmt + "/eu-west-1", mgmt + "/us-east-1", member1 + "/eu-west-1"}, f.Scopes())
	keys, err := collect(t, l, kms.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, keys, 6)

	one, err := kms.Open(context.Background(), "awskms://?region=eu-west-1"+ep)
	require.NoError(t, err)
	defer one.Close()
	_, isFleet := one.(*awskms.Fleet)
	assert.False(t, isFleet, "one Region without discovery is one Lister")

	before := c.TotalRequests()
	for raw, param := range map[string]string{
		"awskms://?region=*,eu-west-1":         "region",
		"awskms://?region=*&role_arn=arn:x":    "role_arn",
		"awskms://?organization=o-X":           "organization",
		"awskms://?region=*&member_role=Audit": "member_role",
		"awskms://?region=*&session_name=a":    "session_name",
		"awskms://?organization=*&regoin=*":    "regoin",
	} {
		l, err := kms.Open(context.Background(), raw+ep)
		assert.Nil(t, l, raw)
		assert.ErrorIs(t, err, kms.ErrInvalidArgument, raw)
		assert.ErrorContains(t, err, param, raw)
	}
	assert.Equal(t, before, c.TotalRequests(), "no request for a bad URL")
}
