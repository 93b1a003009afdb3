package alibabakmstest

import "fmt"

// AddRegion activates region for the account, as an opened region does:
// DescribeRegions lists it from now on, and its requests reach a new Server
// made as NewCloud makes a region's (the Cloud's options, then opts:
// WithKeys, WithReadQuota, ...), which it returns. A region the Cloud
// already has is an error of the test: AddRegion panics.
func (c *Cloud) AddRegion(region string, opts ...Option) *Server {
	s := c.newRegion(region, opts)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.regions[region]; ok {
		s.Close()
		panic(fmt.Sprintf("alibabakmstest: AddRegion: the Cloud already has region %q", region))
	}
	c.regions[region] = s
	return s
}

// RemoveRegion deactivates region for the account: DescribeRegions no
// longer lists it, and its requests are answered as those of a region the
// Cloud does not have (404 InvalidRegionId, counted by Requests). Its
// Server (Region no longer returns it) stops at Close, and its counts
// leave Requests. Removing a region the Cloud does not have does nothing.
func (c *Cloud) RemoveRegion(region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.regions[region]; ok {
		delete(c.regions, region)
		c.retired = append(c.retired, s)
	}
}

// newRegion makes the Server of a region: the account, the published
// 50/s read quota, the STS credentials if the Cloud has roles, then opts.
func (c *Cloud) newRegion(region string, opts []Option) *Server {
	base := []Option{WithRegion(region), WithAccount(c.account), WithReadQuota(50, 50)}
	if c.hasRoles {
		base = append(base, WithAccessKey(c.sts.keyID, c.sts.secret), WithSecurityToken(c.sts.token))
	}
	return New(append(base, opts...)...)
}

// serverOf returns the Server of region, or nil (counting the request as
// a stray one) if the Cloud has no such region.
func (c *Cloud) serverOf(region string) *Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.regions[region]
	if s == nil {
		c.stray++
	}
	return s
}

// servers returns the regions' Servers, and the removed ones' if retired.
func (c *Cloud) servers(retired bool) []*Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Server, 0, len(c.regions)+len(c.retired))
	for _, s := range c.regions {
		out = append(out, s)
	}
	if retired {
		out = append(out, c.retired...)
	}
	return out
}
