package awskms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	"github.com/multikms/multikms/providers/awskms"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

const (
	uuid   = "0d990263-018e-4e65-a703-eff731de951e"
	keyARN = "arn:aws:kms:us-east-1:111122223333:key/" + uuid
)

func TestBadKeyRefsSendNothing(t *testing.T) {
	refs := map[string]string{
		"empty":              "",
		"too long":           "alias/" + strings.Repeat("a", 2043),
		"not a key":          "my-key",
		"short UUID":         uuid[1:],
		"UUID with junk":     uuid + "x",
		"mrk too short":      "mrk-1234",
		"bare alias prefix":  "alias/",
		"alias with a space": "alias/my key",
		"other service ARN":  "arn:aws:s3:::bucket",
		"grant ARN":          "arn:aws:kms:us-east-1:111122223333:grant/x",
		"ARN of a bad key":   "arn:aws:kms:us-east-1:111122223333:key/nope",
		"ARN without region": "arn:aws:kms::111122223333:key/" + uuid,
		"short account":      "arn:aws:kms:us-east-1:1111:key/" + uuid,
	}
	s, client := setup(t, awskmstest.WithGeneratedKeys(2))
	l := awskms.New(client)
	for name, ref := range refs {
		t.Run(name, func(t *testing.T) {
			_, err := l.DescribeKey(context.Background(), ref)
			wantInvalid(t, err, awskms.OpDescribeKey)
			_, err = kmstest.Collect(l.ListKeyVersions(context.Background(), ref, kms.ListOptions{}))
			wantInvalid(t, err, awskms.OpListKeyRotations)
		})
	}
	if n := s.TotalRequests(); n != 0 {
		t.Fatalf("%d requests reached the emulator, want none", n)
	}
}

func TestWellFormedKeyRefsAreSent(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(4))
	l := awskms.New(client)
	k := s.Keys()[3] // multi-Region (mrk-) with an alias
	prefix := "arn:aws:kms:us-east-1:111122223333:"
	for _, ref := range []string{k.ID, prefix + "key/" + k.ID, k.Aliases[0], prefix + k.Aliases[0]} {
		got, err := l.DescribeKey(context.Background(), ref)
		if err != nil || got.ID != k.ID || !got.MultiRegion {
			t.Fatalf("DescribeKey(%q) = %+v, %v", ref, got, err)
		}
	}
	for _, ref := range []string{uuid, keyARN, "alias/missing", "arn:aws-cn:kms:cn-north-1:111122223333:alias/x"} {
		if _, err := l.DescribeKey(context.Background(), ref); !errors.Is(err, kms.ErrNotFound) {
			t.Fatalf("DescribeKey(%q): got %v, want ErrNotFound from the server", ref, err)
		}
	}
	if n := s.Requests(awskms.OpDescribeKey); n != 8 {
		t.Fatalf("%d DescribeKey requests, want 8", n)
	}
}

func TestBadListOptionsSendNothing(t *testing.T) {
	tests := map[string]kms.ListOptions{
		"negative PageSize": {PageSize: -1},
		"PageSize 1001":     {PageSize: 1001},
		"negative MaxItems": {MaxItems: -1},
		"unknown state":     {Filter: kms.Filter{States: []kms.KeyState{"Sleeping"}}},
		"empty spec":        {Filter: kms.Filter{Specs: []string{" "}}},
	}
	s, client := setup(t, awskmstest.WithGeneratedKeys(2))
	l := awskms.New(client)
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := kmstest.Collect(l.ListKeys(context.Background(), opts))
			wantInvalid(t, err, awskms.OpListKeys)
			_, err = kmstest.Collect(l.ListKeyVersions(context.Background(), uuid, opts))
			wantInvalid(t, err, awskms.OpListKeyRotations)
		})
	}
	for _, c := range []string{"garbage", "AAAA", strings.Repeat("x", 5000)} {
		if _, err := kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{Cursor: c})); !errors.Is(err, kms.ErrInvalidCursor) {
			t.Errorf("cursor %.10q: got %v, want ErrInvalidCursor", c, err)
		}
	}
	if n := s.TotalRequests(); n != 0 {
		t.Fatalf("%d requests reached the emulator, want none", n)
	}
}

func TestBadOptionsFailEveryCall(t *testing.T) {
	tests := map[string]awskms.Option{
		"11 grant tokens":        awskms.WithGrantTokens(strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")...),
		"empty grant token":      awskms.WithGrantTokens("ok", ""),
		"8193-char grant token":  awskms.WithGrantTokens(strings.Repeat("t", 8193)),
		"zero concurrency":       awskms.WithDescribeConcurrency(0),
		"rate of an unknown op":  awskms.WithOperationRateLimit("Encrypt", 10, 1),
		"rate of a misspelt op":  awskms.WithOperationRateLimit("listkeys", 10, 1),
		"grant tokens then more": awskms.WithGrantTokens(make([]string, 11)...),
	}
	s, client := setup(t, awskmstest.WithGeneratedKeys(2))
	for name, opt := range tests {
		t.Run(name, func(t *testing.T) {
			l := awskms.New(client, opt)
			_, err := l.DescribeKey(context.Background(), s.Keys()[0].ID)
			wantInvalid(t, err, "")
			_, err = kmstest.Collect(l.ListKeys(context.Background(), kms.ListOptions{}))
			wantInvalid(t, err, "")
			_, err = kmstest.Collect(l.ListKeyVersions(context.Background(), s.Keys()[0].ID, kms.ListOptions{}))
			wantInvalid(t, err, "")
		})
	}
	if n := s.TotalRequests(); n != 0 {
		t.Fatalf("%d requests reached the emulator, want none", n)
	}
}

func TestGrantTokensAreSent(t *testing.T) {
	s, client := setup(t, awskmstest.WithGeneratedKeys(1))
	tokens := make([]string, 10)
	for i := range tokens {
		tokens[i] = strings.Repeat("g", 8192)
	}
	l := awskms.New(client, awskms.WithGrantTokens(tokens...))
	if _, err := l.DescribeKey(context.Background(), s.Keys()[0].ID); err != nil {
		t.Fatal(err)
	}
}

// wantInvalid checks err is an ErrInvalidArgument *kms.Error of op ("" = any).
func wantInvalid(t *testing.T, err error, op string) {
	t.Helper()
	var ke *kms.Error
	if !errors.Is(err, kms.ErrInvalidArgument) || !errors.As(err, &ke) || (op != "" && ke.Op != op) {
		t.Fatalf("got %v, want an invalid-argument error of %q", err, op)
	}
}
