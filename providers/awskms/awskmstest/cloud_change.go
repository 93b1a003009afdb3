package awskmstest

import (
	"fmt"
	"regexp"
	"slices"
)

var (
	accountIDRe  = regexp.MustCompile(`^[0-9]{12}$`)
	regionNameRe = regexp.MustCompile(`^[a-z]{2,5}(-[a-z]+)+-[0-9]{1,2}$`)
)

// addAccount adds a to the organization: its IAM user, its member role
// (unless NoMemberRole, or a is the management account) and a Server of
// a.Keys generated keys in each of its Regions.
func (c *Cloud) addAccount(a CloudAccount) {
	c.addUser(a.ID)
	c.topo.Lock()
	defer c.topo.Unlock()
	acct := &a
	acct.Regions = slices.Clone(a.Regions)
	slices.Sort(acct.Regions)
	c.members = append(c.members, acct)
	c.byID[a.ID] = acct
	if _, set := c.cfg.roles[roleARN(a.ID, memberRole)]; !set && a.ID != c.cfg.management && !a.NoMemberRole {
		c.cfg.roles[roleARN(a.ID, memberRole)] = ""
	}
	for _, r := range acct.Regions {
		c.servers[a.ID+"/"+r] = c.newServer(acct, r)
	}
}

// newServer makes the Server of account a in region r: a.Keys keys of
// their own IDs, a.Edit and the account's options applied. Called with
// topo held.
func (c *Cloud) newServer(a *CloudAccount, r string) *Server {
	keys := make([]Key, a.Keys)
	for j := range keys {
		keys[j] = GenerateKey(c.seq)
		c.seq++
	}
	if a.Edit != nil {
		a.Edit(r, keys)
	}
	so := append([]Option{WithRegion(r), WithAccount(a.ID), WithKeys(keys...)}, a.Options...)
	so = append(so, a.RegionOptions[r]...)
	return New(so...)
}

// AddAccount adds an account to the organization while the Cloud runs, as
// an account created in or invited into it: ListAccounts lists it from now
// on, with its Regions, keys and member role as NewCloud makes them. An
// account ID the Cloud already has is an error.
func (c *Cloud) AddAccount(a CloudAccount) error {
	c.topo.RLock()
	_, known := c.byID[a.ID]
	c.topo.RUnlock()
	if known || !accountIDRe.MatchString(a.ID) {
		return fmt.Errorf("awskmstest: cannot add account %q (a 12-digit ID the Cloud does not have)", a.ID)
	}
	c.addAccount(a)
	return nil
}

// RemoveAccount takes an account out of the organization, as an account
// that leaves it or is closed: ListAccounts no longer lists it. The
// account itself stays (its credentials, roles and Servers still answer,
// as a standalone account's would). An account not in the organization is
// an error.
func (c *Cloud) RemoveAccount(id string) error {
	c.topo.Lock()
	defer c.topo.Unlock()
	i := slices.IndexFunc(c.members, func(a *CloudAccount) bool { return a.ID == id })
	if i < 0 {
		return fmt.Errorf("awskmstest: account %q is not in the organization", id)
	}
	c.members = slices.Delete(c.members, i, i+1)
	return nil
}

// EnableRegion enables a Region for an account while the Cloud runs (an
// opt-in Region enabled, say): ListRegions lists it ENABLED (or
// ENABLED_BY_DEFAULT) from now on and its Server holds the account's
// Keys new keys. A Region already enabled is an error.
func (c *Cloud) EnableRegion(account, region string) error {
	c.topo.Lock()
	defer c.topo.Unlock()
	a := c.byID[account]
	if a == nil || slices.Contains(a.Regions, region) || !regionNameRe.MatchString(region) {
		return fmt.Errorf("awskmstest: cannot enable Region %q for account %q", region, account)
	}
	c.servers[account+"/"+region] = c.newServer(a, region)
	a.Regions = append(a.Regions, region)
	slices.Sort(a.Regions)
	return nil
}

// DisableRegion disables a Region of an account while the Cloud runs:
// ListRegions no longer lists it ENABLED (an opt-in Region is DISABLED
// again) and a KMS request there answers UnrecognizedClientException, as
// AWS answers in a Region not enabled. A Region not enabled is an error.
func (c *Cloud) DisableRegion(account, region string) error {
	c.topo.Lock()
	defer c.topo.Unlock()
	a := c.byID[account]
	if a == nil || !slices.Contains(a.Regions, region) {
		return fmt.Errorf("awskmstest: Region %q is not enabled for account %q", region, account)
	}
	a.Regions = slices.DeleteFunc(a.Regions, func(r string) bool { return r == region })
	key := account + "/" + region
	c.retired = append(c.retired, c.servers[key])
	delete(c.servers, key)
	return nil
}

// DenyRole makes every AssumeRole into account answer AccessDenied from
// now on, as WithDeniedRole does: the role's trust policy changed.
func (c *Cloud) DenyRole(account string) {
	c.topo.Lock()
	defer c.topo.Unlock()
	c.cfg.deniedRoles[account] = true
}
