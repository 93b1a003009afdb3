package alibabakms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
)

// metadataBase is the instance metadata service of Alibaba Cloud ECS.
const metadataBase = "http://100.100.100.200"

// instanceRole provides the STS credentials of the instance RAM role named
// role from the instance metadata service, as the SDK's ECS RAM role
// provider does (IMDSv2 token first, then the credentials), but under the
// context of the call being signed, so that a silent or unreachable
// metadata service holds no call past its deadline. The credentials are
// kept until three minutes before they expire.
type instanceRole struct {
	role string
	base string                 // metadataBase; a test server in tests
	ctx  func() context.Context // the context of the call being signed
	http *http.Client

	mu      sync.Mutex
	creds   *credentials.Credentials
	expires time.Time
}

func newInstanceRole(role string) *instanceRole {
	return &instanceRole{role: role, base: metadataBase, ctx: context.Background, http: &http.Client{}}
}

// GetProviderName names the provider for the SDK.
func (p *instanceRole) GetProviderName() string { return "ecs_ram_role" }

// GetCredentials returns the role's credentials, fetching them when none
// are kept or they expire within three minutes.
func (p *instanceRole) GetCredentials() (*credentials.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.creds != nil && time.Until(p.expires) > 3*time.Minute {
		return p.creds, nil
	}
	ctx := p.ctx()
	token := p.metadataToken(ctx)
	body, err := p.get(ctx, http.MethodGet, "/latest/meta-data/ram/security-credentials/"+url.PathEscape(p.role), token)
	if err != nil {
		return nil, fmt.Errorf("instance RAM role credentials: %w", err)
	}
	var c struct {
		AccessKeyID     string `json:"AccessKeyId"`
		AccessKeySecret string `json:"AccessKeySecret"`
		SecurityToken   string `json:"SecurityToken"`
		Expiration      string `json:"Expiration"`
		Code            string `json:"Code"`
	}
	if err := json.Unmarshal(body, &c); err != nil || c.AccessKeyID == "" || c.AccessKeySecret == "" || c.SecurityToken == "" {
		return nil, fmt.Errorf("instance RAM role credentials: the metadata service answered no credentials")
	}
	if c.Code != "" && c.Code != "Success" {
		return nil, fmt.Errorf("instance RAM role credentials: the metadata service answered %s", oneLine(c.Code))
	}
	exp, err := time.Parse("2006-01-02T15:04:05Z", c.Expiration)
	if err != nil {
		exp = time.Now().Add(5 * time.Minute)
	}
	p.creds = &credentials.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret,
		SecurityToken: c.SecurityToken, ProviderName: p.GetProviderName()}
	p.expires = exp
	return p.creds, nil
}

// metadataToken asks for an IMDSv2 token; "" if the service gives none
// (IMDSv1 answers without one).
func (p *instanceRole) metadataToken(ctx context.Context) string {
	b, err := p.get(ctx, http.MethodPut, "/latest/api/token", "")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// get sends one metadata request under ctx and returns a 200 answer's body
// (at most 64 KiB).
func (p *instanceRole) get(ctx context.Context, method, path, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, nil)
	if err != nil {
		return nil, err
	}
	if method == http.MethodPut {
		req.Header.Set("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")
	}
	if token != "" {
		req.Header.Set("X-aliyun-ecs-metadata-token", token)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("metadata service unreachable")
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("metadata service: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metadata service answered HTTP %d", resp.StatusCode)
	}
	return b, nil
}
