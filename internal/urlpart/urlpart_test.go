package urlpart

import (
	"net/url"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestOfNamesThePartNeverTheURL: each malformed URL is told by its part,
// and the answer never holds the secret the URL carries.
func TestOfNamesThePartNeverTheURL(t *testing.T) {
	const secret = "S3CR3T"
	for raw, want := range map[string]string{
		"x://h:" + secret + "/":      "bad port",
		"x://h%zz" + secret + "/":    "bad escape",
		"x://h\x7f" + secret + "/":   "bad character",
		"1x://h/" + secret:           "bad scheme",
		"x://[::1" + secret + "/":    "bad host",
		"x://h o" + secret + ".com/": "bad host",
	} {
		_, err := url.Parse(raw)
		if err == nil {
			t.Fatalf("%q parsed", raw)
		}
		got := Of(err)
		if !strings.HasPrefix(got, want) || strings.Contains(got, secret) {
			t.Errorf("Of(%q) = %q, want it to start with %q and not hold the secret", raw, got, want)
		}
	}
}
