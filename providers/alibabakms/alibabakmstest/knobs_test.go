package alibabakmstest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
)

func describe(c *alikms.Client, ref string) (*alikms.DescribeKeyResponse, error) {
	req := alikms.CreateDescribeKeyRequest()
	req.KeyId = ref
	return c.DescribeKey(req)
}

func TestSecurityToken(t *testing.T) {
	s, c := demo(t, WithSecurityToken("STS.token-1"))
	if s.SecurityToken() != "STS.token-1" {
		t.Fatal(s.SecurityToken())
	}
	if _, err := describe(c, "alias/app-data"); err != nil {
		t.Fatalf("the server's own client: %v", err)
	}
	for token, code := range map[string]string{"": "MissingSecurityToken", "STS.other": "InvalidSecurityToken.MismatchWithAccessKey"} {
		cfg := sdk.NewConfig()
		cfg.Scheme = "HTTP"
		id, secret := s.AccessKey()
		var cred any = credentials.NewAccessKeyCredential(id, secret)
		if token != "" {
			cred = credentials.NewStsTokenCredential(id, secret, token)
		}
		other, err := alikms.NewClientWithOptions(s.Region(), cfg, cred)
		if err != nil {
			t.Fatal(err)
		}
		other.Domain = s.Host()
		_, err = describe(other, "alias/app-data")
		serverErr(t, err, 400, code)
	}
}

func TestAliasARN(t *testing.T) {
	s, c := demo(t)
	resp, err := describe(c, "acs:kms:"+s.Region()+":"+s.Account()+":alias/app-data")
	if err != nil || resp.KeyMetadata.KeyId != "key-hzz630494460001" {
		t.Fatalf("%+v %v", resp, err)
	}
	_, err = describe(c, "acs:kms:"+s.Region()+":999:alias/app-data")
	serverErr(t, err, 404, "Forbidden.KeyNotFound")
}

// hostileGet sends a signed ListKeys and returns the answer.
func hostileGet(t *testing.T, s *Server) (*http.Response, error) {
	q := rpcQuery(s, "nonce-"+time.Now().Format(time.RFC3339Nano), now())
	q.Set("Action", "ListKeys")
	q.Set("Signature", Sign(StringToSign("GET", q), s.secret))
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL()+"/?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return http.DefaultClient.Do(req)
}

func TestHostile(t *testing.T) {
	t.Run("rewrite and content type", func(t *testing.T) {
		s, _ := demo(t, WithHostile(Hostile{Action: "ListKeys", ContentType: "text/html", Rewrite: func(b []byte) []byte {
			return append([]byte("<!--"), b...)
		}}))
		resp, err := hostileGet(t, s)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Content-Type") != "text/html" || !strings.HasPrefix(string(b), `<!--{"RequestId"`) {
			t.Fatalf("%s %q", resp.Header.Get("Content-Type"), b)
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s, _ := demo(t, WithHostile(Hostile{Truncate: 10}))
		resp, err := hostileGet(t, s)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if len(b) != 10 || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("%d bytes, %v", len(b), err)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		_, c := demo(t, WithHostile(Hostile{Action: "ListKeys", Trickle: time.Millisecond}))
		req := alikms.CreateListKeysRequest()
		req.PageSize = requests.NewInteger(1)
		resp, err := c.ListKeys(req)
		if err != nil || len(resp.Keys.Key) != 1 || resp.TotalCount != 14 {
			t.Fatalf("a slow answer is still the answer: %+v %v", resp, err)
		}
		if _, err := describe(c, "alias/app-data"); err != nil {
			t.Fatalf("other actions are not slowed: %v", err)
		}
	})
}

func TestListAliasesAndGetKeyPolicy(t *testing.T) {
	s, c := start(t, WithKeys(DemoKeys(DefaultAccount)...), WithGeneratedKeys(150, 7))
	var names []string
	for page := 1; ; page++ {
		req := alikms.CreateListAliasesRequest()
		req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(100)
		resp, err := c.ListAliases(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.TotalCount != 153 || resp.PageSize != 100 || resp.PageNumber != page {
			t.Fatalf("page %d: total %d, size %d, number %d", page, resp.TotalCount, resp.PageSize, resp.PageNumber)
		}
		for _, a := range resp.Aliases.Alias {
			names = append(names, a.KeyId+" "+a.AliasName)
			if a.AliasArn != s.store.aliasARN(a.AliasName) {
				t.Errorf("ARN %s", a.AliasArn)
			}
		}
		if len(resp.Aliases.Alias) < 100 {
			break
		}
	}
	if len(names) != 153 || names[0] != "key-hzz630494460001 alias/app-data" || names[152] != "key-gen7-00000149 alias/gen7-149" {
		t.Fatalf("%d aliases: %v ... %v", len(names), names[:2], names[len(names)-1])
	}
	req := alikms.CreateListAliasesRequest()
	req.PageSize = requests.NewInteger(101)
	_, err := c.ListAliases(req)
	serverErr(t, err, 400, "InvalidParameter")

	policy := func(ref, name string) (*alikms.GetKeyPolicyResponse, error) {
		req := alikms.CreateGetKeyPolicyRequest()
		req.KeyId, req.PolicyName = ref, name
		return c.GetKeyPolicy(req)
	}
	resp, err := policy("alias/dkms", "default")
	if err != nil || resp.Policy != DemoPolicy(DefaultAccount) {
		t.Fatalf("%+v %v", resp, err)
	}
	_, err = policy("alias/dkms", "other")
	serverErr(t, err, 400, "InvalidParameter")
	_, err = policy("alias/app-data", "default")
	serverErr(t, err, 400, "UnsupportedOperation")
	_, err = policy("key-none", "default")
	serverErr(t, err, 404, "Forbidden.KeyNotFound")
	if s.Count("GetKeyPolicy") != 4 || s.Count("ListAliases") != 3 {
		t.Errorf("counts: %d GetKeyPolicy, %d ListAliases", s.Count("GetKeyPolicy"), s.Count("ListAliases"))
	}
}

// TestNewActionsDrawOnTheQuota: ListAliases and GetKeyPolicy share the one
// read quota with every other action.
func TestNewActionsDrawOnTheQuota(t *testing.T) {
	s, c := demo(t, WithReadQuota(0.001, 2))
	if _, err := describe(c, "alias/dkms"); err != nil {
		t.Fatal(err)
	}
	req := alikms.CreateListAliasesRequest()
	if _, err := c.ListAliases(req); err != nil {
		t.Fatal(err)
	}
	preq := alikms.CreateGetKeyPolicyRequest()
	preq.KeyId, preq.PolicyName = "alias/dkms", "default"
	_, err := c.GetKeyPolicy(preq)
	serverErr(t, err, 429, "Rejected.Throttling")
	_, err = c.ListAliases(alikms.CreateListAliasesRequest())
	serverErr(t, err, 429, "Rejected.Throttling")
	if s.Throttled() != 2 || s.Count("ListAliases") != 2 || s.Count("GetKeyPolicy") != 1 {
		t.Errorf("throttled %d, ListAliases %d, GetKeyPolicy %d", s.Throttled(), s.Count("ListAliases"), s.Count("GetKeyPolicy"))
	}
}
