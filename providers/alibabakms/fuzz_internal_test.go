package alibabakms

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
)

// FuzzCheckRef: any reference is accepted or refused as ErrInvalidArgument
// naming keyRef, never quoted, and an accepted one has a documented shape.
func FuzzCheckRef(f *testing.F) {
	for _, s := range []string{"key-hzz630494463ejqjx", "alias/app", "acs:kms:cn-hangzhou:1234567890123456:key/key-1",
		"acs:kms:cn-hangzhou:1234567890123456:alias/a/b", "arn:aws:kms:us-east-1:1:key/x", "key-\x00", "\xff", "alias/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		err := checkRef("DescribeKey", ref)
		if err == nil {
			if !validKeyID(ref) && !validAlias(ref) && !validARN(ref) {
				t.Fatalf("accepted %q of no documented shape", ref)
			}
			return
		}
		var ke *kms.Error
		if !errors.As(err, &ke) || !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "parameter keyRef") {
			t.Fatalf("%q: %v", ref, err)
		}
		if len(ref) > 8 && strings.Contains(err.Error(), ref) {
			t.Fatalf("%q: the message quotes it", ref)
		}
	})
}

// FuzzScrub: a secret value never survives scrub, in any encoding the SDK
// or a server may write it, nor does a SecurityToken parameter's value.
func FuzzScrub(f *testing.F) {
	f.Add("server string to sign is:GET&%2F&SecurityToken%3DTOKEN", "TOKENVALUE1")
	f.Add("Get \"http://h/?AccessKeyId=ID&Signature=SIG&SecurityToken=TOK\": dial tcp", "TOK+/=X")
	f.Fuzz(func(t *testing.T, msg, secret string) {
		// Secrets as the cloud makes them (base64 and IDs): letters the
		// redaction mark does not use, so that no new occurrence can form
		// across it.
		if len(secret) < 4 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=.") != "" {
			return
		}
		out := scrub(msg+" "+secret+" "+url.QueryEscape(secret)+" SecurityToken="+secret, []string{secret})
		for _, form := range []string{secret, url.QueryEscape(secret), url.QueryEscape(url.QueryEscape(secret))} {
			if strings.Contains(out, form) {
				t.Fatalf("scrub left %q in %q", form, out)
			}
		}
	})
}
