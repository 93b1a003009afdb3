package alibabakms_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/alibabakms"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   error
		kcode  kms.Code
	}{
		{400, "InvalidParameter", kms.ErrInvalidArgument, kms.CodeInvalidArgument},
		{400, "InvalidParameter.Filters", kms.ErrInvalidArgument, kms.CodeInvalidArgument},
		{404, "Forbidden.KeyNotFound", kms.ErrNotFound, kms.CodeNotFound},
		{404, "Forbidden.ResourceNotFound", kms.ErrNotFound, kms.CodeNotFound},
		{404, "Forbidden.AliasNotFound", kms.ErrNotFound, kms.CodeNotFound},
		{403, "Forbidden.NoPermission", kms.ErrPermissionDenied, kms.CodePermissionDenied},
		{403, "Forbidden.RAM", kms.ErrPermissionDenied, kms.CodePermissionDenied},
		{404, "InvalidAccessKeyId.NotFound", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{400, "SignatureDoesNotMatch", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{403, "InvalidSecurityToken.Expired", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{429, "Rejected.Throttling", kms.ErrThrottled, kms.CodeThrottled},
		{400, "Throttling", kms.ErrThrottled, kms.CodeThrottled},
		{400, "Throttling.User", kms.ErrThrottled, kms.CodeThrottled},
		{503, "Throttling.Api", kms.ErrThrottled, kms.CodeThrottled},
		{429, "SomethingNew", kms.ErrThrottled, kms.CodeThrottled},
		{500, "InternalError", kms.ErrUnavailable, kms.CodeUnavailable},
		{503, "ServiceUnavailable", kms.ErrUnavailable, kms.CodeUnavailable},
		{502, "BadGateway", kms.ErrUnavailable, kms.CodeUnavailable},
		{404, "InvalidAction.NotFound", kms.ErrUnsupported, kms.CodeUnsupported},
		{501, "NotImplemented", kms.ErrUnsupported, kms.CodeUnsupported},
		{431, "RequestHeaderFieldsTooLarge", kms.ErrInvalidArgument, kms.CodeInvalidArgument},
		{400, "InvalidSecurityToken.Expired", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{400, "InvalidSecurityToken.MismatchWithAccessKey", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{400, "MissingSecurityToken", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{403, "Forbidden.AccessKeyDisabled", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{403, "InvalidAccessKeyId.Inactive", kms.ErrUnauthenticated, kms.CodeUnauthenticated},
		{409, "Conflict", nil, kms.CodeUnknown},
	}
	s, l := demo(t, alibabakms.WithRetry(pagination.Retry{MaxAttempts: 1}))
	for _, tc := range cases {
		s.FailNext("DescribeKey", 1, tc.status, tc.code)
		_, err := l.DescribeKey(bg, "key-hzz630494460001")
		var ke *kms.Error
		if !errors.As(err, &ke) || ke.Code != tc.kcode || ke.Op != "DescribeKey" || ke.Provider != kms.ProviderAlibaba {
			t.Errorf("%d %s: got %v", tc.status, tc.code, err)
			continue
		}
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%d %s: errors.Is(%v, %v) is false", tc.status, tc.code, err, tc.want)
		}
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.ErrorCode() != tc.code || se.HttpStatus() != tc.status {
			t.Errorf("%d %s: native ServerError not reachable from %v", tc.status, tc.code, err)
		}
		if !strings.Contains(err.Error(), tc.code) {
			t.Errorf("message %q does not name the code", err)
		}
	}
}

// TestNoCredentialInErrors: a bad secret is answered SignatureDoesNotMatch
// with the server's string to sign (which holds the AccessKeyId); the
// adapter's message holds neither the secret nor the ID.
func TestNoCredentialInErrors(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...))
	t.Cleanup(s.Close)
	id, _ := s.AccessKey()
	const secret = "TopSecretValue0123456789"
	for _, keyID := range []string{id, "LTAIunknownKeyId42"} {
		c, err := alikms.NewClientWithOptions(s.Region(), sdk.NewConfig(), credentials.NewAccessKeyCredential(keyID, secret))
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = s.Host()
		l := alibabakms.New(c)
		_, err = l.DescribeKey(bg, "key-hzz630494460001")
		if !errors.Is(err, kms.ErrUnauthenticated) {
			t.Fatalf("want ErrUnauthenticated, got %v", err)
		}
		_, lerr := kmstest.Collect(l.ListKeys(bg, kms.ListOptions{}))
		for _, e := range []error{err, lerr} {
			msg := e.Error()
			if strings.Contains(msg, secret) || strings.Contains(msg, keyID) || strings.Contains(msg, "Signature=") {
				t.Errorf("credential in error: %s", msg)
			}
		}
	}
}

func TestNetworkErrorHasNoURL(t *testing.T) {
	s := emu.New()
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // nothing listens any more
	id, _ := s.AccessKey()
	l := alibabakms.New(c, alibabakms.WithRetry(pagination.Retry{MaxAttempts: 1}))
	_, err = l.DescribeKey(bg, "key-x")
	if !errors.Is(err, kms.ErrUnavailable) || strings.Contains(err.Error(), id) || strings.Contains(err.Error(), "Signature") {
		t.Fatalf("got %v", err)
	}
}

func TestContextDeadline(t *testing.T) {
	_, l := setup(t, []emu.Option{emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...), emu.WithLatency(time.Hour)})
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	_, err := l.DescribeKey(ctx, "key-hzz630494460001")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("DescribeKey: %v", err)
	}
	ctx2, cancel2 := context.WithCancel(bg)
	it := l.ListKeys(ctx2, kms.ListOptions{Detail: kms.DetailFull})
	time.AfterFunc(10*time.Millisecond, cancel2)
	if _, err := kmstest.Collect(it); !errors.Is(err, context.Canceled) {
		t.Fatalf("ListKeys: %v", err)
	}
}

// TestSDKReadTimeoutIsUnavailable: the SDK's own read timeout, with the
// caller's context still alive, is a retryable transport failure, not a
// context error.
func TestSDKReadTimeoutIsUnavailable(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...), emu.WithLatency(time.Hour))
	t.Cleanup(s.Close)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadTimeout(20 * time.Millisecond)
	_, err = alibabakms.New(c, alibabakms.WithRetry(pagination.Retry{MaxAttempts: 1})).DescribeKey(bg, "alias/app-data")
	var ke *kms.Error
	if !errors.Is(err, kms.ErrUnavailable) || !errors.As(err, &ke) {
		t.Fatalf("got %v", err)
	}
}

// TestThrottlingSlowsTheLimiter: a throttled answer slows the Lister's
// shared limiter down (and is retried unless the policy says otherwise).
func TestThrottlingSlowsTheLimiter(t *testing.T) {
	s, l := demo(t, alibabakms.WithRateLimit(1000, 1), alibabakms.WithRetry(pagination.Retry{MaxAttempts: 1}))
	s.FailNext("DescribeKey", 1, 429, "Rejected.Throttling")
	if _, err := l.DescribeKey(bg, "alias/app-data"); !errors.Is(err, kms.ErrThrottled) {
		t.Fatalf("want ErrThrottled, got %v", err)
	}
	if got := l.Limiter().Limit(); got >= 1000 {
		t.Fatalf("limiter at %v/s after a throttled answer, want below 1000", got)
	}
}
