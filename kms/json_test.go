package kms_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/multikms/multikms/kms"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fullKey has every field set, so that the golden file pins every name.
func fullKey() kms.Key {
	at := func(day int) time.Time { return time.Date(2024, 5, day, 10, 30, 0, 0, time.UTC) }
	return kms.Key{
		Provider: kms.ProviderAWS, ID: "1234abcd-12ab-34cd-56ef-1234567890ab",
		ARN:    "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		Region: "eu-west-1", Account: "111122223333", FolderID: "b1gfolder", CloudID: "b1gcloud",
		Name: "orders", Description: "orders at rest", Kind: kms.KindSymmetric,
		State: kms.StateEnabled, NativeState: "Enabled", Usage: kms.UsageEncryptDecrypt, NativeUsage: "ENCRYPT_DECRYPT",
		Spec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS", Protection: kms.ProtectionHSM, NativeProtection: "AWS_KMS",
		Manager: "CUSTOMER", KeyStore: "cks-1234567890abcdef0", Enabled: true,
		// A creation time in another zone is written in UTC.
		CreatedAt:  time.Date(2024, 5, 1, 12, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
		DeletionAt: at(20), ValidTo: at(21), ExpirationModel: "KEY_MATERIAL_EXPIRES",
		AutomaticRotation: kms.RotationEnabled, RotationPeriod: 365 * 24 * time.Hour,
		RotatedAt: at(2), NextRotationAt: at(3).Add(1500 * time.Millisecond), PrimaryVersion: "v3",
		Labels:  map[string]string{"team": "payments", "env": "prod"},
		Aliases: []string{"alias/orders"}, DeletionProtection: true, MultiRegion: true,
		Policy: `{"Version":"2012-10-17","Statement":[]}`,
		Access: []kms.Access{
			{Principal: "arn:aws:iam::111122223333:root", PrincipalType: "AWS", Actions: []string{"kms:*"}, Source: kms.AccessFromPolicy},
			{Principal: "arn:aws:iam::111122223333:role/app", PrincipalType: "Grantee", Actions: []string{"Decrypt"}, Source: kms.AccessFromGrant, Conditional: true},
		},
		Detail:    kms.DetailFull,
		DetailErr: kms.NewError(kms.ProviderAWS, "GetKeyPolicy", kms.CodePermissionDenied, errors.New("AccessDeniedException: not allowed")),
	}
}

func TestKeyJSONGolden(t *testing.T) {
	got, err := json.MarshalIndent(fullKey(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "key.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestKeyJSONGolden -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("the JSON of a Key changed; if on purpose, rerun with -update and document it.\ngot:\n%s\nwant:\n%s", got, want)
	}
	// Every exported field of Key is in the schema (the natives are not).
	var names map[string]any
	if err := json.Unmarshal(got, &names); err != nil {
		t.Fatal(err)
	}
	if n := reflect.TypeOf(kms.Key{}).NumField() - 1; len(names) != n {
		t.Errorf("the golden key has %d names, Key has %d exported fields: add the new field to the schema", len(names), n)
	}
}

func TestKeyJSONZeroFieldsLeftOut(t *testing.T) {
	b, err := json.Marshal(kms.Key{ID: "k1"})
	if err != nil || string(b) != `{"id":"k1"}` {
		t.Errorf("a key with only its ID: %s, %v", b, err)
	}
	b, err = json.Marshal(kms.KeyVersion{ID: "v1"})
	if err != nil || string(b) != `{"id":"v1"}` {
		t.Errorf("a version with only its ID: %s, %v", b, err)
	}
}

// sameJSONKey reports how got differs from want after a round trip: times
// by Equal, empty collections as nil, DetailErr by code and message.
func sameJSONKey(got, want kms.Key) string {
	norm := func(k kms.Key) (kms.Key, string) {
		errText := ""
		if k.DetailErr != nil {
			var e *kms.Error
			code := kms.CodeUnknown
			if errors.As(k.DetailErr, &e) {
				code = e.Code
			}
			errText = code.Name() + ": " + k.DetailErr.Error()
		}
		k.DetailErr = nil
		for _, t := range []*time.Time{&k.CreatedAt, &k.DeletionAt, &k.ValidTo, &k.RotatedAt, &k.NextRotationAt} {
			if !t.IsZero() {
				*t = t.UTC()
			}
		}
		if len(k.Labels) == 0 {
			k.Labels = nil
		}
		if len(k.Aliases) == 0 {
			k.Aliases = nil
		}
		if len(k.Access) == 0 {
			k.Access = nil
		}
		for i := range k.Access {
			if len(k.Access[i].Actions) == 0 {
				k.Access[i].Actions = nil
			}
		}
		return exported(k), errText
	}
	g, ge := norm(got)
	w, we := norm(want)
	if ge != we {
		return fmt.Sprintf("DetailErr %q, want %q", ge, we)
	}
	if !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("got %+v\nwant %+v", g, w)
	}
	return ""
}

// exported returns a copy of k's exported fields, without its natives.
func exported(k kms.Key) kms.Key {
	var out kms.Key
	src, dst := reflect.ValueOf(k), reflect.ValueOf(&out).Elem()
	for i := range src.NumField() {
		if src.Type().Field(i).IsExported() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	return out
}

func TestKeyJSONRoundTrip(t *testing.T) {
	want := fullKey().WithNative(&struct{ native string }{"dropped"})
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got kms.Key
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if d := sameJSONKey(got, want); d != "" {
		t.Error(d)
	}
	if !errors.Is(got.DetailErr, kms.ErrPermissionDenied) {
		t.Errorf("DetailErr %v does not match its class", got.DetailErr)
	}
	var e *kms.Error
	if !errors.As(got.DetailErr, &e) || e.Error() != want.DetailErr.Error() {
		t.Errorf("DetailErr %v, want a *kms.Error saying %q", got.DetailErr, want.DetailErr)
	}
	var native *struct{ native string }
	if got.As(&native) {
		t.Error("a native object came back from JSON")
	}
	// The second trip writes the same bytes.
	again, err := json.Marshal(got)
	if err != nil || string(again) != string(b) {
		t.Errorf("second round trip:\n%s\nfirst:\n%s", again, b)
	}

	// A DetailErr that is no *kms.Error, and several joined.
	for _, derr := range []error{errors.New("plain"), errors.Join(
		kms.NewError(kms.ProviderAWS, "ListGrants", kms.CodeThrottled, errors.New("slow down")),
		kms.NewError(kms.ProviderAWS, "GetKeyPolicy", kms.CodePermissionDenied, errors.New("denied")))} {
		k := kms.Key{ID: "k", DetailErr: derr}
		b, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		var back kms.Key
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if d := sameJSONKey(back, k); d != "" {
			t.Errorf("%s: %s", b, d)
		}
	}
}

func TestKeyVersionJSONRoundTrip(t *testing.T) {
	want := kms.KeyVersion{Provider: kms.ProviderAlibaba, KeyID: "key-1", ID: "v-1", State: kms.VersionPendingDeletion,
		NativeState: "PendingDeletion", Primary: true, Algorithm: "AES_256",
		CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("", 8*3600)), DestroyAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		RotationType: "AUTOMATIC", ImportState: "IMPORTED", ValidTo: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Protection: kms.ProtectionHSM}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"createdAt":"2024-01-01T19:04:05.000000006Z"`) || !strings.Contains(string(b), `"keyId":"key-1"`) {
		t.Errorf("version JSON %s", b)
	}
	var got kms.KeyVersion
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want.CreatedAt = want.CreatedAt.UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestRotationPeriodSeconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		json string
	}{
		{time.Hour, "3600"},
		{1500 * time.Millisecond, "1.5"},
		{time.Nanosecond, "0.000000001"},
		{-2*time.Second - time.Nanosecond, "-2.000000001"},
		{time.Duration(1<<63 - 1), "9223372036.854775807"},
		{time.Duration(-1 << 63), "-9223372036.854775808"},
	} {
		b, err := json.Marshal(kms.Key{RotationPeriod: tc.d})
		want := `{"rotationPeriodSeconds":` + tc.json + `}`
		if err != nil || string(b) != want {
			t.Errorf("%v: %s, %v; want %s", tc.d, b, err, want)
			continue
		}
		var k kms.Key
		if err := json.Unmarshal(b, &k); err != nil || k.RotationPeriod != tc.d {
			t.Errorf("%s: read %v, %v; want %v", b, k.RotationPeriod, err, tc.d)
		}
	}
	for _, bad := range []string{"1e3", "1.", "1.0000000001", "9223372037", "-9223372036.854775809", `"3600"`, "18446744073709551616"} {
		var k kms.Key
		if err := json.Unmarshal([]byte(`{"rotationPeriodSeconds":`+bad+`}`), &k); err == nil {
			t.Errorf("rotationPeriodSeconds %s accepted as %v", bad, k.RotationPeriod)
		}
	}
}

func TestKeyJSONRefusesBadEnums(t *testing.T) {
	if _, err := json.Marshal(kms.Key{Detail: 7}); err == nil {
		t.Error("Detail 7 marshalled")
	}
	for _, doc := range []string{`{"detail":"most"}`, `{"detailErr":{"code":"Nope","message":"x"}}`} {
		var k kms.Key
		if err := json.Unmarshal([]byte(doc), &k); err == nil {
			t.Errorf("%s accepted", doc)
		}
	}
	var k kms.Key
	if err := json.Unmarshal([]byte(`{"id":"k","futureField":1,"detailErr":{"code":"not found","message":"m"}}`), &k); err != nil ||
		k.ID != "k" || !errors.Is(k.DetailErr, kms.ErrNotFound) {
		t.Errorf("unknown names are ignored and a code's String is read: %+v, %v", k, err)
	}
}

// FuzzKeyJSON checks that any key made of valid UTF-8 strings comes back
// from JSON equal (natives aside).
func FuzzKeyJSON(f *testing.F) {
	f.Add("k1", "Enabled", "team", "pay", int64(0), int64(0), uint8(1), uint8(0), "")
	f.Add("arn:aws:kms:x", "", "", "", int64(1714559400123456789), int64(-5), uint8(0), uint8(15), "denied")
	f.Fuzz(func(t *testing.T, id, state, lk, lv string, nanos, period int64, detail, include uint8, errMsg string) {
		for _, s := range []string{id, state, lk, lv, errMsg} {
			if !utf8Valid(s) {
				return // encoding/json replaces invalid bytes; adapters' strings are valid
			}
		}
		created := time.Unix(0, nanos).In(time.FixedZone("z", int(period%50000)))
		k := kms.Key{ID: id, State: kms.KeyState(state), Description: lv, Labels: map[string]string{lk: lv},
			Aliases: []string{lk}, CreatedAt: created, RotationPeriod: time.Duration(period),
			Detail: kms.Detail(detail % 2), Policy: errMsg, AutomaticRotation: kms.RotationStatus(lk),
			Access: []kms.Access{{Principal: id, Actions: []string{lv}, Conditional: include%2 == 1}}}
		if errMsg != "" {
			k.DetailErr = kms.NewError(kms.ProviderYandex, "Get", kms.Code(include%9), errors.New(errMsg))
		}
		b, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		var back kms.Key
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if d := sameJSONKey(back, k); d != "" {
			t.Fatalf("%s: %s", b, d)
		}
	})
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

// A Key marshals to a stable JSON: lowerCamel names, zero fields left out,
// times in UTC, the rotation period in seconds, DetailErr as code and
// message; and it reads back.
func ExampleKey_MarshalJSON() {
	key := kms.Key{
		Provider: kms.ProviderYandex, ID: "abj1", FolderID: "b1g", State: kms.StateEnabled,
		CreatedAt:         time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600)),
		AutomaticRotation: kms.RotationUnknown, RotationPeriod: 90 * 24 * time.Hour,
		Labels:    map[string]string{"env": "prod"},
		Detail:    kms.DetailFull,
		DetailErr: kms.NewError(kms.ProviderYandex, "ListAccessBindings", kms.CodePermissionDenied, errors.New("no access")),
	}
	b, _ := json.Marshal(key)
	fmt.Println(string(b))

	var back kms.Key
	_ = json.Unmarshal(b, &back)
	fmt.Println(errors.Is(back.DetailErr, kms.ErrPermissionDenied), back.CreatedAt.Equal(key.CreatedAt),
		slices.Collect(maps.Keys(back.Labels)))
	// Output:
	// {"provider":"yandex","id":"abj1","folderId":"b1g","state":"Enabled","createdAt":"2024-05-01T09:00:00Z","rotationPeriodSeconds":7776000,"labels":{"env":"prod"},"detail":"full","detailErr":{"code":"PermissionDenied","message":"kms: yandex ListAccessBindings: permission denied: no access"}}
	// true true [env]
}
