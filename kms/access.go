package kms

import "strings"

// Access sources (Access.Source).
const (
	AccessFromGrant   = "grant"   // an AWS grant
	AccessFromPolicy  = "policy"  // an Allow statement of a key policy (AWS, Alibaba)
	AccessFromBinding = "binding" // a Yandex Cloud access binding
)

// How adapters fill an Access, so that Public reads the three clouds alike:
//
//   - AWS key policy: one Access per principal of an Allow statement:
//     PrincipalType is the principal's kind ("AWS", "Service", "Federated",
//     "CanonicalUser") and Principal its value; "Principal": "*" and
//     {"AWS": "*"} are Principal "*". Conditional when the statement has a
//     Condition.
//   - AWS grants: PrincipalType "Grantee" (or "RetiringPrincipal"),
//     Principal the ARN; Conditional when the grant has constraints.
//   - Alibaba key policy: as AWS, PrincipalType "RAM" and the principal as
//     written ("*" for anyone).
//   - Yandex access bindings: PrincipalType the subject type ("userAccount",
//     "serviceAccount", "group", "federatedUser", "system") and Principal the
//     subject ID ("allUsers", "allAuthenticatedUsers" for the system subjects).
//
// Deny statements are not listed: Access says who is allowed.

// Public reports whether a is open to anyone, unconditionally: a "*"
// principal (AWS "Principal": "*" or {"AWS": "*"}, Alibaba "*"), or the
// Yandex Cloud subjects allUsers and allAuthenticatedUsers (of type "system",
// also recognised written "system:allUsers"). An access under conditions
// (policy conditions, grant constraints) is not public: its conditions may
// narrow it to anyone but everyone, which the caller must judge.
func (a Access) Public() bool {
	if a.Conditional {
		return false
	}
	p := strings.TrimSpace(a.Principal)
	switch {
	case p == "*":
		return true
	case strings.EqualFold(a.PrincipalType, "system") && isYandexPublic(p):
		return true
	}
	if t, id, ok := strings.Cut(p, ":"); ok && strings.EqualFold(t, "system") {
		return isYandexPublic(id)
	}
	return false
}

func isYandexPublic(id string) bool { return id == "allUsers" || id == "allAuthenticatedUsers" }

// OpenToAnyone reports whether any of the key's Access is Public. It reads
// Access, which only a listing or describe with IncludeAccess fills: a key
// without it reports false whatever its policy says.
func (k Key) OpenToAnyone() bool {
	for _, a := range k.Access {
		if a.Public() {
			return true
		}
	}
	return false
}
