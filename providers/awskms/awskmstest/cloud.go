package awskmstest

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// DefaultRegions are the 17 Regions every AWS account has enabled by
// default (ListRegions: ENABLED_BY_DEFAULT); any other Region is opt-in.
var DefaultRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
	"ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1",
	"eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// OptInRegions are Regions an account must enable first; a Cloud lists
// those an account has not enabled as DISABLED.
var OptInRegions = []string{
	"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
	"ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1",
}

// CloudAccount is one account of a Cloud.
type CloudAccount struct {
	// ID is the 12-digit account ID.
	ID string
	// Name is the account's name in the organization ("" : "account-<ID>").
	Name string
	// State is its Organizations AccountState ("": ACTIVE); ListAccounts
	// lists it with that state; only ACTIVE accounts are meant to be reached.
	State string
	// Regions are the enabled Regions, each served by its own Server.
	// Those of OptInRegions are listed ENABLED, the others ENABLED_BY_DEFAULT;
	// the OptInRegions not given are listed DISABLED, and a KMS request
	// there answers UnrecognizedClientException, as AWS does.
	Regions []string
	// Keys is the number of generated keys in each Region: every key of the
	// Cloud has its own ID (see GenerateKey).
	Keys int
	// Options apply to every Region's Server (latency, quotas, faults).
	Options []Option
	// RegionOptions apply to one Region's Server, after Options.
	RegionOptions map[string][]Option
	// Edit, when set, may change the generated keys of a Region before its
	// Server is made (deny a describe, change a state).
	Edit func(region string, keys []Key)
	// NoMemberRole leaves out the account's OrganizationAccountAccessRole,
	// as for an account that joined the organization by invitation: every
	// account but the management one has that role unless this is set
	// (the management account never has it; WithRole adds one).
	NoMemberRole bool
}

// memberRole is the role Organizations creates in the accounts it creates.
const memberRole = "OrganizationAccountAccessRole"

// CloudOption configures a Cloud.
type CloudOption func(*cloudConfig)

type cloudConfig struct {
	accounts       []CloudAccount
	orgID          string
	management     string
	latency        time.Duration
	deniedRoles    map[string]bool
	deniedRegions  map[string]bool // account/region
	deniedListRegs map[string]bool // account
	denyList       bool
	delegated      map[string]bool   // accounts that may call ListAccounts
	roles          map[string]string // role ARN -> external ID ("" none)
	throttle       map[string]*atomic.Int64
	lifetime       time.Duration
}

// Cloud is a multi-account, multi-Region AWS emulator on one endpoint: STS
// AssumeRole and GetCallerIdentity (awsQuery), Organizations ListAccounts
// (awsJson1_1), Account ListRegions (restJson1) and KMS, each KMS request
// routed to the Server of the account its access key belongs to and the
// Region of its SigV4 credential scope. Temporary credentials from
// AssumeRole reach only their account, and only with their session token.
// Every account has an IAM user with a long-term access key (AccountConfig;
// Config is the management account's), and every account but the
// management one the member role OrganizationAccountAccessRole, as
// Organizations creates it in the accounts it creates (see NoMemberRole):
// assuming it in the management account is refused with AccessDenied, as
// AWS refuses it. A test may change the organization while the Cloud runs
// (AddAccount, RemoveAccount, EnableRegion, DisableRegion), to see a
// fresh discovery find a scope more or less.
type Cloud struct {
	cfg  cloudConfig
	srv  *httptest.Server
	salt [16]byte

	// topo guards the organization's shape, which tests may change.
	topo    sync.RWMutex
	members []*CloudAccount          // the organization's, in ListAccounts order
	byID    map[string]*CloudAccount // every account, removed ones too
	servers map[string]*Server       // account/region
	retired []*Server                // of disabled Regions, closed by Close
	seq     int                      // keys generated so far

	mu       sync.Mutex
	sessions map[string]session // access key ID -> session
	users    map[string]string  // account -> its IAM user's long-term access key ID

	total    atomic.Int64
	requests sync.Map // "service:Op" -> *atomic.Int64
}

type session struct {
	account, token, secret string
	arn, userID            string // as GetCallerIdentity answers them
	expires                time.Time
}

// NewCloud starts a Cloud on 127.0.0.1; Close stops it and every Server.
func NewCloud(opts ...CloudOption) *Cloud {
	cfg := cloudConfig{
		orgID: "o-a1b2c3d4e5", deniedRoles: map[string]bool{}, deniedRegions: map[string]bool{},
		deniedListRegs: map[string]bool{}, roles: map[string]string{}, throttle: map[string]*atomic.Int64{}, delegated: map[string]bool{},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.management == "" && len(cfg.accounts) > 0 {
		cfg.management = cfg.accounts[0].ID
	}
	c := &Cloud{cfg: cfg, byID: map[string]*CloudAccount{}, servers: map[string]*Server{}, sessions: map[string]session{}, users: map[string]string{}}
	_, _ = rand.Read(c.salt[:])
	for _, a := range c.cfg.accounts {
		c.addAccount(a)
	}
	c.addUser(cfg.management)
	c.srv = httptest.NewServer(c)
	if tr, ok := c.srv.Client().Transport.(*http.Transport); ok {
		tr.MaxIdleConnsPerHost = 512
	}
	return c
}

func roleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// URL is the one endpoint of every service, such as http://127.0.0.1:port.
func (c *Cloud) URL() string { return c.srv.URL }

// OrganizationID is the organization's ID.
func (c *Cloud) OrganizationID() string { return c.cfg.orgID }

// Accounts returns the accounts of the organization, as ListAccounts
// lists them now (AddAccount, RemoveAccount, EnableRegion and
// DisableRegion change them).
func (c *Cloud) Accounts() []CloudAccount {
	c.topo.RLock()
	defer c.topo.RUnlock()
	out := make([]CloudAccount, len(c.members))
	for i, a := range c.members {
		out[i] = *a
		out[i].Regions = slices.Clone(a.Regions)
	}
	return out
}

// Server returns the KMS Server of account in region, or nil (a Region the
// account has not enabled, or has disabled).
func (c *Cloud) Server(account, region string) *Server {
	c.topo.RLock()
	defer c.topo.RUnlock()
	return c.servers[account+"/"+region]
}

// Config returns an aws.Config for the Cloud: Region us-east-1, the static
// credentials of the management account (good for this Cloud only), the
// Cloud's endpoint and an HTTP client (see SDKHTTPClient).
func (c *Cloud) Config() aws.Config {
	c.mu.Lock()
	akid := c.users[c.cfg.management]
	c.mu.Unlock()
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(akid, "cloud-caller-secret", ""),
		BaseEndpoint: aws.String(c.srv.URL),
		HTTPClient:   SDKHTTPClient{c.srv.Client()},
	}
}

// Close stops the Cloud and every Server.
func (c *Cloud) Close() {
	c.srv.Close()
	c.topo.Lock()
	defer c.topo.Unlock()
	for _, s := range c.servers {
		s.Close()
	}
	for _, s := range c.retired {
		s.Close()
	}
}

// Requests returns how many requests of service ("sts", "organizations",
// "account", "kms") and op (such as "AssumeRole"; "" for all of the
// service) arrived at the Cloud, refused ones included.
func (c *Cloud) Requests(service, op string) int {
	n := 0
	c.requests.Range(func(k, v any) bool {
		s, o, _ := strings.Cut(k.(string), ":")
		if s == service && (op == "" || o == op) {
			n += int(v.(*atomic.Int64).Load())
		}
		return true
	})
	return n
}

// TotalRequests returns how many requests arrived at the Cloud.
func (c *Cloud) TotalRequests() int { return int(c.total.Load()) }

func (c *Cloud) count(service, op string) {
	key := service + ":" + op
	v, ok := c.requests.Load(key)
	if !ok {
		v, _ = c.requests.LoadOrStore(key, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

// ServeHTTP routes a request by the service of its SigV4 credential scope.
func (c *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.total.Add(1)
	akid, _, region, service, ok := parseScope(credentialOf(r))
	if !ok {
		c.count("unknown", "")
		writeError(w, apiErr(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token"))
		return
	}
	switch service {
	case "kms":
		op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
		c.count("kms", op)
		c.serveKMS(w, r, akid, region)
	case "sts":
		c.serveSTS(w, r, akid) // counted by its Action
	case "organizations":
		op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizationsV20161128.")
		c.count("organizations", op)
		c.serveOrganizations(w, r, akid, op)
	case "account":
		c.count("account", strings.TrimPrefix(r.URL.Path, "/"))
		c.serveAccount(w, r, akid)
	default:
		c.count(service, "")
		writeError(w, apiErr(http.StatusBadRequest, "UnknownOperationException", "no such service"))
	}
}

// credentialOf returns the Credential= part of the Authorization header.
func credentialOf(r *http.Request) string {
	for p := range strings.SplitSeq(strings.TrimPrefix(header(r, "Authorization"), "AWS4-HMAC-SHA256 "), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(p), "Credential="); ok {
			return v
		}
	}
	return ""
}

// caller returns the account of an access key whose session token (for
// temporary credentials) the request carries, or why not.
func (c *Cloud) caller(r *http.Request, akid string) (string, string) {
	s, why := c.principal(r, akid)
	return s.account, why
}

// serveKMS hands a KMS request to the Server of the caller's account and
// the Region it is signed for.
func (c *Cloud) serveKMS(w http.ResponseWriter, r *http.Request, akid, region string) {
	account, why := c.caller(r, akid)
	if why != "" {
		writeError(w, apiErr(http.StatusBadRequest, why, "%s", tokenMessage(why)))
		return
	}
	c.topo.RLock()
	s := c.servers[account+"/"+region]
	c.topo.RUnlock()
	switch {
	case s == nil:
		// A Region the account has not enabled does not know its credentials.
		writeError(w, apiErr(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."))
	case c.cfg.deniedRegions[account+"/"+region]:
		writeError(w, apiErr(http.StatusBadRequest, "AccessDeniedException",
			"User: arn:aws:sts::%s:assumed-role/caller is not authorized to perform: kms:ListKeys with an explicit deny in a service control policy", account))
	default:
		s.ServeHTTP(w, r)
	}
}

func tokenMessage(why string) string {
	if why == "ExpiredTokenException" {
		return "The security token included in the request is expired"
	}
	return "The security token included in the request is invalid."
}

// delay waits the discovery latency; false if the client went away.
func (c *Cloud) delay(r *http.Request) bool { return wait(r, c.cfg.latency) }

func (c *Cloud) accountARN(id string) string {
	return fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", c.cfg.management, c.cfg.orgID, id)
}
