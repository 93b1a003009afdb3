package awskmstest

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The expressions the scanners of sigv4.go replace: the oracle.
var (
	scopeRe      = regexp.MustCompile(`^(\w{4,128})/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request$`)
	credentialRe = regexp.MustCompile(`^\w{4,128}/(\d{8})/([a-z0-9-]+)/kms/aws4_request$`)
	signedRe     = regexp.MustCompile(`^[a-z0-9-]+(;[a-z0-9-]+)*$`)
	signatureRe  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	keyIDRe      = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	aliasNameRe  = regexp.MustCompile(`^alias/[a-zA-Z0-9:/_-]+$`)
)

// mutate returns s with a few random edits drawn from alphabet: the
// strings near a valid shape are where a scanner and its expression part.
func mutate(r *rand.Rand, s, alphabet string) string {
	b := []byte(s)
	for range r.IntN(3) {
		switch r.IntN(4) {
		case 0:
			if len(b) > 0 {
				i := r.IntN(len(b))
				b = append(b[:i], b[i+1:]...)
			}
		case 1:
			i := r.IntN(len(b) + 1)
			b = append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
		default:
			if len(b) > 0 {
				b[r.IntN(len(b))] = alphabet[r.IntN(len(alphabet))]
			}
		}
	}
	return string(b)
}

func TestScannersMatchTheirExpressions(t *testing.T) {
	const alphabet = "aAfFgz09_-/;:.\x00\xffkmsaws4_requestmrk-alias/ \n"
	seeds := []string{
		"AKIDEMULATOR/20261201/eu-test-1/kms/aws4_request",
		"AKID/20261201/us-east-1/sts/aws4_request",
		strings.Repeat("A", 128) + "/20261201/r/kms/aws4_request",
		strings.Repeat("A", 129) + "/20261201/r/kms/aws4_request",
		"content-type;host;x-amz-date;x-amz-target",
		"host;x-amz-date", "host;;x-amz-date", ";host", "host;x-amz-date;",
		strings.Repeat("0123456789abcdef", 4),
		"1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-" + strings.Repeat("0a", 16),
		"alias/my-key", "alias/", "alias/a:b/c_d-e", "alias/\n",
		"", "kms/aws4_request",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 50_000 {
		s := mutate(r, seeds[i%len(seeds)], alphabet)
		_, date, region, service, ok := parseScope(s)
		if m := scopeRe.FindStringSubmatch(s); (m != nil) != ok || ok && (m[2] != date || m[3] != region || m[4] != service) {
			t.Fatalf("parseScope(%q) = %q %q %q %v, expression %q", s, date, region, service, ok, m)
		}
		date, region, ok = parseCredential(s)
		if m := credentialRe.FindStringSubmatch(s); (m != nil) != ok || ok && (m[1] != date || m[2] != region) {
			t.Fatalf("parseCredential(%q) = %q %q %v, expression %q", s, date, region, ok, m)
		}
		want := signedRe.MatchString(s) && strings.Contains(";"+s+";", ";host;") && strings.Contains(";"+s+";", ";x-amz-date;")
		if got := signedHeadersOK(s); got != want {
			t.Fatalf("signedHeadersOK(%q) = %v, want %v", s, got, want)
		}
		checks := []struct {
			name string
			got  bool
			re   *regexp.Regexp
		}{{"isSignature", isSignature(s), signatureRe}, {"isKeyID", isKeyID(s), keyIDRe}, {"isAliasName", isAliasName(s), aliasNameRe}}
		for _, c := range checks {
			if c.got != c.re.MatchString(s) {
				t.Fatalf("%s(%q) = %v, expression %v", c.name, s, c.got, !c.got)
			}
		}
	}
}

func TestAuthParamsLastWins(t *testing.T) {
	c, sh, sig := authParams(" Credential=a, SignedHeaders=h ,Signature=s, Credential=b,Other=x,Signature")
	if c != "b" || sh != "h" || sig != "" {
		t.Fatalf("authParams = %q %q %q, want b h \"\"", c, sh, sig)
	}
}

func TestReadBodyIsReadAllOfTheLimit(t *testing.T) {
	for _, c := range []struct {
		body          string
		length, limit int64
	}{
		{"", 0, 10}, {"abc", 3, 10}, {"abc", 2, 10}, {"abc", 5, 10}, {"abc", -1, 10},
		{"abcdef", 6, 4}, {"abcdef", 3, 4}, {"abcdef", 4, 4}, {"abcdef", -1, 4},
	} {
		got, err := readBody(strings.NewReader(c.body), c.length, c.limit)
		want := c.body[:min(int64(len(c.body)), c.limit)]
		if err != nil || string(got) != want {
			t.Errorf("readBody(%q, %d, %d) = %q, %v; want %q", c.body, c.length, c.limit, got, err, want)
		}
	}
}
