package alibabakms

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

// metadataServer answers the instance metadata service's token and
// credentials requests for role with the test server's STS credentials.
func metadataServer(t *testing.T, kms *alibabakmstest.Server, role string, requests *atomic.Int32) *httptest.Server {
	id, secret := kms.AccessKey()
	md := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			fmt.Fprint(w, "imds-token-1")
		case r.Method == http.MethodGet && r.URL.Path == "/latest/meta-data/ram/security-credentials/"+role &&
			r.Header.Get("X-aliyun-ecs-metadata-token") == "imds-token-1":
			fmt.Fprintf(w, `{"AccessKeyId":%q,"AccessKeySecret":%q,"SecurityToken":%q,"Expiration":%q,"Code":"Success"}`,
				id, secret, kms.SecurityToken(), time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(md.Close)
	return md
}

// TestInstanceRole: the instance RAM role's STS credentials come from the
// metadata service (IMDSv2 token first) once, and sign every request.
func TestInstanceRole(t *testing.T) {
	srv := alibabakmstest.New(alibabakmstest.WithKeys(alibabakmstest.DemoKeys(alibabakmstest.DefaultAccount)...),
		alibabakmstest.WithSecurityToken("STS.instance-token"))
	t.Cleanup(srv.Close)
	var mdRequests atomic.Int32
	md := metadataServer(t, srv, "kms-reader", &mdRequests)
	role := newInstanceRole("kms-reader")
	role.base = md.URL
	l, err := NewFromConfig(context.Background(), WithRegion(srv.Region()), WithEndpoint(srv.URL()), WithCredentials(role))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for range 3 {
		if _, err := l.DescribeKey(context.Background(), "alias/app-data"); err != nil {
			t.Fatal(err)
		}
	}
	if n := mdRequests.Load(); n != 2 {
		t.Errorf("%d metadata requests, want 2 (token and credentials, once)", n)
	}
	role404 := newInstanceRole("no-such-role")
	role404.base = md.URL
	l2, err := NewFromConfig(context.Background(), WithRegion(srv.Region()), WithEndpoint(srv.URL()), WithCredentials(role404))
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if _, err := l2.DescribeKey(context.Background(), "alias/app-data"); !errors.Is(err, kms.ErrUnauthenticated) {
		t.Errorf("unknown role: %v, want ErrUnauthenticated", err)
	}
	if srv.Requests() != 6 {
		t.Errorf("%d requests reached the server, want 6 (3 describes and their aliases)", srv.Requests())
	}
}

// TestSilentMetadataService: a metadata service that accepts and never
// answers holds no call past its deadline.
func TestSilentMetadataService(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	srv := alibabakmstest.New()
	t.Cleanup(srv.Close)
	role := newInstanceRole("kms-reader")
	role.base = "http://" + ln.Addr().String()
	l, err := NewFromConfig(context.Background(), WithRegion(srv.Region()), WithEndpoint(srv.URL()), WithCredentials(role))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := l.DescribeKey(ctx, "alias/app-data")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%v, want the deadline", err)
		}
	}
	if srv.Requests() != 0 {
		t.Errorf("%d requests reached the server unsigned", srv.Requests())
	}
}

// TestProfileInstanceRole: a profile of type ecs_ram_role gets the
// adapter's context-bound instance role.
func TestProfileInstanceRole(t *testing.T) {
	file := t.TempDir() + "/credentials"
	if err := os.WriteFile(file, []byte("[ops]\ntype = ecs_ram_role\nrole_name = kms-reader\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", file)
	cred, err := chainCredential("NewFromConfig", "ops")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := cred.(*instanceRole); !ok || r.role != "kms-reader" {
		t.Fatalf("%T %+v", cred, cred)
	}
}
