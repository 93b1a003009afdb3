package awskms

import (
	"encoding/json"
	"errors"
	"slices"

	"github.com/multikms/multikms/kms"
)

var errBadPolicy = errors.New("the key policy is not a JSON policy document")

// statement is one statement of an IAM policy document. Principal, Action
// and the Not forms are a string or a list (Principal also an object of
// kinds to a string or a list).
type statement struct {
	Effect       string          `json:"Effect"`
	Principal    json.RawMessage `json:"Principal"`
	NotPrincipal json.RawMessage `json:"NotPrincipal"`
	Action       json.RawMessage `json:"Action"`
	NotAction    json.RawMessage `json:"NotAction"`
	Condition    json.RawMessage `json:"Condition"`
}

// policyAccess is one Access per principal of every Allow statement of a
// key policy (kms.Access documents the shape): PrincipalType the kind
// ("AWS", "Service", "Federated", "CanonicalUser"), "*" for anyone;
// Conditional when the statement has a Condition. A statement with
// NotPrincipal (everyone but those) is reported as Principal "*",
// Conditional; one with NotAction as Actions ["*"], Conditional: both
// allow more than they name. Deny statements are left out.
func policyAccess(policy string) ([]kms.Access, error) {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, errBadPolicy
	}
	var stmts []statement
	if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
		var one statement
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return nil, errBadPolicy
		}
		stmts = []statement{one}
	}
	var out []kms.Access
	for _, st := range stmts {
		if st.Effect != "Allow" {
			continue
		}
		actions, err := stringList(st.Action)
		if err != nil {
			return out, errBadPolicy
		}
		conditional := hasCondition(st.Condition)
		if len(st.NotAction) > 0 {
			actions, conditional = []string{"*"}, true
		}
		principals, err := principalsOf(st.Principal)
		if err != nil {
			return out, errBadPolicy
		}
		if len(st.NotPrincipal) > 0 {
			principals, conditional = []principal{{"AWS", "*"}}, true
		}
		for _, p := range principals {
			out = append(out, kms.Access{Principal: p.id, PrincipalType: p.kind, Actions: slices.Clone(actions),
				Source: kms.AccessFromPolicy, Conditional: conditional})
		}
	}
	return out, nil
}

type principal struct{ kind, id string }

// principalsOf reads a Principal: "*", or {"AWS": "arn" | ["arn", ...], ...}.
func principalsOf(raw json.RawMessage) ([]principal, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return []principal{{"AWS", star}}, nil
	}
	var kinds map[string]json.RawMessage
	if err := json.Unmarshal(raw, &kinds); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(kinds))
	for kind := range kinds {
		names = append(names, kind)
	}
	slices.Sort(names) // a stable order: JSON objects have none
	var out []principal
	for _, kind := range names {
		ids, err := stringList(kinds[kind])
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, principal{kind, id})
		}
	}
	return out, nil
}

// stringList reads a string or a list of strings.
func stringList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var list []string
	err := json.Unmarshal(raw, &list)
	return list, err
}

// hasCondition reports whether a Condition holds any operator.
func hasCondition(raw json.RawMessage) bool {
	var ops map[string]json.RawMessage
	return len(raw) > 0 && json.Unmarshal(raw, &ops) == nil && len(ops) > 0
}
