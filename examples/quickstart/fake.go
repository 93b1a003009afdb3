package main

import (
	"context"
	"time"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
)

// fakeDemo is the fallback source when no other demo is built in: an
// in-memory kmstest.Fake holding keys shaped like those of the three clouds.
var fakeDemo = demo{name: "fake", start: func(context.Context) (kms.Lister, func(), error) {
	return kmstest.NewFake(fakeKeys()), func() {}, nil
}}

func fakeKeys() []kms.Key {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 9, 30, 0, 0, time.UTC) }
	key := func(p kms.Provider, id string, s kms.KeyState, u kms.KeyUsage, spec string, at time.Time) kms.Key {
		return kms.Key{Provider: p, ID: id, State: s, Usage: u, Spec: spec, CreatedAt: at, Protection: kms.ProtectionSoftware}
	}
	return []kms.Key{
		key(kms.ProviderAWS, "1234abcd-12ab-34cd-56ef-1234567890ab", kms.StateEnabled, kms.UsageEncryptDecrypt, "SYMMETRIC_DEFAULT", day(1, 14)),
		key(kms.ProviderAWS, "0987dcba-09fe-87dc-65ba-ab0987654321", kms.StateDisabled, kms.UsageSignVerify, "RSA_2048", day(2, 3)),
		key(kms.ProviderAWS, "a1b2c3d4-0000-4000-8000-a1b2c3d4e5f6", kms.StatePendingDeletion, kms.UsageGenerateVerifyMAC, "HMAC_256", day(3, 21)),
		key(kms.ProviderAlibaba, "key-hzz62f1cb66fa42qo3v9r", kms.StateEnabled, kms.UsageEncryptDecrypt, "Aliyun_AES_256", day(4, 2)),
		key(kms.ProviderAlibaba, "key-shh6715c21812y8i7aa8f", kms.StatePendingImport, kms.UsageEncryptDecrypt, "Aliyun_AES_256", day(5, 30)),
		key(kms.ProviderAlibaba, "key-bjj66c3b2bdc3h0r6e2mx", kms.StateEnabled, kms.UsageSignVerify, "EC_P256", day(6, 11)),
		key(kms.ProviderYandex, "abjbaqrjvq3utu8f2h5o", kms.StateEnabled, kms.UsageEncryptDecrypt, "AES_256", day(7, 7)),
		key(kms.ProviderYandex, "abj6ds0lgdrq1a9tb4bp", kms.StateCreating, kms.UsageEncryptDecrypt, "AES_128", day(8, 19)),
	}
}
