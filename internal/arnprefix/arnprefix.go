// Package arnprefix spares the adapters splitting the ARN of every key they
// list: the keys of one listing share their partition, Region and account,
// so a Cache compares the next ARN with the last prefix it split and splits
// only when that differs.
package arnprefix

import "strings"

// SplitFunc splits an ARN into its Region and account and returns the
// length of the prefix they come from (up to and including the account's
// separator), or zeros when arn is not an ARN of the expected shape.
type SplitFunc func(arn string) (region, account string, prefix int)

// Cache remembers the last prefix split. The zero value is ready to use; a
// Cache is not safe for concurrent use (one per listing).
type Cache struct {
	prefix, region, account string
}

// RegionAccount returns the Region and account of arn: those of the last
// ARN split if arn has the same prefix, else those split returns.
func (c *Cache) RegionAccount(arn string, split SplitFunc) (region, account string) {
	if c.prefix != "" && strings.HasPrefix(arn, c.prefix) {
		return c.region, c.account
	}
	region, account, n := split(arn)
	c.prefix, c.region, c.account = arn[:n], region, account
	return region, account
}
