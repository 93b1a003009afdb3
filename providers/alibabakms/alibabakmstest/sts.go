package alibabakmstest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// stsVersion is the STS API version AssumeRole is served under.
const stsVersion = "2015-04-01"

// roleSessionName is the documented shape of RoleSessionName.
var roleSessionName = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)

// stsState is the Cloud's STS: the assumable roles and the one set of
// temporary credentials AssumeRole hands out.
type stsState struct {
	account              string
	keyID, secret, token string

	mu     sync.Mutex
	roles  map[string]bool // ARN -> denied
	nonces map[string]bool
}

func newSTS(account string, roles []string) *stsState {
	rnd := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	st := &stsState{account: account, keyID: "STS.NT" + rnd(10), secret: rnd(16), token: "CAIS" + rnd(32),
		roles: map[string]bool{}, nonces: map[string]bool{}}
	for _, r := range roles {
		st.roles[r] = false
	}
	return st
}

func (st *stsState) deny(arn string, v bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.roles[arn]; ok {
		st.roles[arn] = v
	}
}

// serveSTS serves the STS endpoint: AssumeRole, each answer closing its
// connection (the SDK makes a new transport for every AssumeRole and never
// closes it).
func (c *Cloud) serveSTS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	c.count("AssumeRole")
	if r.Form.Get("Action") != "AssumeRole" || r.Form.Get("Version") != stsVersion {
		writeBare(w, r, &apiError{http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found."})
		return
	}
	c.assumeRole(w, r)
}

// assumeRole serves STS AssumeRole (RPC style, version 2015-04-01) as the
// STS API reference documents it: signed with the account's AccessKey
// (HMAC-SHA1 over the RPC string to sign; InvalidAccessKeyId.NotFound,
// SignatureDoesNotMatch, InvalidTimeStamp.Expired, SignatureNonceUsed),
// RoleArn required (a role the account does not have: 404
// EntityNotExist.Role; a denied one: 403 NoPermission), RoleSessionName
// 2..64 of letters, digits and ".@_-", DurationSeconds 900..3600 (default
// 3600). The answer holds the temporary AccessKeyId, AccessKeySecret and
// SecurityToken, their Expiration and the AssumedRoleUser.
func (c *Cloud) assumeRole(w http.ResponseWriter, r *http.Request) {
	if e := c.checkSTS(r); e != nil {
		writeBare(w, r, e)
		return
	}
	f := r.Form
	arn, session := f.Get("RoleArn"), f.Get("RoleSessionName")
	dur := 3600
	if d := f.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 3600 {
			writeBare(w, r, &apiError{http.StatusBadRequest, "InvalidParameter.DurationSeconds", "The parameter DurationSeconds is wrong."})
			return
		}
		dur = n
	}
	switch {
	case arn == "":
		writeBare(w, r, &apiError{http.StatusBadRequest, "MissingRoleArn", "RoleArn is mandatory for this action."})
		return
	case !roleSessionName.MatchString(session):
		writeBare(w, r, &apiError{http.StatusBadRequest, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrong."})
		return
	}
	st := c.sts
	st.mu.Lock()
	denied, known := st.roles[arn]
	st.mu.Unlock()
	switch {
	case !known:
		writeBare(w, r, &apiError{http.StatusNotFound, "EntityNotExist.Role", "The role not exists: " + arn + "."})
		return
	case denied:
		writeBare(w, r, &apiError{http.StatusForbidden, "NoPermission", "You are not authorized to do this action. You should be authorized by RAM."})
		return
	}
	body := map[string]any{
		"RequestId": "0c6a7e2f-2036-408c-a3d5-assumerole00",
		"AssumedRoleUser": map[string]string{
			"AssumedRoleId": "300000000000000000:" + session,
			"Arn":           arn + "/" + session,
		},
		"Credentials": map[string]string{
			"AccessKeyId": st.keyID, "AccessKeySecret": st.secret, "SecurityToken": st.token,
			"Expiration": time.Now().UTC().Add(time.Duration(dur) * time.Second).Format("2006-01-02T15:04:05Z"),
		},
	}
	(&Server{}).writeJSON(w, http.StatusOK, body)
}

// checkSTS checks an STS request's AccessKey, signature, timestamp and nonce.
func (c *Cloud) checkSTS(r *http.Request) *apiError {
	f := r.Form
	if f.Get("AccessKeyId") != c.keyID {
		return &apiError{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	if f.Get("SignatureMethod") != "HMAC-SHA1" || f.Get("SignatureVersion") != "1.0" {
		return &apiError{http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards."}
	}
	if !hmacEqual(f.Get("Signature"), Sign(StringToSign(r.Method, f), c.secret)) {
		return &apiError{http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."}
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", f.Get("Timestamp"))
	if err != nil || time.Since(ts).Abs() > 15*time.Minute {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."}
	}
	nonce := f.Get("SignatureNonce")
	c.sts.mu.Lock()
	defer c.sts.mu.Unlock()
	if nonce == "" || c.sts.nonces[nonce] {
		return &apiError{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	c.sts.nonces[nonce] = true
	if !strings.EqualFold(f.Get("Format"), "JSON") && f.Get("Format") != "" {
		return &apiError{http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("Format %q is not supported", f.Get("Format"))}
	}
	return nil
}
