package yandexkms

import (
	"strings"
	"unicode/utf8"

	"github.com/multikms/multikms/kms"
)

// checkID validates a folder or key ID before any request, as Yandex Cloud
// documents resource IDs: the API takes at most MaxIDLen characters
// (MaxFolderIDLen, MaxKeyIDLen), and the IDs it issues are lowercase Latin
// letters and digits (20 of them, such as b1g... for a folder and abj...
// for a key). Anything else cannot name a resource and is refused with
// kms.ErrInvalidArgument naming param: invalid UTF-8 (which would fail
// gRPC marshalling), an AWS or Alibaba Cloud ARN, an alias, spaces. The
// value itself is never quoted.
func checkID(op, param, id string, maxLen int) error {
	bad := func(format string, args ...any) error {
		return kms.InvalidArgument(kms.ProviderYandex, op, param, format, args...)
	}
	switch {
	case id == "":
		return bad("must not be empty")
	case !utf8.ValidString(id):
		return bad("must be valid UTF-8")
	case strings.HasPrefix(id, "arn:"):
		return bad("is an AWS ARN; Yandex Cloud KMS takes IDs of lowercase letters and digits")
	case strings.HasPrefix(id, "acs:"):
		return bad("is an Alibaba Cloud ARN; Yandex Cloud KMS takes IDs of lowercase letters and digits")
	}
	if n := utf8.RuneCountInString(id); n > maxLen {
		return bad("must be 1..%d characters, got %d", maxLen, n)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return bad("must hold only lowercase Latin letters and digits, as Yandex Cloud IDs do")
		}
	}
	return nil
}

// checkFolders validates every folder of a Lister.
func checkFolders(op string, first string, more []string) error {
	if err := checkID(op, "folderID", first, MaxFolderIDLen); err != nil {
		return err
	}
	for _, f := range more {
		if err := checkID(op, "Folders", f, MaxFolderIDLen); err != nil {
			return err
		}
	}
	return nil
}
