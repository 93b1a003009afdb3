package awskmstest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestListAliases(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(30))
	p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{Limit: aws.Int32(4)})
	var got []types.AliasListEntry
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.Aliases...)
	}
	if len(got) != 10 || s.Requests(awskmstest.OpListAliases) != 3 {
		t.Fatalf("got %d aliases in %d requests, want 10 in 3", len(got), s.Requests(awskmstest.OpListAliases))
	}
	if *got[1].AliasName != "alias/demo-3" || *got[1].TargetKeyId != s.Keys()[3].ID || got[1].CreationDate == nil {
		t.Fatalf("alias %+v", got[1])
	}
	one, err := c.ListAliases(context.Background(), &kms.ListAliasesInput{KeyId: aws.String(s.Keys()[6].ID)})
	if err != nil || len(one.Aliases) != 1 || one.Truncated || one.NextMarker != nil {
		t.Fatalf("aliases of one key: %+v, %v", one, err)
	}
	_, err = c.ListAliases(context.Background(), &kms.ListAliasesInput{Limit: aws.Int32(101)})
	wantCode(t, err, "ValidationException", 400)
}

func TestListResourceTags(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(5))
	out, err := c.ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(s.Keys()[4].ID), Limit: aws.Int32(1)})
	if err != nil || len(out.Tags) != 1 || !out.Truncated || *out.Tags[0].TagKey != "env" {
		t.Fatalf("first page %+v, %v", out, err)
	}
	out, err = c.ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(s.Keys()[4].ID), Marker: out.NextMarker})
	if err != nil || len(out.Tags) != 1 || out.Truncated || *out.Tags[0].TagKey != "team" {
		t.Fatalf("second page %+v, %v", out, err)
	}
	_, err = c.ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(s.Keys()[4].ID), Limit: aws.Int32(51)})
	wantCode(t, err, "ValidationException", 400)
	if status, _, body := raw(t, s, "ListResourceTags", "{}", nil); status != 400 || body["__type"] != "ValidationException" {
		t.Fatalf("no KeyId: HTTP %d %v", status, body)
	}
}

func TestListKeyRotations(t *testing.T) {
	s, c := start(t, awskmstest.WithGeneratedKeys(9))
	k := s.Keys()[8] // symmetric, two rotations
	list := func(include types.IncludeKeyMaterial) ([]types.RotationsListEntry, error) {
		out, err := c.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: aws.String(k.ID), IncludeKeyMaterial: include})
		if err != nil {
			return nil, err
		}
		return out.Rotations, nil
	}
	all, err := list(types.IncludeKeyMaterialAllKeyMaterial)
	if err != nil || len(all) != 3 || all[0].KeyMaterialState != types.KeyMaterialStateNonCurrent ||
		all[2].KeyMaterialState != types.KeyMaterialStateCurrent || all[2].RotationType != types.RotationTypeOnDemand || all[2].RotationDate == nil {
		t.Fatalf("all materials %+v, %v", all, err)
	}
	rotations, err := list("")
	if err != nil || len(rotations) != 2 {
		t.Fatalf("rotations only %+v, %v", rotations, err)
	}
	_, err = list("BOGUS")
	wantCode(t, err, "ValidationException", 400)
	_, err = c.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: aws.String(s.Keys()[1].ID), Limit: aws.Int32(1001)})
	wantCode(t, err, "ValidationException", 400)
	asym := awskmstest.GenerateKey(2) // RSA signing key: no rotation
	_, c2 := start(t, awskmstest.WithKeys(asym))
	_, err = c2.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: aws.String(asym.ID)})
	wantCode(t, err, "UnsupportedOperationException", 400)
	var unsupported *types.UnsupportedOperationException
	if !errors.As(err, &unsupported) {
		t.Fatalf("%v is not an UnsupportedOperationException", err)
	}
}
