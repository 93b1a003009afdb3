package awskmstest

import (
	"net/http"
	"regexp"
	"time"
)

func (s *Server) denied(k *Key, action string) *apiError {
	return apiErr(http.StatusBadRequest, "AccessDeniedException",
		"User: arn:aws:iam::%s:user/emulator is not authorized to perform: kms:%s on resource: %s because no resource-based policy allows the kms:%s action",
		s.cfg.account, action, s.keyARN(k.ID), action)
}

type rotationStatus struct {
	KeyID                     string `json:"KeyId"`
	KeyRotationEnabled        bool   `json:"KeyRotationEnabled"`
	RotationPeriodInDays      *int32 `json:"RotationPeriodInDays,omitempty"`
	NextRotationDate          *epoch `json:"NextRotationDate,omitempty"`
	OnDemandRotationStartDate *epoch `json:"OnDemandRotationStartDate,omitempty"`
}

// getKeyRotationStatus answers as AWS documents: a key ID or key ARN (no
// alias); UnsupportedOperationException for a key that cannot rotate;
// AWS-managed keys rotate yearly; a key pending deletion does not rotate.
func (s *Server) getKeyRotationStatus(req *request) (any, *apiError) {
	i, e := s.resolveKey(req.KeyID, false)
	if e != nil {
		return nil, e
	}
	k := &s.cfg.keys[i]
	switch {
	case k.DenyRotation:
		return nil, s.denied(k, "GetKeyRotationStatus")
	case !k.CanRotate():
		return nil, apiErr(http.StatusBadRequest, "UnsupportedOperationException",
			"%s does not support automatic key rotation (KeySpec %s, Origin %s)", s.keyARN(k.ID), k.Spec, k.Origin)
	}
	out := rotationStatus{KeyID: s.keyARN(k.ID)}
	enabled, days := k.RotationEnabled, k.RotationPeriodDays
	if k.Manager == "AWS" {
		enabled, days = true, 365
	}
	if days == 0 {
		days = 365
	}
	if enabled && k.State != "PendingDeletion" {
		out.KeyRotationEnabled = true
		out.RotationPeriodInDays = &days
		out.NextRotationDate = epochOf(nextRotation(k, days))
	}
	return out, nil
}

// nextRotation is the first rotation date after the last material's (or
// the creation), every days days.
func nextRotation(k *Key, days int32) time.Time {
	last := k.Created
	for _, m := range k.Materials {
		if m.RotationDate.After(last) {
			last = m.RotationDate
		}
	}
	return last.Add(time.Duration(days) * 24 * time.Hour)
}

var policyNameRe = regexp.MustCompile(`^[\w]{1,128}$`)

// getKeyPolicy answers the key policy; the only policy name is "default".
func (s *Server) getKeyPolicy(req *request) (any, *apiError) {
	name := "default"
	if req.PolicyName != nil {
		name = *req.PolicyName
		if !policyNameRe.MatchString(name) {
			return nil, validation("Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+", name)
		}
	}
	i, e := s.resolveKey(req.KeyID, false)
	if e != nil {
		return nil, e
	}
	k := &s.cfg.keys[i]
	switch {
	case k.DenyPolicy:
		return nil, s.denied(k, "GetKeyPolicy")
	case name != "default":
		return nil, apiErr(http.StatusBadRequest, "NotFoundException", "No such policy exists: %s", name)
	}
	return struct {
		Policy     string `json:"Policy"`
		PolicyName string `json:"PolicyName"`
	}{s.policyOf(k), name}, nil
}

// policyOf is the key's policy, or the default key policy.
func (s *Server) policyOf(k *Key) string {
	if k.Policy != "" {
		return k.Policy
	}
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + s.cfg.account + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

type grantEntry struct {
	KeyID             string            `json:"KeyId"`
	GrantID           string            `json:"GrantId"`
	Name              string            `json:"Name,omitempty"`
	CreationDate      *epoch            `json:"CreationDate,omitempty"`
	GranteePrincipal  string            `json:"GranteePrincipal,omitempty"`
	RetiringPrincipal string            `json:"RetiringPrincipal,omitempty"`
	IssuingAccount    string            `json:"IssuingAccount"`
	Operations        []string          `json:"Operations"`
	Constraints       *grantConstraints `json:"Constraints,omitempty"`
}

type grantConstraints struct {
	EncryptionContextSubset map[string]string `json:"EncryptionContextSubset,omitempty"`
	EncryptionContextEquals map[string]string `json:"EncryptionContextEquals,omitempty"`
}

type listGrantsResponse struct {
	Grants     []grantEntry `json:"Grants"`
	NextMarker *string      `json:"NextMarker,omitempty"`
	Truncated  bool         `json:"Truncated"`
}

// listGrants pages a key's grants (Limit 1..100, default 50), filtered by
// GrantId and GranteePrincipal when given.
func (s *Server) listGrants(req *request) (any, *apiError) {
	i, e := s.resolveKey(req.KeyID, false)
	if e != nil {
		return nil, e
	}
	k := &s.cfg.keys[i]
	if k.DenyGrants {
		return nil, s.denied(k, "ListGrants")
	}
	var grants []Grant
	for _, g := range k.Grants {
		if (req.GrantID == nil || *req.GrantID == g.ID) && (req.GranteePrincipal == nil || *req.GranteePrincipal == g.GranteePrincipal) {
			grants = append(grants, g)
		}
	}
	p, e := s.page(req, pageSpec{scope: OpListGrants + "/" + k.ID + "/" + str(req.GrantID) + "/" + str(req.GranteePrincipal), def: 50, maxLimit: 100}, len(grants))
	if e != nil {
		return nil, e
	}
	out := listGrantsResponse{Grants: make([]grantEntry, 0, p.end-p.start), NextMarker: p.next, Truncated: p.truncated}
	for _, g := range grants[p.start:p.end] {
		ge := grantEntry{
			KeyID: s.keyARN(k.ID), GrantID: g.ID, Name: g.Name, CreationDate: epochOf(g.Created),
			GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
			IssuingAccount: "arn:aws:iam::" + s.cfg.account + ":root", Operations: g.Operations,
		}
		if len(g.EncryptionContextSubset) > 0 || len(g.EncryptionContextEquals) > 0 {
			ge.Constraints = &grantConstraints{g.EncryptionContextSubset, g.EncryptionContextEquals}
		}
		out.Grants = append(out.Grants, ge)
	}
	return out, nil
}
