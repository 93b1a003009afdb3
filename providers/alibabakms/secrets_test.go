package alibabakms_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
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

// Planted secrets: none may appear in any error, native or not.
const (
	plantedKeyID  = "LTAIplantedKeyId4242"
	plantedSecret = "PlantedSecretValue0123456789"
	plantedToken  = "CAIS.PlantedStsToken+9876/abcdefXYZ=="
	plantedPass   = "PlantedUrlPassword77"
)

// chainTexts returns every text an error chain exposes: each error's
// message, and the fields of the SDK's error types (message,
// recommendation, comment, headers, access-denied detail, origin, URL).
func chainTexts(err error) []string {
	var out []string
	var visit func(error)
	visit = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e.Error())
		switch n := e.(type) {
		case *sdkerrors.ServerError:
			out = append(out, n.Message(), n.Recommend(), n.Comment(), fmt.Sprint(n.RespHeaders), fmt.Sprint(n.AccessDeniedDetail()))
		case *sdkerrors.ClientError:
			out = append(out, n.Message())
			visit(n.OriginError())
		case *url.Error:
			out = append(out, n.URL)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			visit(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, w := range u.Unwrap() {
				visit(w)
			}
		}
	}
	visit(err)
	return out
}

// assertClean fails if any text of err's chain holds a planted secret, the
// token in any encoding, a signature or a string to sign.
func assertClean(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	bad := []string{plantedKeyID, plantedSecret, plantedToken, url.QueryEscape(plantedToken),
		url.QueryEscape(url.QueryEscape(plantedToken)), plantedPass, "Signature=", "Signature%3D"}
	for _, text := range chainTexts(err) {
		for _, b := range bad {
			if strings.Contains(text, b) {
				t.Errorf("%s: %q leaks %q", what, text, b)
			}
		}
		if i := strings.Index(text, "string to sign is:"); i >= 0 && !strings.HasPrefix(text[i:], "string to sign is: [redacted]") {
			t.Errorf("%s: %q quotes a string to sign", what, text)
		}
	}
}

// stsClient returns an SDK client for addr signed with the planted STS
// credentials (and secret, unless secret is given).
func stsClient(t *testing.T, region, addr, keyID, secret string) *alikms.Client {
	cfg := sdk.NewConfig()
	cfg.Scheme = "HTTP"
	c, err := alikms.NewClientWithOptions(region, cfg, credentials.NewStsTokenCredential(keyID, secret, plantedToken))
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = addr
	return c
}

// TestNoSecretInAnyError triggers every error path it can with planted
// credentials and scans each error's whole Unwrap chain.
func TestNoSecretInAnyError(t *testing.T) {
	s := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...), emu.WithAccessKey(plantedKeyID, "TheRealSecret0123456789"),
		emu.WithSecurityToken(plantedToken))
	t.Cleanup(s.Close)
	one := alibabakms.WithRetry(pagination.Retry{MaxAttempts: 1})
	errs := map[string]error{}

	// SignatureDoesNotMatch: the server quotes its string to sign, which
	// holds the AccessKeyId and the SecurityToken.
	wrong := alibabakms.New(stsClient(t, s.Region(), s.Host(), plantedKeyID, plantedSecret), one)
	_, errs["signature DescribeKey"] = wrong.DescribeKey(bg, "alias/app-data")
	_, errs["signature ListKeys"] = kmstest.Collect(wrong.ListKeys(bg, kms.ListOptions{Detail: kms.DetailFull}))
	var se *sdkerrors.ServerError
	if !errors.As(errs["signature DescribeKey"], &se) || se.ErrorCode() != "SignatureDoesNotMatch" || se.HttpStatus() != 400 ||
		!errors.Is(errs["signature DescribeKey"], kms.ErrUnauthenticated) {
		t.Errorf("SignatureDoesNotMatch not reachable as the SDK's ServerError: %v", errs["signature DescribeKey"])
	}
	// A closed port: the transport error quotes the request URL, whose
	// query holds AccessKeyId, Signature and SecurityToken.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dead := alibabakms.New(stsClient(t, s.Region(), addr, plantedKeyID, plantedSecret), one)
	_, errs["closed port"] = dead.DescribeKey(bg, "alias/app-data")
	var ue *url.Error
	if !errors.As(errs["closed port"], &ue) || !errors.Is(errs["closed port"], kms.ErrUnavailable) {
		t.Errorf("closed port: *url.Error not reachable: %v", errs["closed port"])
	}
	// A server echoing the token in a broken answer, and in an error.
	echo := emu.New(emu.WithKeys(emu.DemoKeys(emu.DefaultAccount)...), emu.WithAccessKey(plantedKeyID, plantedSecret),
		emu.WithSecurityToken(plantedToken), emu.WithHostile(emu.Hostile{Rewrite: func([]byte) []byte {
			return []byte(`{"RequestId":"r","Keys":` + plantedToken + ` SecurityToken=` + plantedToken + `}`)
		}}))
	t.Cleanup(echo.Close)
	le := alibabakms.New(stsClient(t, echo.Region(), echo.Host(), plantedKeyID, plantedSecret), one)
	_, errs["echoed in a body"] = kmstest.Collect(le.ListKeys(bg, kms.ListOptions{}))
	echo.FailNext("DescribeKey", 1, 403, "Forbidden.NoPermission")
	_, errs["echo-free error"] = le.DescribeKey(bg, "alias/app-data")
	// A token the server does not know; a slow answer cut by the SDK's
	// read timeout.
	other := emu.New(emu.WithAccessKey(plantedKeyID, plantedSecret), emu.WithSecurityToken("another-token-000"))
	t.Cleanup(other.Close)
	_, errs["token mismatch"] = alibabakms.New(stsClient(t, other.Region(), other.Host(), plantedKeyID, plantedSecret), one).DescribeKey(bg, "alias/x")
	slow := emu.New(emu.WithAccessKey(plantedKeyID, plantedSecret), emu.WithSecurityToken(plantedToken), emu.WithLatency(time.Hour))
	t.Cleanup(slow.Close)
	sc := stsClient(t, slow.Region(), slow.Host(), plantedKeyID, plantedSecret)
	sc.SetReadTimeout(20 * time.Millisecond)
	_, errs["read timeout"] = alibabakms.New(sc, one).DescribeKey(bg, "alias/x")
	// Credentials and passwords given in URLs and options.
	clearEnv(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", plantedKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", plantedSecret)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", plantedToken)
	for _, u := range []string{
		"alibabakms://" + plantedKeyID + ":" + plantedPass + "@?region=cn-hangzhou",
		"alibabakms://?region=cn-hangzhou&endpoint=https://u:" + plantedPass + "@kms.example",
		"alibabakms://?region=cn-hangzhou&endpoint=kms.example:" + plantedPass,
		"alibabakms://?region=cn-hangzhou&endpoint=http://kms.example/" + plantedPass,
		"alibabakms://?region=cn-hangzhou&profile=" + plantedPass,
		"alibabakms://?region=cn-hangzhou&rate=" + plantedPass,
		"alibabakms://?region=" + plantedPass + "%25",
	} {
		_, errs[u] = kms.Open(bg, u)
	}
	_, errs["NewFromConfig endpoint"] = alibabakms.NewFromConfig(bg, alibabakms.WithRegion("cn-hangzhou"), alibabakms.WithEndpoint("https://x:"+plantedPass+"@h"))
	for what, err := range errs {
		assertClean(t, what, err)
		var ke *kms.Error
		if !errors.As(err, &ke) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v is not a *kms.Error", what, err)
		}
	}
}
