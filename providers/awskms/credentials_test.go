package awskms_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// noCredentials leaves the default chain nothing to find: no environment
// keys, empty shared files, no container or instance role.
func noCredentials(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestNoCredentialsInTheChainIsUnauthenticated(t *testing.T) {
	noCredentials(t)
	s := awskmstest.New(awskmstest.WithGeneratedKeys(2))
	t.Cleanup(s.Close)
	l, err := awskms.NewFromConfig(context.Background(), awskms.WithRegion(s.Region()), awskms.WithEndpoint(s.URL()))
	require.NoError(t, err, "NewFromConfig fetches no credentials")
	defer l.Close()
	_, err = l.DescribeKey(context.Background(), s.Keys()[0].ID)
	wantUnauthenticated(t, err, awskms.OpDescribeKey)
	_, err = kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
	wantUnauthenticated(t, err, awskms.OpListKeys)
	assert.Zero(t, s.TotalRequests(), "nothing is sent unsigned, nothing is retried")
}

func TestCredentialProviderFailuresAreUnauthenticated(t *testing.T) {
	s, _ := setup(t, awskmstest.WithGeneratedKeys(1))
	cfg := s.Config()
	calls := 0
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		calls++
		return aws.Credentials{}, errors.New("the SSO token has expired")
	})
	l := awskms.New(kmssdk.NewFromConfig(cfg))
	_, err := l.DescribeKey(context.Background(), s.Keys()[0].ID)
	wantUnauthenticated(t, err, awskms.OpDescribeKey)
	assert.Equal(t, 1, calls, "an unauthenticated call is not retried")
	assert.Zero(t, s.TotalRequests())
}

func wantUnauthenticated(t *testing.T, err error, op string) {
	t.Helper()
	var ke *kms.Error
	require.ErrorIs(t, err, kms.ErrUnauthenticated)
	require.True(t, errors.As(err, &ke))
	assert.Equal(t, kms.ProviderAWS, ke.Provider)
	assert.Equal(t, op, ke.Op)
}
