package awskmstest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestWireShapeOfPages(t *testing.T) {
	s, _ := start(t, awskmstest.WithGeneratedKeys(3))
	status, h, body := raw(t, s, "ListKeys", `{"Limit":2}`, nil)
	if status != 200 || h.Get("Content-Type") != "application/x-amz-json-1.1" || h.Get("x-amzn-RequestId") == "" {
		t.Fatalf("status %d, headers %v", status, h)
	}
	marker, ok := body["NextMarker"].(string)
	if !ok || body["Truncated"] != true || len(body["Keys"].([]any)) != 2 {
		t.Fatalf("first page %v", body)
	}
	_, _, body = raw(t, s, "ListKeys", `{"Limit":2,"Marker":"`+marker+`"}`, nil)
	if _, has := body["NextMarker"]; has || body["Truncated"] != false || len(body["Keys"].([]any)) != 1 {
		t.Fatalf("last page %v: want one key, Truncated false and no NextMarker", body)
	}
	entry := body["Keys"].([]any)[0].(map[string]any)
	if !strings.HasPrefix(entry["KeyArn"].(string), "arn:aws:kms:us-east-1:111122223333:key/") || entry["KeyId"] == "" {
		t.Fatalf("entry %v", entry)
	}
}

func TestWireShapeOfDescribeKey(t *testing.T) {
	s, _ := start(t, awskmstest.WithGeneratedKeys(1))
	_, _, body := raw(t, s, "DescribeKey", `{"KeyId":"`+s.Keys()[0].ID+`"}`, nil)
	md := body["KeyMetadata"].(map[string]any)
	if created, ok := md["CreationDate"].(float64); !ok || created != float64(s.Keys()[0].Created.Unix()) {
		t.Fatalf("CreationDate %#v, want epoch seconds as a number", md["CreationDate"])
	}
	for _, f := range []string{"AWSAccountId", "Arn", "Enabled", "KeyId", "KeyState", "KeyUsage", "KeySpec", "Origin", "KeyManager"} {
		if _, ok := md[f]; !ok {
			t.Errorf("KeyMetadata lacks %s: %v", f, md)
		}
	}
}

func TestWireErrors(t *testing.T) {
	s, _ := start(t, awskmstest.WithGeneratedKeys(1))
	tests := []struct {
		name, op, body string
		edit           func(*http.Request)
		status         int
		typ            string
	}{
		{"no authorization", "ListKeys", "{}", func(r *http.Request) { r.Header.Del("Authorization") }, 400, "MissingAuthenticationTokenException"},
		{"other algorithm", "ListKeys", "{}", setAuth("AWS4-HMAC-SHA1 " + strings.TrimPrefix(validAuth, "AWS4-HMAC-SHA256 ")), 400, "IncompleteSignatureException"},
		{"credential for another service", "ListKeys", "{}", setAuth(strings.Replace(validAuth, "/kms/", "/s3/", 1)), 400, "IncompleteSignatureException"},
		{"no signed headers", "ListKeys", "{}", setAuth(strings.Replace(validAuth, "SignedHeaders=content-type;host;x-amz-date;x-amz-target, ", "", 1)), 400, "IncompleteSignatureException"},
		{"host not signed", "ListKeys", "{}", setAuth(strings.Replace(validAuth, ";host;", ";", 1)), 400, "IncompleteSignatureException"},
		{"short signature", "ListKeys", "{}", setAuth(validAuth[:len(validAuth)-2]), 400, "IncompleteSignatureException"},
		{"date off scope", "ListKeys", "{}", func(r *http.Request) { r.Header.Set("X-Amz-Date", "20250101T000000Z") }, 400, "IncompleteSignatureException"},
		{"other region", "ListKeys", "{}", setAuth(strings.Replace(validAuth, "us-east-1", "eu-west-1", 1)), 400, "InvalidSignatureException"},
		{"content type", "ListKeys", "{}", func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, 400, "SerializationException"},
		{"unknown operation", "CreateKey", "{}", nil, 400, "UnknownOperationException"},
		{"no target", "", "{}", func(r *http.Request) { r.Header.Del("X-Amz-Target") }, 400, "UnknownOperationException"},
		{"malformed JSON", "ListKeys", "{", nil, 400, "SerializationException"},
		{"limit zero", "ListKeys", `{"Limit":0}`, nil, 400, "ValidationException"},
		{"empty marker", "ListKeys", `{"Marker":""}`, nil, 400, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := raw(t, s, tt.op, tt.body, tt.edit)
			if status != tt.status || body["__type"] != tt.typ || h.Get("Content-Type") != "application/x-amz-json-1.1" {
				t.Fatalf("got HTTP %d %v, want HTTP %d %s", status, body, tt.status, tt.typ)
			}
			if _, ok := body["message"]; !ok && tt.typ != "UnknownOperationException" {
				t.Errorf("error %v has no message", body)
			}
		})
	}
}

func setAuth(v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", v) }
}
