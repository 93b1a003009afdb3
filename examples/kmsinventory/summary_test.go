package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
)

// TestAttentionReasons checks which keys the summary lists as needing
// attention, and why.
func TestAttentionReasons(t *testing.T) {
	denied := kms.NewError(kms.ProviderAWS, "DescribeKey", kms.CodePermissionDenied, nil)
	public := []kms.Access{{Principal: "*", Actions: []string{"kms:Decrypt"}, Source: kms.AccessFromGrant}}
	cases := []struct {
		name    string
		include kms.Include
		key     kms.Key
		want    []string
	}{
		{"rotating", kms.IncludeRotation, kms.Key{AutomaticRotation: kms.RotationEnabled}, nil},
		{"cannot rotate", kms.IncludeRotation, kms.Key{AutomaticRotation: kms.RotationUnsupported}, nil},
		{"rotation off", 0, kms.Key{AutomaticRotation: kms.RotationDisabled}, []string{"rotation disabled"}},
		{"rotation unknown, asked", kms.IncludeRotation, kms.Key{}, []string{"rotation unknown"}},
		{"rotation unknown, not asked", 0, kms.Key{}, nil},
		{"pending deletion", kms.IncludeRotation, kms.Key{State: kms.StatePendingDeletion, AutomaticRotation: kms.RotationUnsupported}, []string{"pending deletion"}},
		{"open to anyone", kms.IncludeAccess, kms.Key{AutomaticRotation: kms.RotationEnabled, Access: public}, []string{"open to anyone"}},
		{"conditional access", kms.IncludeAccess, kms.Key{AutomaticRotation: kms.RotationEnabled, Access: []kms.Access{{Principal: "*", Conditional: true}}}, nil},
		{"details failed", 0, kms.Key{AutomaticRotation: kms.RotationDisabled, DetailErr: denied}, []string{"rotation disabled", "details failed (PermissionDenied)"}},
	}
	for _, tc := range cases {
		s := newSummary(tc.include)
		if got := s.reasons(tc.key); !slices.Equal(got, tc.want) {
			t.Errorf("%s: reasons %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestSummaryCounts checks the counts per provider, scope and state, the
// totals, and the notes on what was not read.
func TestSummaryCounts(t *testing.T) {
	s := newSummary(0)
	for _, k := range []kms.Key{
		{Provider: kms.ProviderAWS, Account: "1", Region: "eu-west-1", ID: "a", State: kms.StateEnabled},
		{Provider: kms.ProviderAWS, Account: "1", Region: "eu-west-1", ID: "b", State: kms.StatePendingDeletion},
		{Provider: kms.ProviderAWS, Account: "1", Region: "us-east-1", ID: "c", State: kms.StateUnavailable},
		{Provider: kms.ProviderYandex, FolderID: "f", ID: "d", State: kms.StateDisabled, AutomaticRotation: kms.RotationDisabled},
	} {
		s.add(k)
	}
	var b bytes.Buffer
	if err := s.print(&b); err != nil {
		t.Fatal(err)
	}
	want := `PROVIDER  SCOPE        KEYS  ENABLED  DISABLED  PENDING DELETION  PENDING IMPORT  OTHER
aws       1/eu-west-1  2     1        0         1                 0               0
aws       1/us-east-1  1     0        0         0                 0               1
aws       (all)        3     1        0         1                 0               1
yandex    f            1     0        1         0                 0               0
yandex    (all)        1     0        1         0                 0               0
all                    4     1        1         1                 0               1

2 keys need attention
PROVIDER  SCOPE        ID  NAME  ATTENTION
aws       1/eu-west-1  b   -     pending deletion
yandex    f            d   -     rotation disabled
rotation not read for 3 keys: add -include rotation
access not read for 4 keys: add -include access to find keys open to anyone
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(b.String(), "\t") {
		t.Error("tabs left in the summary")
	}
}
