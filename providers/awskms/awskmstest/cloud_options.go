package awskmstest

import (
	"sync/atomic"
	"time"
)

// WithCloudAccounts adds accounts; the first is the management account of
// the organization unless WithManagementAccount says otherwise.
func WithCloudAccounts(accounts ...CloudAccount) CloudOption {
	return func(c *cloudConfig) { c.accounts = append(c.accounts, accounts...) }
}

// WithManagementAccount sets the account whose credentials Config carries
// and that may call ListAccounts (default: the first account); it has no
// OrganizationAccountAccessRole.
func WithManagementAccount(id string) CloudOption { return func(c *cloudConfig) { c.management = id } }

// WithOrganizationID sets the organization ID (default o-a1b2c3d4e5) in
// the account ARNs ListAccounts returns.
func WithOrganizationID(id string) CloudOption { return func(c *cloudConfig) { c.orgID = id } }

// WithDiscoveryLatency delays every STS, Organizations and Account answer
// by d (KMS latency is an Option of the accounts' Servers).
func WithDiscoveryLatency(d time.Duration) CloudOption { return func(c *cloudConfig) { c.latency = d } }

// WithRole adds a role an AssumeRole may name, requiring externalID when it
// is not "" (every account but the management account, and those marked
// NoMemberRole, already has OrganizationAccountAccessRole, with no
// external ID).
func WithRole(account, name, externalID string) CloudOption {
	return func(c *cloudConfig) { c.roles[roleARN(account, name)] = externalID }
}

// WithDeniedRole makes every AssumeRole into account answer AccessDenied
// (HTTP 403), as a role whose trust policy does not name the caller does.
func WithDeniedRole(account string) CloudOption {
	return func(c *cloudConfig) { c.deniedRoles[account] = true }
}

// WithDeniedRegion makes KMS in one enabled Region of account answer
// AccessDeniedException, as a service control policy denying the Region does.
func WithDeniedRegion(account, region string) CloudOption {
	return func(c *cloudConfig) { c.deniedRegions[account+"/"+region] = true }
}

// WithDeniedListRegions makes ListRegions called with account's
// credentials answer AccessDeniedException (HTTP 403).
func WithDeniedListRegions(account string) CloudOption {
	return func(c *cloudConfig) { c.deniedListRegs[account] = true }
}

// WithSessionLifetime makes the credentials AssumeRole issues expire after
// d instead of the DurationSeconds asked (default one hour), so that tests
// see a client refresh them; expired ones answer ExpiredTokenException.
func WithSessionLifetime(d time.Duration) CloudOption { return func(c *cloudConfig) { c.lifetime = d } }

// WithThrottledDiscovery makes the first n requests of op (AssumeRole,
// GetCallerIdentity, ListAccounts or ListRegions) answer as the service
// throttles: STS Throttling (HTTP 400, XML), Organizations
// TooManyRequestsException (400), Account TooManyRequestsException (429).
func WithThrottledDiscovery(op string, n int) CloudOption {
	return func(c *cloudConfig) {
		v := new(atomic.Int64)
		v.Store(int64(n))
		c.throttle[op] = v
	}
}

// throttled reports whether a request of op is to be answered throttled.
func (c *Cloud) throttled(op string) bool {
	v := c.cfg.throttle[op]
	return v != nil && v.Add(-1) >= 0
}

// WithDeniedListAccounts makes ListAccounts answer AccessDeniedException.
func WithDeniedListAccounts() CloudOption { return func(c *cloudConfig) { c.denyList = true } }

// WithDelegatedAdministrator lets account's credentials (AccountConfig)
// call ListAccounts, as a member account that is a delegated
// administrator of the organization may.
func WithDelegatedAdministrator(account string) CloudOption {
	return func(c *cloudConfig) { c.delegated[account] = true }
}
