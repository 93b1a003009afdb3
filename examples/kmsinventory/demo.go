package main

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/multikms/multikms/kms"
)

// The demo fleet: with no URL, kmsinventory lists the built-in test servers
// of the three clouds (providers/*/…test), started in-process and listed
// through the real SDKs by the adapters, with no credentials. Each cloud
// spans several scopes (AWS and Alibaba Cloud Regions, Yandex Cloud folders);
// each scope is one lister of the fleet. The keys are deterministic, so that
// an interrupted demo run resumes exactly in the next process.

// demoTransport sends every request to addr (a test server's host:port),
// whatever host its URL names. The demo scopes' endpoints are stable names
// under .localhost ("us-east-1.aws.demo.localhost"), the same in every
// process, because a listing's cursor names its endpoint: with the test
// servers' ports in the endpoints, an interrupted demo run could not be
// resumed by the next process, whose servers listen on other ports.
func demoTransport(addr string) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	var d net.Dialer
	t.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return t
}

// demoLister is one lister of the demo fleet and the names of the scopes
// it lists, as errors name them ("aws/<account>/<region>").
type demoLister struct {
	names  []string
	lister kms.Lister
}

// demoCloud is one cloud's part of the demo fleet: its listers, a count of
// the requests its test servers received, and how to shut them down.
type demoCloud struct {
	listers  []demoLister
	requests func() int
	stop     func()
}

// demoKnobs are test seams: the scopes (by name) whose listing the test
// servers refuse, as a Region a policy denies is refused, and the Alibaba
// regions left out of the fleet, as a region no longer used is.
type demoKnobs struct {
	deny map[string]bool
	drop map[string]bool // "alibaba/<account>/<region>"
}

// demoFleet is the running demo fleet.
type demoFleet struct {
	clouds []demoCloud
}

// demoStarters start each cloud's part of the demo fleet, in fleet order.
var demoStarters = []func(ctx context.Context, k demoKnobs) (demoCloud, error){
	startDemoAWS, startDemoAlibaba, startDemoYandex,
}

// startDemo starts the demo fleet's test servers; on error, the ones
// already started are stopped.
func startDemo(ctx context.Context, k demoKnobs) (*demoFleet, error) {
	d := &demoFleet{}
	for _, start := range demoStarters {
		c, err := start(ctx, k)
		if err != nil {
			d.stop()
			return nil, fmt.Errorf("starting the demo fleet: %w", err)
		}
		d.clouds = append(d.clouds, c)
	}
	return d, nil
}

// listers returns the fleet's listers, one per scope, in fleet order.
func (d *demoFleet) listers() []kms.Lister {
	var ls []kms.Lister
	for _, c := range d.clouds {
		for _, l := range c.listers {
			ls = append(ls, l.lister)
		}
	}
	return ls
}

// scopeNames returns the names of the fleet's scopes, in fleet order.
func (d *demoFleet) scopeNames() []string {
	var names []string
	for _, c := range d.clouds {
		for _, l := range c.listers {
			names = append(names, l.names...)
		}
	}
	return names
}

// requests returns how many requests the fleet's test servers received.
func (d *demoFleet) requests() int {
	n := 0
	for _, c := range d.clouds {
		n += c.requests()
	}
	return n
}

// stop closes every lister and shuts every test server down.
func (d *demoFleet) stop() {
	for _, c := range d.clouds {
		for _, l := range c.listers {
			_ = l.lister.Close()
		}
		c.stop()
	}
	d.clouds = nil
}
