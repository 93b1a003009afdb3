package alibabakms

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitARN(t *testing.T) {
	for _, tc := range []struct {
		arn, region, account string
		prefix               int
	}{
		{"acs:kms:cn-hangzhou:123456:key/abc", "cn-hangzhou", "123456", len("acs:kms:cn-hangzhou:123456:")},
		{"acs:kms:cn-hangzhou:123456:alias/abc", "", "", 0},
		{"acs:kms:cn-hangzhou:123456:key/a:b", "", "", 0},
		{"acs:kms::123456:key/abc", "", "", 0},
		{"arn:aws:kms:us-east-1:111122223333:key/x", "", "", 0},
		{"abc", "", "", 0},
	} {
		region, account, n := splitARN(tc.arn)
		assert.Equal(t, tc.region, region, tc.arn)
		assert.Equal(t, tc.account, account, tc.arn)
		assert.Equal(t, tc.prefix, n, tc.arn)
	}
}
