package alibabakms

import (
	"strings"

	"github.com/multikms/multikms/kms"
)

// Shapes of key references, as the KMS references document them.
const (
	// maxKeyIDLen bounds a key ID: a UUID (08c33a6f-4e0a-4a1b-a3fa-7ddfa1d4****)
	// or key-<region code><id> (key-hzz630494463ejqjx****), 36 characters or
	// fewer; the bound leaves room for future forms.
	maxKeyIDLen = 128
	// maxAliasLen is CreateAlias's limit on AliasName, alias/ included.
	maxAliasLen = 255
	// maxRefLen bounds any reference: an ARN of the longest region, UID and
	// alias.
	maxRefLen = 512
)

// checkRef validates a key reference (key ID, alias/<name>, or the ARN
// acs:kms:<region>:<uid>:key/<id> or acs:kms:<region>:<uid>:alias/<name>)
// before any request. The message never quotes the reference.
func checkRef(op, ref string) error {
	bad := func(format string, args ...any) error {
		return kms.InvalidArgument(provider, op, "keyRef", format, args...)
	}
	if err := kms.CheckKeyRef(provider, op, ref, maxRefLen); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(ref) == "":
		return bad("must not be blank")
	case strings.HasPrefix(ref, "arn:"):
		return bad("is an ARN of another cloud; Alibaba Cloud KMS ARNs are acs:kms:<region>:<uid>:key/<id>")
	case strings.HasPrefix(ref, "acs:"):
		if !validARN(ref) {
			return bad("ARN must be acs:kms:<region>:<uid>:key/<key-id> or acs:kms:<region>:<uid>:alias/<name>")
		}
	case strings.HasPrefix(ref, "alias/"):
		if !validAlias(ref) {
			return bad("alias must be alias/<name>, %d characters at most in all, of letters, digits, _, - and /", maxAliasLen)
		}
	case !validKeyID(ref):
		return bad("must be a key ID (letters, digits, - and _, at most %d characters), alias/<name> or a key ARN", maxKeyIDLen)
	}
	return nil
}

// validKeyID reports whether id has the shape of a key ID.
func validKeyID(id string) bool {
	return len(id) >= 1 && len(id) <= maxKeyIDLen && onlyChars(id, "-_")
}

// validAlias reports whether name is alias/<name> as CreateAlias allows.
func validAlias(name string) bool {
	rest, ok := strings.CutPrefix(name, "alias/")
	return ok && rest != "" && len(name) <= maxAliasLen && onlyChars(rest, "_-/")
}

// validRegion reports whether r has the shape of a region ID (cn-hangzhou,
// ap-southeast-1): lowercase letters, digits and hyphens.
func validRegion(r string) bool {
	if r == "" || len(r) > 64 || strings.HasPrefix(r, "-") || strings.HasSuffix(r, "-") {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validARN reports whether arn is a key or alias ARN.
func validARN(arn string) bool {
	region, account, res, ok := splitResource(arn)
	if !ok || !validRegion(region) || !validUID(account) {
		return false
	}
	if id, isKey := strings.CutPrefix(res, "key/"); isKey {
		return validKeyID(id)
	}
	return validAlias(res)
}

// splitResource splits acs:kms:<region>:<account>:<resource>.
func splitResource(arn string) (region, account, resource string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "acs:kms:")
	if !ok {
		return "", "", "", false
	}
	region, rest, ok1 := strings.Cut(rest, ":")
	account, resource, ok2 := strings.Cut(rest, ":")
	return region, account, resource, ok1 && ok2
}

func validUID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// onlyChars reports whether s holds only ASCII letters, digits and the
// characters of extra.
func onlyChars(s, extra string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(extra, c)) {
			return false
		}
	}
	return true
}

// parseARN splits acs:kms:<region>:<account>:key/<id>.
func parseARN(arn string) (region, account string, ok bool) {
	region, account, res, ok := splitResource(arn)
	id, isKey := strings.CutPrefix(res, "key/")
	if !ok || region == "" || account == "" || !isKey || id == "" || strings.Contains(id, ":") {
		return "", "", false
	}
	return region, account, true
}

// splitARN returns the Region and account of a key ARN and the length of
// the prefix they come from (see arnprefix.SplitFunc); zeros if arn is not a
// key ARN.
func splitARN(arn string) (region, account string, prefix int) {
	region, account, ok := parseARN(arn)
	if !ok {
		return "", "", 0
	}
	return region, account, len("acs:kms:") + len(region) + len(account) + 2
}
