package yandexkms_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// TestKeyRefsCheckedBeforeAnyRequest: references no Yandex Cloud key can
// have are refused at once by DescribeKey and ListKeyVersions, with one
// short "kms:" message that does not quote them: invalid UTF-8 (which used
// to fail gRPC marshalling and be retried as unavailable), ARNs of the other
// clouds (which used to be sent to three services), aliases, odd shapes and
// lengths.
func TestKeyRefsCheckedBeforeAnyRequest(t *testing.T) {
	srv, sdk := setup(t, emu.WithDemoKeys())
	l := yandexkms.New(sdk, emu.DemoFolderID)
	ctx := context.Background()
	for name, ref := range map[string]string{
		"empty":        "",
		"invalid UTF8": "abj\xff\xfe\xfd",
		"AWS ARN":      "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"Alibaba ARN":  "acs:kms:cn-hangzhou:1234567890123456:key/key-hzz62f1cb66fa42qo3v9r",
		"AWS alias":    "alias/payments",
		"upper case":   "ABJDEMO0PAYMENTS00001",
		"51 chars":     strings.Repeat("a", 51),
		"5000 chars":   strings.Repeat("a", 5000),
		"314 chars":    "abj" + strings.Repeat("\u00e9", 311),
		"NUL":          "abjdemo0payments\x00001",
		"spaces":       " abjdemo0payments00001",
	} {
		_, err := l.DescribeKey(ctx, ref)
		checkRefError(t, name+"/DescribeKey", err)
		checkRefError(t, name+"/ListKeyVersions", firstErr(l.ListKeyVersions(ctx, ref, kms.ListOptions{})))
	}
	assert.Zero(t, srv.TotalRequests())
	assert.Zero(t, srv.Requests(emu.MethodEndpointList))
}

func checkRefError(t *testing.T, what string, err error) {
	t.Helper()
	assert.ErrorIs(t, err, kms.ErrInvalidArgument, what)
	if err == nil {
		return
	}
	msg := err.Error()
	assert.Equal(t, 1, strings.Count(msg, "kms: "), "%s: %s", what, msg)
	assert.Contains(t, msg, "keyRef", what)
	assert.Less(t, len(msg), 200, "%s: %s", what, msg)
}

// TestNotFoundHasOnePrefix: a key no kind knows is reported once, with the
// last native answer, not a *kms.Error nested in another.
func TestNotFoundHasOnePrefix(t *testing.T) {
	_, l := demoLister(t)
	_, err := l.DescribeKey(context.Background(), "abjnosuchkey00000001")
	assert.ErrorIs(t, err, kms.ErrNotFound)
	assert.Equal(t, 1, strings.Count(err.Error(), "kms: "), err.Error())
}

// TestVersionOptionsRefused: a version listing cannot filter or describe:
// Filter, Detail and Include are refused naming the option.
func TestVersionOptionsRefused(t *testing.T) {
	srv, l := demoLister(t)
	for param, opts := range map[string]kms.ListOptions{
		"Filter":  {Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}},
		"Detail":  {Detail: kms.DetailFull},
		"Include": {Include: kms.IncludeTags},
	} {
		err := firstErr(l.ListKeyVersions(context.Background(), "abjdemo0payments00001", opts))
		assertNames(t, err, param, param)
	}
	assert.Zero(t, srv.TotalRequests())
}
