package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/multikms/multikms/kms"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestRun runs the quickstart as built, with whatever demo sources exist.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 5 || !strings.HasPrefix(lines[0], "Keys of the demo sources: ") {
		t.Fatalf("unexpected output:\n%s", out.String())
	}
	header := strings.Fields(lines[2])
	if strings.Join(header, " ") != "PROVIDER ID STATE USAGE SPEC CREATED" {
		t.Fatalf("header %q", lines[2])
	}
	rows := lines[3 : len(lines)-2]
	if len(rows) == 0 {
		t.Fatal("no keys listed")
	}
	perProvider := map[string]int{}
	for _, row := range rows {
		f := strings.Fields(row)
		if len(f) != len(header) {
			t.Errorf("row %q: %d columns, want %d", row, len(f), len(header))
			continue
		}
		if p := kms.Provider(f[0]); p != kms.ProviderAWS && p != kms.ProviderAlibaba && p != kms.ProviderYandex {
			t.Errorf("row %q: unknown provider", row)
		}
		perProvider[f[0]]++
	}
	if len(demos) != 3 {
		t.Errorf("%d demo sources, want the three clouds'", len(demos))
	}
	for _, d := range demos { // every demo source is named after its provider
		if perProvider[d.name] == 0 {
			t.Errorf("no keys of the %s demo in the table", d.name)
		}
	}
}

const fakeTable = `Keys of the demo sources: fake

PROVIDER  ID                                    STATE            USAGE              SPEC               CREATED
aws       1234abcd-12ab-34cd-56ef-1234567890ab  Enabled          EncryptDecrypt     SYMMETRIC_DEFAULT  2025-01-14
aws       0987dcba-09fe-87dc-65ba-ab0987654321  Disabled         SignVerify         RSA_2048           2025-02-03
aws       a1b2c3d4-0000-4000-8000-a1b2c3d4e5f6  PendingDeletion  GenerateVerifyMAC  HMAC_256           2025-03-21
alibaba   key-hzz62f1cb66fa42qo3v9r             Enabled          EncryptDecrypt     Aliyun_AES_256     2025-04-02
alibaba   key-shh6715c21812y8i7aa8f             PendingImport    EncryptDecrypt     Aliyun_AES_256     2025-05-30
alibaba   key-bjj66c3b2bdc3h0r6e2mx             Enabled          SignVerify         EC_P256            2025-06-11
yandex    abjbaqrjvq3utu8f2h5o                  Enabled          EncryptDecrypt     AES_256            2025-07-07
yandex    abj6ds0lgdrq1a9tb4bp                  Creating         EncryptDecrypt     AES_128            2025-08-19

8 keys
`

// TestRunFallback runs the quickstart with no demo source: it lists the Fake.
func TestRunFallback(t *testing.T) {
	saved := demos
	demos = nil
	defer func() { demos = saved }()
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != fakeTable {
		t.Errorf("got\n%s\nwant\n%s", out.String(), fakeTable)
	}
}

func TestRunDemoFails(t *testing.T) {
	saved := demos
	stopped := false
	demos = []demo{fakeDemo, {name: "zzz", start: func(context.Context) (kms.Lister, func(), error) {
		return nil, nil, errors.New("no port")
	}}}
	demos[0].start = func(ctx context.Context) (kms.Lister, func(), error) {
		l, _, err := fakeDemo.start(ctx)
		return l, func() { stopped = true }, err
	}
	defer func() { demos = saved }()
	err := run(context.Background(), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "demo zzz: no port") {
		t.Errorf("got %v", err)
	}
	if !stopped {
		t.Error("the demo started before the failing one was not stopped")
	}
}
