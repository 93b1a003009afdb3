package awskmstest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// STS AssumeRole and GetCallerIdentity over awsQuery: a form-encoded POST
// (Action=AssumeRole or GetCallerIdentity, Version=2011-06-15) answered in
// XML; errors are an ErrorResponse with the HTTP status STS gives them
// (AccessDenied 403, ValidationError 400, InvalidClientTokenId 403 for an
// access key STS does not know, ExpiredToken 403, Throttling 400).

var (
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	roleARNRe     = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$`)
)

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleResponse"`
	Result  struct {
		Credentials     stsCredentials `xml:"Credentials"`
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
	} `xml:"AssumeRoleResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type stsErrorResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func writeSTSError(w http.ResponseWriter, status int, code, msg string) {
	var e stsErrorResponse
	e.Error.Type, e.Error.Code, e.Error.Message, e.RequestID = "Sender", code, msg, requestID()
	writeXML(w, status, e)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte("<ErrorResponse/>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (c *Cloud) serveSTS(w http.ResponseWriter, r *http.Request, akid string) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		c.count("sts", "")
		writeSTSError(w, http.StatusBadRequest, "InvalidAction", "Could not find operation for this request")
		return
	}
	if err := r.ParseForm(); err != nil {
		c.count("sts", "")
		writeSTSError(w, http.StatusBadRequest, "MalformedQueryString", "malformed form body")
		return
	}
	f := r.PostForm
	action := f.Get("Action")
	c.count("sts", action)
	if !c.delay(r) {
		return
	}
	if (action != "AssumeRole" && action != "GetCallerIdentity") || f.Get("Version") != "2011-06-15" {
		writeSTSError(w, http.StatusBadRequest, "InvalidAction", "Could not find operation "+action+" for version "+f.Get("Version"))
		return
	}
	if c.throttled(action) {
		writeSTSError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
		return
	}
	caller, why := c.principal(r, akid)
	switch {
	case why == "ExpiredTokenException":
		writeSTSError(w, http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
		return
	case why != "":
		writeSTSError(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	case action == "GetCallerIdentity":
		writeXML(w, http.StatusOK, callerIdentity(caller))
		return
	}
	c.assumeRole(w, f, caller)
}

// assumeRole answers AssumeRole for caller.
func (c *Cloud) assumeRole(w http.ResponseWriter, f url.Values, caller session) {
	arn, name, ext := f.Get("RoleArn"), f.Get("RoleSessionName"), f.Get("ExternalId")
	duration := 3600
	if d := f.Get("DurationSeconds"); d != "" {
		duration, _ = strconv.Atoi(d)
	}
	if msg := checkAssumeRole(arn, name, ext, f.Has("ExternalId"), duration); msg != "" {
		writeSTSError(w, http.StatusBadRequest, "ValidationError", msg)
		return
	}
	account := roleARNRe.FindStringSubmatch(arn)[1]
	c.count("sts-into", account)
	c.topo.RLock()
	want, known := c.cfg.roles[arn]
	denied := c.cfg.deniedRoles[account]
	c.topo.RUnlock()
	if !known || denied || (want != "" && want != ext) {
		// A role that does not exist answers as one whose trust policy
		// does not name the caller: STS does not say which. An external ID
		// the trust policy does not ask for is not checked.
		writeSTSError(w, http.StatusForbidden, "AccessDenied",
			"User: "+caller.arn+" is not authorized to perform: sts:AssumeRole on resource: "+arn)
		return
	}
	lifetime := time.Duration(duration) * time.Second
	if c.cfg.lifetime > 0 {
		lifetime = c.cfg.lifetime
	}
	writeXML(w, http.StatusOK, c.issue(account, arn, name, lifetime))
}

// checkAssumeRole validates AssumeRole's parameters as STS documents them.
func checkAssumeRole(arn, name, ext string, hasExt bool, duration int) string {
	switch {
	case len(arn) < 20 || len(arn) > 2048 || !roleARNRe.MatchString(arn):
		return "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be a role ARN"
	case !sessionNameRe.MatchString(name):
		return "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
	case hasExt && (len(ext) < 2 || len(ext) > 1224 || !externalIDRe.MatchString(ext)):
		return "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*"
	case duration < 900 || duration > 43200:
		return "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"
	}
	return ""
}

// issue makes temporary credentials for account, good until the duration
// is over and only with their session token.
func (c *Cloud) issue(account, arn, name string, d time.Duration) assumeRoleResponse {
	role := arn[strings.Index(arn, ":role/")+len(":role/"):]
	s := session{
		account: account, token: randomText(96), secret: randomText(30), expires: time.Now().Add(d),
		arn:    "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + name,
		userID: "AROA" + strings.ToUpper(hex.EncodeToString(randomBytes(8))) + ":" + name,
	}
	akid := "ASIA" + strings.ToUpper(hex.EncodeToString(randomBytes(8)))
	c.mu.Lock()
	c.sessions[akid] = s
	c.mu.Unlock()
	var out assumeRoleResponse
	out.Result.Credentials = stsCredentials{akid, s.secret, s.token, s.expires.UTC().Format(time.RFC3339)}
	out.Result.AssumedRoleUser.Arn = s.arn
	out.Result.AssumedRoleUser.AssumedRoleID = s.userID
	out.RequestID = requestID()
	return out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomText(n int) string { return base64.RawStdEncoding.EncodeToString(randomBytes(n)) }

// Sessions returns how many temporary credentials AssumeRole has issued.
func (c *Cloud) Sessions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sessions) - len(c.users)
}

// SessionSecrets returns the secret access keys and session tokens of
// every credential the Cloud has issued or holds, for tests checking that
// none leaks into an error, event or log line.
func (c *Cloud) SessionSecrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.sessions {
		out = append(out, s.secret)
		if s.token != "" {
			out = append(out, s.token)
		}
	}
	return out
}
