package alibabakmstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, opts ...Option) (*Server, *alikms.Client) {
	t.Helper()
	s := New(opts...)
	t.Cleanup(s.Close)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func demo(t *testing.T, opts ...Option) (*Server, *alikms.Client) {
	return start(t, append([]Option{WithKeys(DemoKeys(DefaultAccount)...)}, opts...)...)
}

// serverErr asserts err is a ServerError with the given status and code.
func serverErr(t *testing.T, err error, status int, code string) {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("want ServerError %d %s, got %v", status, code, err)
	}
	if se.HttpStatus() != status || se.ErrorCode() != code {
		t.Fatalf("want %d %s, got %d %s (%s)", status, code, se.HttpStatus(), se.ErrorCode(), se.Message())
	}
}

func listKeys(c *alikms.Client, page, size int, filters string) (*alikms.ListKeysResponse, error) {
	req := alikms.CreateListKeysRequest()
	if page > 0 {
		req.PageNumber = requests.NewInteger(page)
	}
	if size >= 0 {
		req.PageSize = requests.NewInteger(size)
	}
	req.Filters = filters
	return c.ListKeys(req)
}

func TestListKeysPaging(t *testing.T) {
	s, c := demo(t)
	resp, err := listKeys(c, 0, -1, "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.PageNumber != 1 || resp.PageSize != 10 || resp.TotalCount != 14 || len(resp.Keys.Key) != 10 || resp.RequestId == "" {
		t.Fatalf("first page: %+v", resp)
	}
	if k := resp.Keys.Key[0]; k.KeyId != "key-hzz630494460001" || k.KeyArn != s.ARN(k.KeyId) ||
		k.KeyArn != "acs:kms:cn-hangzhou:1234567890123456:key/key-hzz630494460001" {
		t.Fatalf("key: %+v", k)
	}
	resp, err = listKeys(c, 2, 10, "")
	if err != nil || len(resp.Keys.Key) != 4 || resp.PageNumber != 2 {
		t.Fatalf("second page: %+v, %v", resp, err)
	}
	resp, err = listKeys(c, 3, 10, "")
	if err != nil || len(resp.Keys.Key) != 0 || resp.TotalCount != 14 {
		t.Fatalf("past the end: %+v, %v", resp, err)
	}
	if s.Count("ListKeys") != 3 || s.Requests() != 3 {
		t.Fatalf("counts %d %d", s.Count("ListKeys"), s.Requests())
	}
}

func TestListKeysBadPageSize(t *testing.T) {
	_, c := demo(t)
	for _, size := range []int{0, 101, -1} {
		req := alikms.CreateListKeysRequest()
		req.PageSize = requests.NewInteger(size)
		_, err := c.ListKeys(req)
		serverErr(t, err, 400, "InvalidParameter")
	}
	req := alikms.CreateListKeysRequest()
	req.PageNumber = "x"
	_, err := c.ListKeys(req)
	serverErr(t, err, 400, "InvalidParameter")
}

func TestListKeysFilters(t *testing.T) {
	_, c := demo(t)
	cases := []struct {
		filters string
		want    int
	}{
		{`[{"Key":"KeyState", "Values":["Enabled","Disabled"]}]`, 12},
		{`[{"Key":"KeyState","Values":["Enabled","Disabled"]},{"Key":"KeyState","Values":["PendingDeletion"]},{"Key":"KeySpec","Values":["Aliyun_AES_256"]}]`, 5},
		{`[{"Key":"KeyUsage","Values":["SIGN/VERIFY"]},{"Key":"ProtectionLevel","Values":["HSM"]}]`, 2},
		{`[{"Key":"CreatorType","Values":["Service"]}]`, 2},
		{`[{"Key":"DKMSInstanceId","Values":["kst-hzz65f176a0ogplgq****"]}]`, 1},
		{`[{"Key":"KeyState","Values":[]}]`, 14},
		{`[]`, 14},
	}
	for _, tc := range cases {
		resp, err := listKeys(c, 1, 100, tc.filters)
		if err != nil || resp.TotalCount != tc.want || len(resp.Keys.Key) != tc.want {
			t.Errorf("%s: %v, %+v", tc.filters, err, resp)
		}
	}
	many := "["
	for i := 0; i < 11; i++ {
		many += `{"Key":"KeyState","Values":["Enabled"]},`
	}
	bad := []string{
		`{"Key":"KeyState"}`, `[{"Key":"Color","Values":["red"]}]`, `[{"Key":"KeyState","Values":["Gone"]}]`,
		`[{"Key":"KeyState","Values":["Enabled","Enabled","Enabled","Enabled","Enabled","Enabled","Enabled","Enabled","Enabled","Enabled","Enabled"]}]`,
		many[:len(many)-1] + "]", `[{"Key":"DKMSInstanceId","Values":["abc"]}]`, `[1]`, `[{"Key":"KeyState","Values":["Enabled"],"X":1}]`,
	}
	for _, f := range bad {
		_, err := listKeys(c, 1, 10, f)
		serverErr(t, err, 400, "InvalidParameter")
	}
}

func TestDescribeKey(t *testing.T) {
	s, c := demo(t)
	for _, ref := range []string{"key-hzz630494460001", "alias/app-data", s.ARN("key-hzz630494460001")} {
		req := alikms.CreateDescribeKeyRequest()
		req.KeyId = ref
		resp, err := c.DescribeKey(req)
		if err != nil {
			t.Fatal(err)
		}
		m := resp.KeyMetadata
		want := alikms.KeyMetadata{
			KeyId: "key-hzz630494460001", Arn: s.ARN("key-hzz630494460001"), KeyState: "Enabled",
			KeySpec: "Aliyun_AES_256", KeyUsage: "ENCRYPT/DECRYPT", ProtectionLevel: "SOFTWARE", Origin: "Aliyun_KMS",
			Creator: DefaultAccount, CreationDate: "2024-03-02T10:42:40Z", Description: "demo key 1",
			AutomaticRotation: "Enabled", RotationInterval: "31536000s", LastRotationDate: "2024-03-20T10:42:40Z",
			NextRotationDate: "2025-03-20T10:42:40Z", DeletionProtection: "Enabled",
			DeletionProtectionDescription: "protects prod data", PrimaryKeyVersion: "key-hzz630494460001-v2",
		}
		if m != want {
			t.Fatalf("%s:\n got %+v\nwant %+v", ref, m, want)
		}
	}
	req := alikms.CreateDescribeKeyRequest()
	req.KeyId = "key-missing"
	_, err := c.DescribeKey(req)
	serverErr(t, err, 404, "Forbidden.KeyNotFound")
}

func TestDeniedKey(t *testing.T) {
	keys := DemoKeys(DefaultAccount)
	keys[2].DenyDescribe = true
	_, c := start(t, WithKeys(keys...))
	req := alikms.CreateDescribeKeyRequest()
	req.KeyId = keys[2].ID
	_, err := c.DescribeKey(req)
	serverErr(t, err, 403, "Forbidden.NoPermission")
}

func TestKeyVersions(t *testing.T) {
	_, c := demo(t)
	req := alikms.CreateListKeyVersionsRequest()
	req.KeyId = "key-hzz630494460002"
	_, err := c.ListKeyVersions(req)
	serverErr(t, err, 400, "InvalidParameter") // PageNumber is required
	for _, size := range []int{0, 1, 101} {
		req.PageNumber = requests.NewInteger(1)
		req.PageSize = requests.NewInteger(size)
		resp, err := c.ListKeyVersions(req)
		if err != nil || resp.TotalCount != 3 || len(resp.KeyVersions.KeyVersion) != min(3, max(size, 10*boolInt(size == 0))) {
			t.Fatalf("size %d: %+v %v", size, resp, err)
		}
		if v := resp.KeyVersions.KeyVersion[0]; v.KeyId != req.KeyId || v.KeyVersionId != "key-hzz630494460002-v1" || v.CreationDate != "2024-03-01T10:42:40Z" {
			t.Fatalf("version %+v", v)
		}
	}
	req.PageSize = requests.NewInteger(102)
	_, err = c.ListKeyVersions(req)
	serverErr(t, err, 400, "InvalidParameter")

	dreq := alikms.CreateDescribeKeyVersionRequest()
	dreq.KeyId, dreq.KeyVersionId = "alias/dkms", "key-hzz630494460002-v3"
	dresp, err := c.DescribeKeyVersion(dreq)
	if err != nil || dresp.KeyVersion.KeyVersionId != dreq.KeyVersionId || dresp.KeyVersion.KeyId != "key-hzz630494460002" {
		t.Fatalf("%+v %v", dresp, err)
	}
	dreq.KeyVersionId = "nope"
	_, err = c.DescribeKeyVersion(dreq)
	serverErr(t, err, 404, "Forbidden.ResourceNotFound")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestAliasesAndTags(t *testing.T) {
	s, c := demo(t)
	areq := alikms.CreateListAliasesByKeyIdRequest()
	areq.KeyId = "key-hzz630494460001"
	aresp, err := c.ListAliasesByKeyId(areq)
	if err != nil || aresp.TotalCount != 2 || len(aresp.Aliases.Alias) != 2 {
		t.Fatalf("%+v %v", aresp, err)
	}
	if a := aresp.Aliases.Alias[1]; a.AliasName != "alias/app-data-backup" || a.KeyId != areq.KeyId ||
		a.AliasArn != fmt.Sprintf("acs:kms:%s:%s:alias/app-data-backup", s.Region(), s.Account()) {
		t.Fatalf("alias %+v", a)
	}
	treq := alikms.CreateListResourceTagsRequest()
	treq.KeyId = "key-hzz630494460001"
	tresp, err := c.ListResourceTags(treq)
	if err != nil || len(tresp.Tags.Tag) != 2 || tresp.Tags.Tag[1] != (alikms.Tag{TagKey: "team", TagValue: "payments", KeyId: treq.KeyId}) {
		t.Fatalf("%+v %v", tresp, err)
	}
}

func TestAuthentication(t *testing.T) {
	s := New(WithKeys(DemoKeys(DefaultAccount)...))
	t.Cleanup(s.Close)
	for _, tc := range []struct {
		id, secret string
		status     int
		code       string
	}{
		{DefaultAccessKeyID, "wrong-secret", 400, "SignatureDoesNotMatch"},
		{"LTAIunknown", DefaultAccessKeySecret, 404, "InvalidAccessKeyId.NotFound"},
	} {
		cfg := sdk.NewConfig()
		c, err := alikms.NewClientWithOptions(s.Region(), cfg, credentials.NewAccessKeyCredential(tc.id, tc.secret))
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = s.Host()
		_, err = listKeys(c, 1, 10, "")
		serverErr(t, err, tc.status, tc.code)
	}
}

func TestKnobs(t *testing.T) {
	s, c := start(t, WithGeneratedKeys(250, 7), WithReadQuota(0.001, 2),
		WithTotalCount(func(action string, call, actual int) int { return actual + call }))
	for i := 0; i < 2; i++ {
		resp, err := listKeys(c, 25, 10, "")
		if err != nil || resp.TotalCount != 251+i || len(resp.Keys.Key) != 10 {
			t.Fatalf("%+v %v", resp, err)
		}
	}
	_, err := listKeys(c, 1, 10, "")
	serverErr(t, err, http.StatusTooManyRequests, "Rejected.Throttling")
	if s.Throttled() != 1 || s.Count("ListKeys") != 3 {
		t.Fatalf("throttled %d, count %d", s.Throttled(), s.Count("ListKeys"))
	}
	// The quota is spent, but a request that fails authentication says so.
	bad, err := alikms.NewClientWithOptions(s.Region(), sdk.NewConfig(), credentials.NewAccessKeyCredential(DefaultAccessKeyID, "wrong-secret"))
	if err != nil {
		t.Fatal(err)
	}
	bad.Domain = s.Host()
	_, err = listKeys(bad, 1, 10, "")
	serverErr(t, err, http.StatusBadRequest, "SignatureDoesNotMatch")
	if s.Throttled() != 1 {
		t.Fatalf("an unauthenticated request was throttled")
	}

	s2, c2 := start(t, WithGeneratedKeys(3, 1), WithLatency(time.Millisecond))
	s2.FailNext("DescribeKey", 1, 503, "ServiceUnavailableError")
	req := alikms.CreateDescribeKeyRequest()
	req.KeyId = fmt.Sprintf(generatedIDFormat, 1, 2)
	_, err = c2.DescribeKey(req)
	serverErr(t, err, 503, "ServiceUnavailableError")
	resp, err := c2.DescribeKey(req)
	if err != nil || resp.KeyMetadata.KeyId != req.KeyId {
		t.Fatalf("%+v %v", resp, err)
	}
	req.KeyId = "alias/gen1-1"
	if resp, err = c2.DescribeKey(req); err != nil || resp.KeyMetadata.KeyId != fmt.Sprintf(generatedIDFormat, 1, 1) {
		t.Fatalf("%+v %v", resp, err)
	}
	s2.AddKeys(Key{ID: "key-late", State: "Enabled"})
	if r, err := listKeys(c2, 1, 10, ""); err != nil || r.TotalCount != 4 || r.Keys.Key[0].KeyId != "key-late" {
		t.Fatalf("%+v %v", r, err)
	}
	if !s2.RemoveKey("key-late") || s2.RemoveKey("key-late") {
		t.Fatal("RemoveKey")
	}
}

func TestSignatureMatchesSDK(t *testing.T) {
	// A known vector: the SDK's own algorithm gives the same string to sign.
	params := map[string][]string{"Action": {"ListKeys"}, "Filters": {`[{"Key":"KeyState","Values":["Enabled"]}]`}, "Signature": {"x"}, "A~b": {"c d*"}}
	got := StringToSign("POST", params)
	want := "POST&%2F&Action%3DListKeys%26A~b%3Dc%2520d%252A%26Filters%3D%255B%257B%2522Key%2522%253A%2522KeyState%2522%252C%2522Values%2522%253A%255B%2522Enabled%2522%255D%257D%255D"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// rpcQuery is a hand-made ListKeys request of s's access key; signedGet
// signs and sends it.
func rpcQuery(s *Server, nonce, timestamp string) url.Values {
	id, _ := s.AccessKey()
	return url.Values{"Action": {"ListKeys"}, "Version": {APIVersion}, "Format": {"JSON"}, "AccessKeyId": {id},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {nonce}, "Timestamp": {timestamp}}
}

// signedGet signs q with s's secret, sends it and returns the answer's
// status and error Code.
func signedGet(t *testing.T, s *Server, q url.Values) (status int, code string) {
	t.Helper()
	_, secret := s.AccessKey()
	q.Set("Signature", Sign(StringToSign("GET", q), secret))
	resp, err := http.Get(s.URL() + "/?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Code string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Code
}

func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05Z") }

// TestTimestampChecked sends hand-signed requests with a bad and a stale
// Timestamp; a fresh one goes through.
func TestTimestampChecked(t *testing.T) {
	s := New(WithKeys(DemoKeys(DefaultAccount)...))
	t.Cleanup(s.Close)
	for ts, want := range map[string]int{
		"yesterday": 400, time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05Z"): 400,
		now(): 200,
	} {
		if status, _ := signedGet(t, s, rpcQuery(s, ts, ts)); status != want {
			t.Errorf("Timestamp %q: status %d, want %d", ts, status, want)
		}
	}
}

// TestRPCParametersChecked sends hand-signed requests with a wrong Version,
// a Format other than JSON, and an unknown or missing Action.
func TestRPCParametersChecked(t *testing.T) {
	s := New(WithKeys(DemoKeys(DefaultAccount)...))
	t.Cleanup(s.Close)
	for _, tc := range []struct {
		name, param, value string
		status             int
		code               string
	}{
		{"wrong version", "Version", "2020-01-01", 400, "InvalidVersion"},
		{"XML format", "Format", "XML", 400, "InvalidParameter"},
		{"unknown action", "Action", "Encrypt2", 404, "InvalidAction.NotFound"},
		{"no action", "Action", "", 404, "InvalidAction.NotFound"},
		{"all well", "", "", 200, ""},
	} {
		q := rpcQuery(s, tc.name, now())
		if tc.param != "" {
			q.Set(tc.param, tc.value)
		}
		if status, code := signedGet(t, s, q); status != tc.status || code != tc.code {
			t.Errorf("%s: %d %q, want %d %q", tc.name, status, code, tc.status, tc.code)
		}
	}
}

// TestReplayedNonceRefused sends the same signed request twice: the second
// is a replay, refused as the cloud does.
func TestReplayedNonceRefused(t *testing.T) {
	s := New(WithKeys(DemoKeys(DefaultAccount)...))
	t.Cleanup(s.Close)
	q := rpcQuery(s, "once", now())
	for i, want := range []struct {
		status int
		code   string
	}{{200, ""}, {400, "SignatureNonceUsed"}} {
		if status, code := signedGet(t, s, q); status != want.status || code != want.code {
			t.Errorf("request %d: %d %q, want %d %q", i+1, status, code, want.status, want.code)
		}
	}
}
