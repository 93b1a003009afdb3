package arnprefix

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// split takes "region/account/rest" apart.
func split(arn string) (string, string, int) {
	parts := strings.SplitN(arn, "/", 3)
	if len(parts) < 3 {
		return "", "", 0
	}
	return parts[0], parts[1], len(parts[0]) + len(parts[1]) + 2
}

func TestCacheSplitsOnlyANewPrefix(t *testing.T) {
	var c Cache
	splits := 0
	counting := func(arn string) (string, string, int) { splits++; return split(arn) }
	for _, tc := range []struct{ arn, region, account string }{
		{"r1/a1/k1", "r1", "a1"},
		{"r1/a1/k2", "r1", "a1"},
		{"r2/a1/k3", "r2", "a1"},
		{"r2/a2/k4", "r2", "a2"},
		{"junk", "", ""},
		{"junk2", "", ""},
		{"r2/a2/k5", "r2", "a2"},
	} {
		region, account := c.RegionAccount(tc.arn, counting)
		assert.Equal(t, tc.region, region, tc.arn)
		assert.Equal(t, tc.account, account, tc.arn)
	}
	assert.Equal(t, 6, splits, "the second key of a prefix is not split")
}
