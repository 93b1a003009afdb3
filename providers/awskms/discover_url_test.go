package awskms

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestFleetURLForms(t *testing.T) {
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	c := awskmstest.NewCloud(
		awskmstest.WithCloudAccounts(
			awskmstest.CloudAccount{ID: "111111111111", Regions: []string{"us-east-1", "eu-west-1"}, Keys: 1},
			awskmstest.CloudAccount{ID: "222222222222", Regions: []string{"eu-west-1"}, Keys: 1}),
		awskmstest.WithRole("222222222222", "audit", "ext-1"))
	defer c.Close()
	cr, _ := c.Config().Credentials.Retrieve(context.Background())
	t.Setenv("AWS_ACCESS_KEY_ID", cr.AccessKeyID) // the Cloud's own, good for it only
	t.Setenv("AWS_SECRET_ACCESS_KEY", cr.SecretAccessKey)
	ep := "&endpoint=" + url.QueryEscape(c.URL())

	good := map[string][]string{
		"awskms://?region=*":                                    {"eu-west-1", "us-east-1"},
		"awskms://?region=eu-west-1,us-east-1":                  {"eu-west-1", "us-east-1"},
		"awskms://?region=eu-west-1&organization=*":             {"111111111111/eu-west-1", "222222222222/eu-west-1"},
		"awskms://?region=*&organization=" + c.OrganizationID(): {"111111111111/eu-west-1", "111111111111/us-east-1", "222222222222/eu-west-1"},
		"awskms://?region=*&role_arn=arn:aws:iam::222222222222:role/audit&external_id=ext-1&session_name=inv": {"222222222222/eu-west-1"},
	}
	for raw, scopes := range good {
		u, err := url.Parse(raw + ep)
		if err != nil || !isFleetURL(u) {
			t.Fatalf("%s: parse %v, fleet URL %v", raw, err, isFleetURL(u))
		}
		l, err := openFleetURL(context.Background(), u)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got := l.(*Fleet).Scopes(); !slices.Equal(got, scopes) {
			t.Errorf("%s: scopes %v, want %v", raw, got, scopes)
		}
		if _, err := pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{})); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
		_ = l.Close()
	}

	before := c.TotalRequests()
	bad := map[string]string{
		"awskms://?region=*,eu-west-1":                                                    "region",
		"awskms://?region=eu-west-1,eu-west-1":                                            "region",
		"awskms://?region=eu-west-1,":                                                     "region",
		"awskms://?region=Mars-1":                                                         "region",
		"awskms://?region=*&role_arn=arn:aws:iam::1:role/x":                               "role_arn",
		"awskms://?region=*&role_arn=arn:aws:s3:::bucket/secret":                          "role_arn",
		"awskms://?region=*&external_id=ext-1":                                            "external_id",
		"awskms://?region=*&session_name=inv":                                             "session_name",
		"awskms://?region=*&role_arn=arn:aws:iam::222222222222:role/audit&external_id=x":  "external_id",
		"awskms://?region=*&role_arn=arn:aws:iam::222222222222:role/audit&session_name=a": "session_name",
		"awskms://?organization=true":                                                     "organization",
		"awskms://?organization=*&member_role=a/b":                                        "member_role",
		"awskms://?region=*&member_role=Audit":                                            "member_role",
		"awskms://?region=*&organization=*&organization=*":                                "organization",
		"awskms://?region=*&organisation=*":                                               "organisation",
		"awskms://?region=*&rate=-1":                                                      "rate",
		"awskms://?region=*&endpoint=ftp://x":                                             "endpoint",
	}
	for raw, param := range bad {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		l, err := openFleetURL(context.Background(), u)
		var ke *kms.Error
		if l != nil || !errors.Is(err, kms.ErrInvalidArgument) || !errors.As(err, &ke) || !strings.Contains(err.Error(), param) {
			t.Errorf("%s: got %v, %v; want ErrInvalidArgument naming %s", raw, l, err, param)
		}
		if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "Mars")) {
			t.Errorf("%s: the error quotes the value: %v", raw, err)
		}
	}
	if n := c.TotalRequests() - before; n != 0 {
		t.Errorf("bad URLs sent %d requests", n)
	}
}
