package kms_test

import (
	"testing"

	"github.com/multikms/multikms/kms"
)

func TestAccessPublic(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a      kms.Access
		public bool
	}{
		{"AWS Principal *", kms.Access{Principal: "*", Source: kms.AccessFromPolicy}, true},
		{`AWS {"AWS":"*"}`, kms.Access{Principal: "*", PrincipalType: "AWS", Source: kms.AccessFromPolicy}, true},
		{"AWS * with a condition", kms.Access{Principal: "*", PrincipalType: "AWS", Conditional: true}, false},
		{"AWS account root", kms.Access{Principal: "arn:aws:iam::111122223333:root", PrincipalType: "AWS"}, false},
		{"AWS grantee", kms.Access{Principal: "arn:aws:iam::111122223333:role/app", PrincipalType: "Grantee", Source: kms.AccessFromGrant}, false},
		{"AWS service", kms.Access{Principal: "logs.amazonaws.com", PrincipalType: "Service"}, false},
		{"Alibaba *", kms.Access{Principal: "*", PrincipalType: "RAM"}, true},
		{"Alibaba account", kms.Access{Principal: "acs:ram::1234567890:*", PrincipalType: "RAM"}, false},
		{"Yandex allUsers", kms.Access{Principal: "allUsers", PrincipalType: "system", Source: kms.AccessFromBinding}, true},
		{"Yandex allAuthenticatedUsers", kms.Access{Principal: "allAuthenticatedUsers", PrincipalType: "system"}, true},
		{"Yandex system:allUsers written whole", kms.Access{Principal: "system:allUsers"}, true},
		{"Yandex system:allAuthenticatedUsers written whole", kms.Access{Principal: "system:allAuthenticatedUsers"}, true},
		{"Yandex user named allUsers", kms.Access{Principal: "allUsers", PrincipalType: "userAccount"}, false},
		{"Yandex service account", kms.Access{Principal: "ajeserviceaccount", PrincipalType: "serviceAccount"}, false},
		{"Yandex group system:group:...", kms.Access{Principal: "system:group:organization:abc:users"}, false},
		{"empty", kms.Access{}, false},
	} {
		if got := tc.a.Public(); got != tc.public {
			t.Errorf("%s: Public() = %t, want %t", tc.name, got, tc.public)
		}
		k := kms.Key{Access: []kms.Access{{Principal: "arn:aws:iam::1:root"}, tc.a}}
		if got := k.OpenToAnyone(); got != tc.public {
			t.Errorf("%s: OpenToAnyone() = %t, want %t", tc.name, got, tc.public)
		}
	}
	if (kms.Key{}).OpenToAnyone() {
		t.Error("a key without Access is open to anyone")
	}
}
