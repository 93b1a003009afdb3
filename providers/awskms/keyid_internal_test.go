package awskms

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// keyIDShape is the expression isKeyID replaces: the oracle.
var keyIDShape = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)

func TestIsKeyIDMatchesItsExpression(t *testing.T) {
	const alphabet = "0aAfFgG-m rk\x00\xff/é"
	seeds := []string{"1234abcd-12AB-34cd-56ef-1234567890ab", "mrk-" + strings.Repeat("0aF9", 8), "", "mrk-", "alias/x"}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 50_000 {
		b := []byte(seeds[i%len(seeds)])
		for range r.IntN(3) {
			c := alphabet[r.IntN(len(alphabet))]
			switch j := r.IntN(len(b) + 1); r.IntN(3) {
			case 0:
				b = append(b[:j], append([]byte{c}, b[j:]...)...)
			case 1:
				if j < len(b) {
					b = append(b[:j], b[j+1:]...)
				}
			default:
				if j < len(b) {
					b[j] = c
				}
			}
		}
		if s := string(b); isKeyID(s) != keyIDShape.MatchString(s) {
			t.Fatalf("isKeyID(%q) = %v, expression %v", s, isKeyID(s), !isKeyID(s))
		}
	}
}
