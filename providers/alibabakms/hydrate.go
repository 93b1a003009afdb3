package alibabakms

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/internal/hydrate"
	"github.com/multikms/multikms/kms"
)

// steps are the per-key steps of a listing, for internal/hydrate: the
// describe (which gives rotation too), the aliases (per key, or one
// account-wide pass when plan says it sends fewer requests), tags, the key
// policy and the access it grants.
func (l *Lister) steps(residual kms.Filter, plan *aliasPlan) hydrate.Steps {
	s := hydrate.Steps{
		DescribeOp: "DescribeKey",
		Describe: func(ctx context.Context, k kms.Key) (kms.Key, error) {
			plan.decide(ctx)
			d, err := l.describe(ctx, k.ID)
			if err != nil {
				return kms.Key{}, err
			}
			var listed *alikms.Key
			if k.As(&listed) {
				d = d.WithNative(listed)
			}
			return d, nil
		},
		Residual: residual,
		Extras:   l.extras(func(*kms.Key) bool { return !plan.usePass() }),
		Passes:   []hydrate.Pass{{Op: "ListAliases", Load: plan.load}},
	}
	return s
}

// extras are the per-key requests; perKeyAliases tells whether a key's
// aliases take a ListAliasesByKeyId of its own.
func (l *Lister) extras(perKeyAliases func(*kms.Key) bool) []hydrate.Extra {
	return []hydrate.Extra{
		{Op: "ListAliasesByKeyId", Applies: perKeyAliases, Fetch: func(ctx context.Context, k *kms.Key) (err error) {
			k.Aliases, err = l.aliases(ctx, k.ID)
			return err
		}},
		{Include: kms.IncludeTags, Op: "ListResourceTags", Fetch: func(ctx context.Context, k *kms.Key) (err error) {
			k.Labels, err = l.tags(ctx, k.ID)
			return err
		}},
		{Include: kms.IncludePolicy, Op: "GetKeyPolicy", Applies: inInstance, Fetch: func(ctx context.Context, k *kms.Key) (err error) {
			k.Policy, err = l.policy(ctx, k.ID)
			return err
		}},
		{Include: kms.IncludeAccess, Op: "GetKeyPolicy", Applies: inInstance, Fetch: func(ctx context.Context, k *kms.Key) error {
			doc := k.Policy
			if doc == "" {
				var err error
				if doc, err = l.policy(ctx, k.ID); err != nil {
					return err
				}
			}
			access, err := policyAccess(doc)
			if err != nil {
				return kms.NewError(provider, "GetKeyPolicy", kms.CodeUnknown, err)
			}
			k.Access = access
			return nil
		}},
	}
}

// inInstance reports whether k is in a KMS instance: only those keys have
// a key policy (GetKeyPolicy); the others are governed by RAM policies
// alone, and get no Policy nor Access, without a request.
func inInstance(k *kms.Key) bool { return k.KeyStore != "" }

// policy returns the key policy document of key id (GetKeyPolicy, the
// policy named default), as the cloud returns it.
func (l *Lister) policy(ctx context.Context, id string) (string, error) {
	const op = "GetKeyPolicy"
	req := alikms.CreateGetKeyPolicyRequest()
	req.KeyId, req.PolicyName = id, "default"
	resp, err := invoke(ctx, l.call, op, req, l.client.GetKeyPolicy)
	if err != nil {
		return "", err
	}
	if resp.RequestId == "" {
		return "", malformed(op, "no RequestId")
	}
	return resp.Policy, nil
}

// keyPolicy is the part of an Alibaba key policy Access reads.
type keyPolicy struct {
	Statement []struct {
		Effect    string          `json:"Effect"`
		Principal json.RawMessage `json:"Principal"`
		Action    json.RawMessage `json:"Action"`
		Condition json.RawMessage `json:"Condition"`
	} `json:"Statement"`
}

// policyAccess returns one Access per principal of every Allow statement
// of doc: PrincipalType "RAM" and the principal as written ("*" for
// anyone), the statement's actions, Conditional when it has a Condition.
func policyAccess(doc string) ([]kms.Access, error) {
	var p keyPolicy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	var out []kms.Access
	for _, st := range p.Statement {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		actions := stringList(st.Action)
		conditional := len(st.Condition) > 0 && string(st.Condition) != "null" && string(st.Condition) != "{}"
		for _, pr := range principals(st.Principal) {
			out = append(out, kms.Access{Principal: pr, PrincipalType: "RAM", Actions: actions,
				Source: kms.AccessFromPolicy, Conditional: conditional})
		}
	}
	return out, nil
}

// principals reads a Principal: "*", {"RAM": "..."} or {"RAM": [...]}
// (other kinds, such as Service, keep their name as the type prefix).
func principals(raw json.RawMessage) []string {
	if s := stringList(raw); s != nil {
		return s
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	kinds := make([]string, 0, len(m))
	for kind := range m {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	var out []string
	for _, kind := range kinds {
		for _, p := range stringList(m[kind]) {
			if !strings.EqualFold(kind, "RAM") {
				p = kind + ":" + p
			}
			out = append(out, p)
		}
	}
	return out
}

// stringList reads a JSON string or array of strings; nil otherwise.
func stringList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}
