package awskmstest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestGetKeyRotationStatus(t *testing.T) {
	keys := awskmstest.GenerateKeys(12)
	managed := awskmstest.GenerateKey(100)
	managed.Manager = "AWS"
	keys[0].DenyRotation = true
	s, c := start(t, awskmstest.WithKeys(append(keys, managed)...))
	get := func(id string) (*kms.GetKeyRotationStatusOutput, error) {
		return c.GetKeyRotationStatus(context.Background(), &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	}
	_, err := get(keys[2].ID) // RSA: cannot rotate
	wantCode(t, err, "UnsupportedOperationException", 400)
	var unsupported *types.UnsupportedOperationException
	if !errors.As(err, &unsupported) {
		t.Fatalf("%v is not an UnsupportedOperationException", err)
	}
	_, err = get(keys[11].ID) // CloudHSM key store
	wantCode(t, err, "UnsupportedOperationException", 400)
	_, err = get(keys[0].ID)
	wantCode(t, err, "AccessDeniedException", 400)
	_, err = get(keys[6].ID) // RSA encryption: cannot rotate
	wantCode(t, err, "UnsupportedOperationException", 400)
	out, err := get(keys[8].ID) // symmetric, rotation on, 365 days by default
	if err != nil || !out.KeyRotationEnabled || aws.ToInt32(out.RotationPeriodInDays) != 365 || out.NextRotationDate == nil ||
		!strings.HasSuffix(aws.ToString(out.KeyId), keys[8].ID) {
		t.Fatalf("rotating key: %+v, %v", out, err)
	}
	out, err = get("arn:aws:kms:us-east-1:111122223333:key/" + keys[1].ID) // symmetric, rotation off
	if err != nil || out.KeyRotationEnabled || out.RotationPeriodInDays != nil {
		t.Fatalf("key without rotation: %+v, %v", out, err)
	}
	out, err = get(managed.ID)
	if err != nil || !out.KeyRotationEnabled || aws.ToInt32(out.RotationPeriodInDays) != 365 {
		t.Fatalf("AWS-managed key: %+v, %v", out, err)
	}
	_, err = get(keys[0].Aliases[0])
	wantCode(t, err, "NotFoundException", 400) // no aliases here
	if n := s.Requests(awskmstest.OpGetKeyRotationStatus); n != 8 {
		t.Fatalf("counted %d requests, want 8", n)
	}
}

func TestGetKeyPolicy(t *testing.T) {
	keys := awskmstest.GenerateKeys(2)
	keys[1].Policy = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`
	keys[0].DenyPolicy = true
	_, c := start(t, awskmstest.WithKeys(keys...))
	out, err := c.GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: aws.String(keys[1].ID)})
	if err != nil || aws.ToString(out.Policy) != keys[1].Policy || aws.ToString(out.PolicyName) != "default" {
		t.Fatalf("policy %+v, %v", out, err)
	}
	_, err = c.GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: aws.String(keys[0].ID)})
	wantCode(t, err, "AccessDeniedException", 400)
	_, err = c.GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: aws.String(keys[1].ID), PolicyName: aws.String("other")})
	wantCode(t, err, "NotFoundException", 400)
	_, err = c.GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: aws.String(keys[1].ID), PolicyName: aws.String("bad name")})
	wantCode(t, err, "ValidationException", 400)
}

func TestDefaultKeyPolicy(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(1))
	out, err := c.GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: aws.String(s.Keys()[0].ID), PolicyName: aws.String("default")})
	if err != nil || !strings.Contains(aws.ToString(out.Policy), `"arn:aws:iam::111122223333:root"`) {
		t.Fatalf("default policy %+v, %v", out, err)
	}
}

func TestListGrants(t *testing.T) {
	keys := awskmstest.GenerateKeys(11)
	for i := range 120 {
		keys[5].Grants = append(keys[5].Grants, awskmstest.Grant{ID: strings.Repeat("g", 10) + string(rune('a'+i%26)) + strings.Repeat("x", i), Operations: []string{"Decrypt"}, GranteePrincipal: "arn:aws:iam::111122223333:role/r"})
	}
	keys[1].DenyGrants = true
	s, c := start(t, awskmstest.WithKeys(keys...))
	p := kms.NewListGrantsPaginator(c, &kms.ListGrantsInput{KeyId: aws.String(keys[5].ID), Limit: aws.Int32(100)})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Grants)
	}
	if n != 121 || s.Requests(awskmstest.OpListGrants) != 2 {
		t.Fatalf("got %d grants in %d requests, want 121 in 2", n, s.Requests(awskmstest.OpListGrants))
	}
	out, err := c.ListGrants(context.Background(), &kms.ListGrantsInput{KeyId: aws.String(keys[10].ID)})
	if err != nil || len(out.Grants) != 2 || out.Grants[1].Constraints == nil || out.Grants[1].Constraints.EncryptionContextSubset["tenant"] != "partner" ||
		out.Grants[0].Constraints != nil || out.Grants[0].Operations[0] != types.GrantOperationDecrypt {
		t.Fatalf("grants of key 10: %+v, %v", out, err)
	}
	_, err = c.ListGrants(context.Background(), &kms.ListGrantsInput{KeyId: aws.String(keys[5].ID), Limit: aws.Int32(101)})
	wantCode(t, err, "ValidationException", 400)
	_, err = c.ListGrants(context.Background(), &kms.ListGrantsInput{KeyId: aws.String(keys[1].ID)})
	wantCode(t, err, "AccessDeniedException", 400)
}
