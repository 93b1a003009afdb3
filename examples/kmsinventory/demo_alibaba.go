package main

import (
	"context"
	"net/http"

	"github.com/multikms/multikms/providers/alibabakms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// demoAlibabaRegions are the Alibaba Cloud part of the demo fleet: one
// account, two regions sharing out alibabakmstest.DemoKeys (AES, SM4, RSA,
// EC and SM2 keys; software and HSM protection; enabled, disabled, pending
// deletion and import).
var demoAlibabaRegions = []struct {
	region   string
	from, to int // DemoKeys indexes
}{
	{"cn-hangzhou", 0, 8},
	{"eu-central-1", 8, -1},
}

// startDemoAlibaba starts one test server per demo region and an alibabakms
// Lister over each, through the real alibaba-cloud-sdk-go client (signed RPC
// over loopback HTTP with the test server's own AccessKey).
func startDemoAlibaba(_ context.Context, k demoKnobs) (demoCloud, error) {
	var (
		servers    []*alibabakmstest.Server
		transports []*http.Transport
	)
	c := demoCloud{
		requests: func() int {
			n := 0
			for _, s := range servers {
				n += s.Requests()
			}
			return n
		},
		stop: func() {
			for _, t := range transports {
				t.CloseIdleConnections()
			}
			for _, s := range servers {
				s.Close()
			}
		},
	}
	all := alibabakmstest.DemoKeys(alibabakmstest.DefaultAccount)
	for _, r := range demoAlibabaRegions {
		name := "alibaba/" + alibabakmstest.DefaultAccount + "/" + r.region
		if k.drop[name] {
			continue
		}
		keys := all[r.from:]
		if r.to >= 0 {
			keys = all[r.from:r.to]
		}
		srv := alibabakmstest.New(alibabakmstest.WithRegion(r.region), alibabakmstest.WithKeys(keys...))
		servers = append(servers, srv)
		if k.deny[name] {
			srv.FailNext("", 1<<30, 403, "Forbidden.RAM")
		}
		client, err := srv.Client()
		if err != nil {
			c.stop()
			return demoCloud{}, err
		}
		// A stable endpoint name (see demoTransport).
		tr := demoTransport(srv.Host())
		transports = append(transports, tr)
		client.Domain = r.region + ".alibaba.demo.localhost"
		client.GetConfig().Transport = tr
		l := alibabakms.New(client)
		c.listers = append(c.listers, demoLister{names: []string{name}, lister: l})
	}
	return c, nil
}
