package awskms_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

// org3 is an organization of the management account and two members.
func org3(t *testing.T, opts ...awskmstest.CloudOption) *awskmstest.Cloud {
	t.Helper()
	return cloud(t, append([]awskmstest.CloudOption{awskmstest.WithCloudAccounts(
		awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1", "eu-west-1"}, Keys: 2},
		awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1"}, Keys: 3},
		awskmstest.CloudAccount{ID: member2, Regions: []string{"us-east-1"}, Keys: 4},
	)}, opts...)...)
}

// fleetAs opens a Fleet on c signed with creds.
func fleetAs(t *testing.T, c *awskmstest.Cloud, creds aws.CredentialsProvider, opts ...awskms.FleetOption) (*awskms.Fleet, error) {
	t.Helper()
	f, err := awskms.NewFleet(context.Background(), append([]awskms.FleetOption{
		awskms.WithEndpoint(c.URL()),
		awskms.WithLoadOptions(config.WithRegion("us-east-1"), config.WithCredentialsProvider(creds)),
	}, opts...)...)
	if f != nil {
		t.Cleanup(func() { _ = f.Close() })
	}
	return f, err
}

// byAccount counts keys by account, requiring every key's scope to be its own.
func byAccount(t *testing.T, keys []kms.Key) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, k := range keys {
		require.True(t, strings.HasPrefix(k.ARN, "arn:aws:kms:"+k.Region+":"+k.Account+":key/"), k.ARN)
		out[k.Account]++
	}
	return out
}

func TestFleetListsTheManagementAccountWithTheCallersCredentials(t *testing.T) {
	c := org3(t)
	f := fleet(t, c, awskms.WithOrganization(c.OrganizationID()), awskms.WithRegions("*"))
	assert.Equal(t, []string{mgmt + "/eu-west-1", mgmt + "/us-east-1", member1 + "/eu-west-1", member2 + "/us-east-1"}, f.Scopes(),
		"the management account has no OrganizationAccountAccessRole, and is listed all the same")
	keys, err := collect(t, f, kms.ListOptions{Detail: kms.DetailFull})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{mgmt: 4, member1: 3, member2: 4}, byAccount(t, keys))
	assert.Equal(t, 1, c.Requests("sts", "GetCallerIdentity"), "once per discovery")
	assert.Zero(t, c.AssumeRoleRequests(mgmt), "no AssumeRole into the caller's own account")
	assert.Equal(t, 1, c.AssumeRoleRequests(member1))
	assert.Equal(t, 1, c.AssumeRoleRequests(member2))
	assert.Equal(t, 2, c.Requests("sts", "AssumeRole"))

	_, err = collect(t, f, kms.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, c.Requests("sts", "GetCallerIdentity"), "discovery is not repeated by a listing")
}

func TestFleetOfADelegatedAdministrator(t *testing.T) {
	c := cloud(t,
		awskmstest.WithCloudAccounts(
			awskmstest.CloudAccount{ID: mgmt, Regions: []string{"us-east-1"}, Keys: 2},
			awskmstest.CloudAccount{ID: member1, Regions: []string{"eu-west-1"}, Keys: 3, NoMemberRole: true},
			awskmstest.CloudAccount{ID: member2, Regions: []string{"us-east-1"}, Keys: 4},
		),
		awskmstest.WithDelegatedAdministrator(member1),
		awskmstest.WithRole(mgmt, "Inventory", ""), awskmstest.WithRole(member2, "Inventory", ""))
	f, err := fleetAs(t, c, c.AccountConfig(member1).Credentials,
		awskms.WithOrganization("*"), awskms.WithMemberRole("Inventory"), awskms.WithRegions("*"))
	require.NoError(t, err)
	assert.Equal(t, []string{mgmt + "/us-east-1", member1 + "/eu-west-1", member2 + "/us-east-1"}, f.Scopes())
	keys, err := collect(t, f, kms.ListOptions{})
	require.NoError(t, err, "the delegated administrator's own account has no member role and is listed all the same")
	assert.Equal(t, map[string]int{mgmt: 2, member1: 3, member2: 4}, byAccount(t, keys))
	assert.Zero(t, c.AssumeRoleRequests(member1), "the caller's own account: its credentials")
	assert.Equal(t, 1, c.AssumeRoleRequests(mgmt), "the management account through the member role the caller named")
	assert.Equal(t, 1, c.AssumeRoleRequests(member2))
	assert.Equal(t, 1, c.Requests("sts", "GetCallerIdentity"))
}

func TestFleetOfAnAssumedRoleCaller(t *testing.T) {
	c := org3(t, awskmstest.WithRole(mgmt, "audit", "ext-1"))
	f := fleet(t, c, awskms.WithAssumeRole("arn:aws:iam::"+mgmt+":role/audit", "ext-1", ""),
		awskms.WithOrganization("*"), awskms.WithMemberRole("OrganizationAccountAccessRole"), awskms.WithRegions("*"))
	keys, err := collect(t, f, kms.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{mgmt: 4, member1: 3, member2: 4}, byAccount(t, keys))
	assert.Zero(t, c.Requests("sts", "GetCallerIdentity"), "the role's ARN names the caller's account")
	assert.Equal(t, 1, c.AssumeRoleRequests(mgmt), "the role itself, never the member role on top of it")
	assert.Equal(t, 1, c.AssumeRoleRequests(member1), "the members through the member role, chained from the role")
	assert.Equal(t, 1, c.AssumeRoleRequests(member2))
}

func TestFleetFailsWhenGetCallerIdentityFails(t *testing.T) {
	retry := awskms.WithRetry(pagination.Retry{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	c := org3(t, awskmstest.WithThrottledDiscovery("GetCallerIdentity", 100))
	f, err := awskms.NewFleet(context.Background(), fleetOn(c, awskms.WithOrganization("*"), awskms.WithRegions("*"), retry)...)
	assert.Nil(t, f)
	var ke *kms.Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, awskms.OpGetCallerIdentity, ke.Op)
	assert.ErrorIs(t, err, kms.ErrThrottled, "classified")
	assert.Equal(t, 2, c.Requests("sts", "GetCallerIdentity"), "retried by the engine, then given up")
	assert.Zero(t, c.Requests("kms", ""), "before any KMS request")
	assert.Zero(t, c.Requests("sts", "AssumeRole"))
	assert.Equal(t, 1, strings.Count(err.Error(), "kms: "), "%v", err)

	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	c = org3(t)
	f, err = fleetAs(t, c, credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", secret, "session-token-1"),
		awskms.WithOrganization("*"), awskms.WithRegions("*"), retry)
	assert.Nil(t, f)
	require.ErrorAs(t, err, &ke)
	assert.ErrorIs(t, err, kms.ErrUnauthenticated, "an access key STS does not know: InvalidClientTokenId (ListAccounts: UnrecognizedClientException)")
	assert.Contains(t, []string{awskms.OpGetCallerIdentity, awskms.OpListAccounts}, ke.Op, "the first of the two to fail")
	assert.LessOrEqual(t, c.Requests("sts", "GetCallerIdentity"), 1, "at most once (the other's failure may cancel it before it is sent)")
	assert.Zero(t, c.Requests("kms", ""))
	for _, s := range []string{secret, "session-token-1", "Signature="} {
		assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), s)
	}
}

// gate holds every request of a fleet's HTTP client until the test
// releases the wave it belongs to: a wave is what the client sends before
// any answer of it comes back, so the number of waves is the number of
// round trips that cannot overlap.
type gate struct {
	next aws.HTTPClient
	mu   sync.Mutex
	open bool
	held []held
	more chan struct{} // closed and replaced when a request is held
}

type held struct {
	op      string
	release chan struct{}
}

func newGate(next aws.HTTPClient) *gate { return &gate{next: next, more: make(chan struct{})} }

func (g *gate) Do(req *http.Request) (*http.Response, error) {
	op, err := opOf(req)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	if g.open {
		g.mu.Unlock()
		return g.next.Do(req)
	}
	h := held{op: op, release: make(chan struct{})}
	g.held = append(g.held, h)
	close(g.more)
	g.more = make(chan struct{})
	g.mu.Unlock()
	select {
	case <-h.release:
		return g.next.Do(req)
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
}

// wave waits until n requests are held (or ctx is done), releases them
// and returns their operations, sorted.
func (g *gate) wave(ctx context.Context, n int) ([]string, error) {
	for {
		g.mu.Lock()
		if len(g.held) >= n {
			var ops []string
			for _, h := range g.held {
				ops = append(ops, h.op)
				close(h.release)
			}
			g.held = nil
			g.mu.Unlock()
			slices.Sort(ops)
			return ops, nil
		}
		more, got := g.more, len(g.held)
		g.mu.Unlock()
		select {
		case <-more:
		case <-ctx.Done():
			return nil, fmt.Errorf("%d requests held, waiting for %d: %w", got, n, ctx.Err())
		}
	}
}

// openUp lets every request through from now on.
func (g *gate) openUp() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = true
	for _, h := range g.held {
		close(h.release)
	}
	g.held = nil
}

// opOf names a request's operation as the Cloud counts it.
func opOf(req *http.Request) (string, error) {
	if t := req.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:], nil
	}
	if strings.HasSuffix(req.URL.Path, "/listRegions") {
		return "ListRegions", nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return "", err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", err
	}
	return form.Get("Action"), nil
}

func TestFleetDiscoveryRoundTrips(t *testing.T) {
	for name, tc := range map[string]struct {
		opts  []awskms.FleetOption
		waves [][]string
	}{
		"organization": {nil, [][]string{
			{"GetCallerIdentity", "ListAccounts"},       // beside each other
			{"AssumeRole", "AssumeRole", "ListRegions"}, // the members' roles; the caller's own Regions
			{"ListRegions", "ListRegions"},              // the members' Regions
		}},
		"assumed role": {[]awskms.FleetOption{awskms.WithAssumeRole("arn:aws:iam::"+mgmt+":role/audit", "", "")}, [][]string{
			{"AssumeRole"},   // the role, to sign ListAccounts
			{"ListAccounts"}, // no GetCallerIdentity: the role's account is the caller's
			{"AssumeRole", "AssumeRole", "ListRegions"},
			{"ListRegions", "ListRegions"},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			c := org3(t, awskmstest.WithRole(mgmt, "audit", ""))
			g := newGate(c.Config().HTTPClient)
			t.Cleanup(g.openUp) // a failed wave lets NewFleet end
			done := make(chan error, 1)
			var f *awskms.Fleet
			go func() {
				var err error
				f, err = awskms.NewFleet(context.Background(), append([]awskms.FleetOption{
					awskms.WithEndpoint(c.URL()),
					awskms.WithLoadOptions(config.WithRegion("us-east-1"), config.WithCredentialsProvider(c.Config().Credentials),
						config.WithHTTPClient(g)),
					awskms.WithOrganization("*"), awskms.WithRegions("*"),
				}, tc.opts...)...)
				done <- err
			}()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang, not a measure
			defer cancel()
			for i, want := range tc.waves {
				got, err := g.wave(ctx, len(want))
				require.NoError(t, err, "wave %d", i+1)
				assert.Equal(t, want, got, "wave %d", i+1)
			}
			g.openUp()
			require.NoError(t, <-done)
			t.Cleanup(func() { _ = f.Close() })
			assert.Len(t, f.Scopes(), 4)
			want := 0
			for _, w := range tc.waves {
				want += len(w)
			}
			assert.Equal(t, want, c.TotalRequests(), "every discovery request was in one of the %d waves", len(tc.waves))
		})
	}
}
