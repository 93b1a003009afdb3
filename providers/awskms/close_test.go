package awskms_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// TestCloseClosesTheConnectionsItOwns: a Lister that NewFromConfig or Open
// built owns its HTTP client; Close closes its idle connections, and a
// later call opens a new one.
func TestCloseClosesTheConnectionsItOwns(t *testing.T) {
	isolateAWSConfig(t)
	s := awskmstest.New(awskmstest.WithGeneratedKeys(3))
	t.Cleanup(s.Close)
	fromConfig, err := awskms.NewFromConfig(context.Background(), awskms.WithRegion(s.Region()), awskms.WithEndpoint(s.URL()))
	require.NoError(t, err)
	opened, err := kms.Open(context.Background(), "awskms://?region="+s.Region()+"&endpoint="+url.QueryEscape(s.URL()))
	require.NoError(t, err)
	for _, l := range []kms.Lister{fromConfig, opened} {
		_, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
		require.NoError(t, err)
		require.Equal(t, 1, s.OpenConnections(), "the listing's keep-alive connection stays open")
		require.NoError(t, l.Close())
		waitClosed(t, s)
		_, err = l.DescribeKey(context.Background(), s.Keys()[0].ID)
		assert.NoError(t, err, "a call after Close opens a new connection")
		require.NoError(t, l.Close())
		waitClosed(t, s)
	}
	assert.Equal(t, 4, s.AcceptedConnections())
}

// TestCloseLeavesTheCallersClientAlone: a Lister over the caller's client
// closes nothing: the client's connection is reused after Close.
func TestCloseLeavesTheCallersClientAlone(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(2))
	l := awskms.New(client)
	_, err := l.DescribeKey(context.Background(), s.Keys()[0].ID)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	_, err = l.DescribeKey(context.Background(), s.Keys()[1].ID)
	require.NoError(t, err)
	assert.Equal(t, 1, s.AcceptedConnections(), "the caller's keep-alive connection survives Close")
	assert.Equal(t, 1, s.OpenConnections())
}

// waitClosed waits until the server sees every connection closed; the
// deadline only bounds a failing test.
func waitClosed(t *testing.T, s *awskmstest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.WaitOpenConnections(ctx, 0), "Close closes the idle connection")
}

// TestNewRefusesPlainTextToAPublicHost: a client whose BaseEndpoint is
// plain http to a public host is refused before any request; http to a
// loopback host (a test server) is fine.
func TestNewRefusesPlainTextToAPublicHost(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(1))
	public := kmssdk.NewFromConfig(s.Config(), func(o *kmssdk.Options) { o.BaseEndpoint = aws.String("http://kms.eu-west-1.amazonaws.com") })
	_, err := awskms.New(public).DescribeKey(context.Background(), s.Keys()[0].ID)
	wantParam(t, err, "client BaseEndpoint")
	_, err = awskms.New(client).DescribeKey(context.Background(), s.Keys()[0].ID)
	assert.NoError(t, err)
	_, err = awskms.New(nil).DescribeKey(context.Background(), s.Keys()[0].ID)
	wantParam(t, err, "client")
}
