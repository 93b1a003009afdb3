package awskmstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// getCallerIdentityResponse is STS's answer to GetCallerIdentity: the
// account, ARN and user ID of the signing credentials (an IAM user's for a
// long-term access key, arn:aws:sts::<account>:assumed-role/<role>/<session>
// and AROA...:<session> for temporary ones).
type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetCallerIdentityResponse"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func callerIdentity(s session) getCallerIdentityResponse {
	var out getCallerIdentityResponse
	out.Result.Arn, out.Result.UserID, out.Result.Account = s.arn, s.userID, s.account
	out.RequestID = requestID()
	return out
}

// principal returns the session of an access key whose session token (for
// temporary credentials) the request carries, or why not.
func (c *Cloud) principal(r *http.Request, akid string) (session, string) {
	c.mu.Lock()
	s, ok := c.sessions[akid]
	c.mu.Unlock()
	switch {
	case !ok:
		return session{}, "UnrecognizedClientException"
	case s.token != "" && r.Header.Get("X-Amz-Security-Token") != s.token:
		return session{}, "UnrecognizedClientException"
	case !s.expires.IsZero() && time.Now().After(s.expires):
		return session{}, "ExpiredTokenException"
	}
	return s, ""
}

// addUser gives account an IAM user with a long-term access key (the
// management account's secret is fixed, the others' random).
func (c *Cloud) addUser(account string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.users[account]; ok {
		return
	}
	sum := sha256.Sum256([]byte(account))
	akid := "AKIA" + strings.ToUpper(hex.EncodeToString(sum[:8]))
	secret := randomText(30)
	if account == c.cfg.management {
		secret = "cloud-caller-secret"
	}
	c.users[account] = akid
	c.sessions[akid] = session{
		account: account, secret: secret,
		arn:    "arn:aws:iam::" + account + ":user/caller",
		userID: "AIDA" + strings.ToUpper(hex.EncodeToString(sum[8:16])),
	}
}

// AccountConfig is Config with the long-term credentials of an IAM user of
// account (one of the Cloud's, or the management account) instead of the
// management account's: a delegated administrator's, say. It panics for
// an account the Cloud does not have.
func (c *Cloud) AccountConfig(account string) aws.Config {
	c.mu.Lock()
	akid, ok := c.users[account]
	s := c.sessions[akid]
	c.mu.Unlock()
	if !ok {
		panic("awskmstest: no account " + account)
	}
	cfg := c.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(akid, s.secret, "")
	return cfg
}

// AssumeRoleRequests returns how many well-formed AssumeRole requests
// named a role of account, refused ones included.
func (c *Cloud) AssumeRoleRequests(account string) int { return c.Requests("sts-into", account) }
