package awskmstest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestListKeysThroughSDKPaginator(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(250))
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(100)})
	var ids []string
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range out.Keys {
			ids = append(ids, *k.KeyId)
		}
	}
	if len(ids) != 250 || s.Requests(awskmstest.OpListKeys) != 3 {
		t.Fatalf("got %d keys in %d requests, want 250 in 3", len(ids), s.Requests(awskmstest.OpListKeys))
	}
	for i, k := range s.Keys() {
		if ids[i] != k.ID {
			t.Fatalf("key %d: got %s, want %s", i, ids[i], k.ID)
		}
	}
}

func TestDescribeKeyReferences(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(8))
	k := s.Keys()[3] // multi-Region, aliased
	arn := "arn:aws:kms:us-east-1:111122223333:key/" + k.ID
	for _, ref := range []string{k.ID, arn, k.Aliases[0], "arn:aws:kms:us-east-1:111122223333:" + k.Aliases[0]} {
		out, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(ref), GrantTokens: []string{"token"}})
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		md := out.KeyMetadata
		if *md.KeyId != k.ID || *md.Arn != arn || !md.CreationDate.Equal(k.Created) || md.KeyState != types.KeyState(k.State) ||
			!aws.ToBool(md.MultiRegion) || md.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypePrimary {
			t.Fatalf("%s: got %+v", ref, md)
		}
	}
}

func TestAliasNamesMayHoldColons(t *testing.T) {
	keys := awskmstest.GenerateKeys(1)
	keys[0].Aliases = []string{"alias/team:payments/db"}
	_, c := start(t, awskmstest.WithKeys(keys...))
	out, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("alias/team:payments/db")})
	if err != nil || *out.KeyMetadata.KeyId != keys[0].ID {
		t.Fatalf("an alias with a colon (CreateAlias allows [a-zA-Z0-9:/_-]): %v", err)
	}
}

func TestDescribeKeyErrors(t *testing.T) {
	keys := awskmstest.GenerateKeys(2)
	keys[1].DenyDescribe = true
	s, c := start(t, awskmstest.WithKeys(keys...))
	missing := "0d990263-018e-4e65-a703-eff731de951e"
	tooMany := make([]string, 11)
	for i := range tooMany {
		tooMany[i] = "t"
	}
	tests := []struct {
		name, ref string
		tokens    []string
		code      string
		target    any
	}{
		{"missing key", missing, nil, "NotFoundException", new(*types.NotFoundException)},
		{"not an ID", "nonsense", nil, "NotFoundException", new(*types.NotFoundException)},
		{"missing alias", "alias/none", nil, "NotFoundException", new(*types.NotFoundException)},
		{"other region", "arn:aws:kms:eu-west-1:111122223333:key/" + keys[0].ID, nil, "NotFoundException", new(*types.NotFoundException)},
		{"bad ARN", "arn:aws:s3:::bucket", nil, "InvalidArnException", new(*types.InvalidArnException)},
		{"ARN of another resource", "arn:aws:kms:us-east-1:111122223333:grant/x", nil, "InvalidArnException", new(*types.InvalidArnException)},
		{"too long", strings.Repeat("a", 2049), nil, "ValidationException", nil},
		{"eleven grant tokens", keys[0].ID, tooMany, "ValidationException", nil},
		{"empty grant token", keys[0].ID, []string{""}, "ValidationException", nil},
		{"denied", keys[1].ID, nil, "AccessDeniedException", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(tt.ref), GrantTokens: tt.tokens})
			wantCode(t, err, tt.code, 400)
			if tt.target != nil && !errors.As(err, tt.target) {
				t.Fatalf("%v is not a %T", err, tt.target)
			}
		})
	}
	if s.Requests(awskmstest.OpDescribeKey) != len(tests) {
		t.Fatalf("counted %d DescribeKey requests, want %d", s.Requests(awskmstest.OpDescribeKey), len(tests))
	}
}

func TestListKeysValidation(t *testing.T) {
	_, c := start(t, awskmstest.WithGeneratedKeys(5))
	out, err := c.ListKeys(context.Background(), &kms.ListKeysInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	good := *out.NextMarker
	aliasOut, err := c.ListAliases(context.Background(), &kms.ListAliasesInput{Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(good)
	tampered[2] ^= 1
	tests := []struct {
		name   string
		in     kms.ListKeysInput
		code   string
		marker bool
	}{
		{"limit 0", kms.ListKeysInput{Limit: aws.Int32(0)}, "ValidationException", false},
		{"limit 1001", kms.ListKeysInput{Limit: aws.Int32(1001)}, "ValidationException", false},
		{"marker too long", kms.ListKeysInput{Marker: aws.String(strings.Repeat("a", 1025))}, "ValidationException", false},
		{"marker off pattern", kms.ListKeysInput{Marker: aws.String("a\u0100")}, "ValidationException", false},
		{"garbage marker", kms.ListKeysInput{Marker: aws.String("garbage")}, "InvalidMarkerException", true},
		{"tampered marker", kms.ListKeysInput{Marker: aws.String(string(tampered))}, "InvalidMarkerException", true},
		{"marker of another listing", kms.ListKeysInput{Marker: aliasOut.NextMarker}, "InvalidMarkerException", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListKeys(context.Background(), &tt.in)
			wantCode(t, err, tt.code, 400)
			var im *types.InvalidMarkerException
			if errors.As(err, &im) != tt.marker {
				t.Fatalf("errors.As InvalidMarkerException = %v, want %v", !tt.marker, tt.marker)
			}
		})
	}
}

func TestConcurrentDescribes(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(40))
	var wg sync.WaitGroup
	errs := make(chan error, len(s.Keys()))
	for _, k := range s.Keys() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(k.ID)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.Requests(awskmstest.OpDescribeKey) != 40 || s.TotalRequests() != 40 {
		t.Fatalf("counted %d describes, %d in all", s.Requests(awskmstest.OpDescribeKey), s.TotalRequests())
	}
}

func TestGenerateKeys(t *testing.T) {
	keys := awskmstest.GenerateKeys(100)
	seen := map[string]bool{}
	states, specs := map[string]bool{}, map[string]bool{}
	for i, k := range keys {
		if seen[k.ID] || (len(k.ID) != 36 && !strings.HasPrefix(k.ID, "mrk-")) {
			t.Fatalf("key %d: ID %q repeated or malformed", i, k.ID)
		}
		seen[k.ID] = true
		states[k.State], specs[k.Spec] = true, true
		if awskmstest.GenerateKey(i).ID != k.ID {
			t.Fatalf("GenerateKey(%d) differs from GenerateKeys", i)
		}
	}
	if len(states) < 4 || len(specs) < 5 {
		t.Fatalf("too little variety: states %v, specs %v", states, specs)
	}
}
