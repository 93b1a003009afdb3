package awskmstest

import (
	"net/http"
	"strings"
)

type keyListEntry struct {
	KeyArn string `json:"KeyArn"`
	KeyID  string `json:"KeyId"`
}

type listKeysResponse struct {
	Keys       []keyListEntry `json:"Keys"`
	NextMarker *string        `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

func (s *Server) listKeys(req *request) (any, *apiError) {
	p, e := s.page(req, pageSpec{scope: OpListKeys, def: 100, maxLimit: 1000}, len(s.cfg.keys))
	if e != nil {
		return nil, e
	}
	out := listKeysResponse{Keys: make([]keyListEntry, 0, p.end-p.start), NextMarker: p.next, Truncated: p.truncated}
	for i := p.start; i < p.end; i++ {
		out.Keys = append(out.Keys, keyListEntry{KeyArn: s.keyARN(s.cfg.keys[i].ID), KeyID: s.cfg.keys[i].ID})
	}
	return out, nil
}

func (s *Server) describeKey(req *request) (any, *apiError) {
	if len(req.GrantTokens) > 10 {
		return nil, validation("Value '%v' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10", len(req.GrantTokens))
	}
	for _, t := range req.GrantTokens {
		if len(t) < 1 || len(t) > 8192 {
			return nil, validation("Value at 'grantTokens' failed to satisfy constraint: Member must satisfy constraint: [Member must have length between 1 and 8192]")
		}
	}
	i, e := s.resolveKey(req.KeyID, true)
	if e != nil {
		return nil, e
	}
	k := &s.cfg.keys[i]
	if k.DenyDescribe {
		return nil, apiErr(http.StatusBadRequest, "AccessDeniedException",
			"User: arn:aws:iam::%s:user/emulator is not authorized to perform: kms:DescribeKey on resource: %s because no resource-based policy allows the kms:DescribeKey action",
			s.cfg.account, s.keyARN(k.ID))
	}
	return s.describeAnswer(i), nil
}

// describeAnswer is DescribeKey's answer for key i, written without
// reflection (metadata_json.go).
func (s *Server) describeAnswer(i int) rawJSON {
	m := s.metadata(&s.cfg.keys[i])
	return appendDescribeAnswer(make([]byte, 0, 1024), &m)
}

// resolveKey finds the key a KeyId parameter names: a key ID, key ARN and,
// if allowAlias, an alias name or alias ARN.
func (s *Server) resolveKey(ref *string, allowAlias bool) (int, *apiError) {
	if ref == nil {
		return 0, validation("Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	id := *ref
	if len(id) < 1 || len(id) > 2048 {
		return 0, validation("Value at 'keyId' failed to satisfy constraint: Member must have length between 1 and 2048")
	}
	if strings.HasPrefix(id, "arn:") {
		res, e := s.parseARN(id)
		if e != nil {
			return 0, e
		}
		id = res
	}
	if name, isAlias := strings.CutPrefix(id, "alias/"); isAlias {
		i, ok := s.byAlias[id]
		switch {
		case !allowAlias || name == "" || !isAliasName(id):
			return 0, apiErr(http.StatusBadRequest, "NotFoundException", "Invalid keyId %s", id)
		case !ok:
			return 0, apiErr(http.StatusBadRequest, "NotFoundException", "Alias %s is not found.", s.aliasARN(id))
		}
		return i, nil
	}
	if !isKeyID(id) {
		return 0, apiErr(http.StatusBadRequest, "NotFoundException", "Invalid keyId %s", id)
	}
	i, ok := s.byID[id]
	if !ok {
		return 0, apiErr(http.StatusBadRequest, "NotFoundException", "Key '%s' does not exist", s.keyARN(id))
	}
	return i, nil
}

// parseARN returns the resource ("key/<id>" becomes "<id>", "alias/<name>"
// stays) of a KMS ARN of this Region and account.
func (s *Server) parseARN(arn string) (string, *apiError) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kms" || parts[3] == "" || parts[4] == "" {
		return "", apiErr(http.StatusBadRequest, "InvalidArnException", "ARN does not refer to a valid resource: %s", arn)
	}
	res := parts[5]
	id, isKey := strings.CutPrefix(res, "key/")
	if !isKey && !strings.HasPrefix(res, "alias/") {
		return "", apiErr(http.StatusBadRequest, "InvalidArnException", "ARN does not refer to a valid resource: %s", arn)
	}
	if parts[3] != s.cfg.region || parts[4] != s.cfg.account {
		return "", apiErr(http.StatusBadRequest, "NotFoundException", "Resource %s does not exist in this account and Region", arn)
	}
	if isKey {
		return id, nil
	}
	return res, nil
}

func (s *Server) keyARN(id string) string {
	return "arn:aws:kms:" + s.cfg.region + ":" + s.cfg.account + ":key/" + id
}

func (s *Server) aliasARN(name string) string {
	return "arn:aws:kms:" + s.cfg.region + ":" + s.cfg.account + ":" + name
}
