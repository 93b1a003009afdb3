package main

import (
	"context"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/alibabakms"
	emulator "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// The Alibaba Cloud demo: the in-process KMS emulator holding the demo keys,
// listed through the real alibaba-cloud-sdk-go client (signed RPC over
// loopback HTTP) by the alibabakms adapter.
func init() {
	demos = append(demos, demo{name: "alibaba", start: startAlibaba})
}

func startAlibaba(context.Context) (kms.Lister, func(), error) {
	srv := emulator.New(emulator.WithKeys(emulator.DemoKeys(emulator.DefaultAccount)...))
	client, err := srv.Client()
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	lister := alibabakms.New(client)
	stop := func() {
		lister.Close()
		srv.Close()
	}
	return lister, stop, nil
}
