package awskmstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
)

// Organizations ListAccounts over awsJson1_1: POST / with X-Amz-Target
// AWSOrganizationsV20161128.ListAccounts, MaxResults 1..20 and NextToken;
// errors carry __type (AccessDeniedException, InvalidInputException) with
// HTTP 400. Accounts carry State; Status was retired on 2026-09-09 and is
// not sent.

type orgAccount struct {
	Arn             string  `json:"Arn"`
	Email           string  `json:"Email"`
	ID              string  `json:"Id"`
	JoinedMethod    string  `json:"JoinedMethod"`
	JoinedTimestamp float64 `json:"JoinedTimestamp"`
	Name            string  `json:"Name"`
	State           string  `json:"State"`
}

type pagedRequest struct {
	MaxResults              *int     `json:"MaxResults"`
	NextToken               *string  `json:"NextToken"`
	AccountID               *string  `json:"AccountId"`
	RegionOptStatusContains []string `json:"RegionOptStatusContains"`
}

func (c *Cloud) serveOrganizations(w http.ResponseWriter, r *http.Request, akid, op string) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != contentType {
		writeError(w, apiErr(http.StatusBadRequest, "SerializationException", "unsupported request"))
		return
	}
	if op != "ListAccounts" {
		writeError(w, apiErr(http.StatusBadRequest, "UnknownOperationException", ""))
		return
	}
	var req pagedRequest
	if e := decodeBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	if !c.delay(r) {
		return
	}
	if c.throttled("ListAccounts") {
		writeError(w, apiErr(http.StatusBadRequest, "TooManyRequestsException", "You have sent too many requests in too short a period of time."))
		return
	}
	caller, why := c.caller(r, akid)
	switch {
	case why != "":
		writeError(w, apiErr(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."))
		return
	case c.cfg.denyList || (caller != c.cfg.management && !c.cfg.delegated[caller]):
		writeError(w, apiErr(http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource."))
		return
	}
	members := c.Accounts()
	start, end, next, e := c.pageOf(req, "ListAccounts", "InvalidInputException", len(members), 20, 20)
	if e != nil {
		writeError(w, e)
		return
	}
	out := struct {
		Accounts  []orgAccount `json:"Accounts"`
		NextToken *string      `json:"NextToken,omitempty"`
	}{Accounts: []orgAccount{}, NextToken: next}
	for _, a := range members[start:end] {
		name, state := a.Name, a.State
		if name == "" {
			name = "account-" + a.ID
		}
		if state == "" {
			state = "ACTIVE"
		}
		out.Accounts = append(out.Accounts, orgAccount{
			Arn: c.accountARN(a.ID), Email: "aws+" + a.ID + "@example.com", ID: a.ID,
			JoinedMethod: "CREATED", JoinedTimestamp: 1.7e9, Name: name, State: state,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func decodeBody(r *http.Request, v any) *apiError {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return apiErr(http.StatusBadRequest, "SerializationException", "cannot read body")
	}
	if len(body) > 0 && json.Unmarshal(body, v) != nil {
		return apiErr(http.StatusBadRequest, "SerializationException", "malformed JSON body")
	}
	return nil
}

// pageOf picks the items [start, end) of n for a NextToken/MaxResults
// request (MaxResults 1..maxN, default def), and the next token.
// Bad values answer the error type invalid names.
func (c *Cloud) pageOf(req pagedRequest, scope, invalid string, n, def, maxN int) (start, end int, next *string, e *apiError) {
	size := def
	if req.MaxResults != nil {
		size = *req.MaxResults
		if size < 1 || size > maxN {
			return 0, 0, nil, apiErr(http.StatusBadRequest, invalid, "MaxResults must be between 1 and %d", maxN)
		}
	}
	if req.NextToken != nil {
		var ok bool
		if start, ok = c.parseToken(scope, *req.NextToken); !ok || start > n {
			return 0, 0, nil, apiErr(http.StatusBadRequest, invalid, "The NextToken is not valid")
		}
	}
	end = min(start+size, n)
	if end < n {
		t := c.token(scope, end)
		next = &t
	}
	return start, end, next, nil
}

// token is an opaque page token: the offset and a MAC over it, the Cloud's
// salt and the listing, so that it cannot be forged or reused elsewhere.
func (c *Cloud) token(scope string, offset int) string {
	b := binary.BigEndian.AppendUint32(nil, uint32(offset))
	return base64.RawURLEncoding.EncodeToString(append(b, c.tokenMAC(scope, b)...))
}

func (c *Cloud) parseToken(scope, t string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || len(b) != 12 || !hmac.Equal(b[4:], c.tokenMAC(scope, b[:4])) {
		return 0, false
	}
	return int(binary.BigEndian.Uint32(b[:4])), true
}

func (c *Cloud) tokenMAC(scope string, payload []byte) []byte {
	m := hmac.New(sha256.New, c.salt[:])
	m.Write([]byte(scope))
	m.Write(payload)
	return m.Sum(nil)[:8]
}
