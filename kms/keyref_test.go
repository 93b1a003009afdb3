package kms_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

func TestCheckKeyRef(t *testing.T) {
	for _, tc := range []struct {
		p    kms.Provider
		ref  string
		want string // "" = accepted
	}{
		{kms.ProviderAWS, "1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{kms.ProviderAWS, "arn:aws:kms:eu-west-1:111122223333:key/x", ""},
		{kms.ProviderAWS, "arn:aws-cn:kms:cn-north-1:111122223333:key/x", ""},
		{kms.ProviderAlibaba, "acs:kms:cn-hangzhou:123:key/key-x", ""},
		{kms.ProviderAWS, "", "must not be empty"},
		{kms.ProviderAWS, strings.Repeat("a", 2049), "at most 2048 characters, got 2049"},
		{kms.ProviderYandex, "abj\xff", "valid UTF-8"},
		{kms.ProviderAWS, "acs:kms:cn-hangzhou:123:key/key-x", "ARN of alibaba"},
		{kms.ProviderYandex, "arn:aws:kms:eu-west-1:1:key/x", "ARN of aws"},
		{kms.ProviderAlibaba, "arn:aws-us-gov:kms:us-gov-west-1:1:key/x", "ARN of aws"},
	} {
		err := kms.CheckKeyRef(tc.p, "DescribeKey", tc.ref, 2048)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s %q: %v", tc.p, tc.ref, err)
			}
			continue
		}
		var e *kms.Error
		if !errors.As(err, &e) || e.Code != kms.CodeInvalidArgument || e.Provider != tc.p ||
			!strings.Contains(err.Error(), "keyRef") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %.20q: %v; want an invalid argument naming keyRef and saying %q", tc.p, tc.ref, err, tc.want)
		}
		if len(tc.ref) > 8 && strings.Contains(err.Error(), tc.ref) {
			t.Errorf("%s: the error quotes the reference: %v", tc.p, err)
		}
	}
}

func TestValidateVersions(t *testing.T) {
	for _, tc := range []struct {
		opts  kms.ListOptions
		param string
	}{
		{kms.ListOptions{PageSize: 5, Cursor: "c", MaxItems: 3}, ""},
		{kms.ListOptions{Filter: kms.Filter{States: []kms.KeyState{kms.StateEnabled}}}, "Filter"},
		{kms.ListOptions{Detail: kms.DetailFull}, "Detail"},
		{kms.ListOptions{Detail: 7}, "Detail"},
		{kms.ListOptions{Include: kms.IncludeTags}, "Include"},
		{kms.ListOptions{Include: 1 << 10}, "Include"},
		{kms.ListOptions{PageSize: 101}, "PageSize"},
	} {
		err := tc.opts.ValidateVersions(kms.ProviderAlibaba, "ListKeyVersions", 100)
		if tc.param == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.opts, err)
			}
			continue
		}
		if !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "parameter "+tc.param) ||
			!strings.HasPrefix(err.Error(), "kms: alibaba ListKeyVersions: ") {
			t.Errorf("%+v: %v, want an invalid argument naming %s", tc.opts, err, tc.param)
		}
	}
}

func TestWrapEngineError(t *testing.T) {
	native := kms.NewError(kms.ProviderAWS, "ListKeys", kms.CodeThrottled, errors.New("slow"))
	for _, tc := range []struct {
		err  error
		code kms.Code
		msg  string
	}{
		{fmt.Errorf("%w: made for another listing", pagination.ErrInvalidCursor), kms.CodeInvalidCursor,
			"kms: aws ListKeys: invalid cursor: made for another listing"},
		{fmt.Errorf("%w: PageSize must be >= 0, got -1", pagination.ErrInvalidArgument), kms.CodeInvalidArgument,
			"kms: aws ListKeys: invalid argument: PageSize must be >= 0, got -1"},
		{fmt.Errorf("%w: after 3 pages", pagination.ErrRepeatedToken), kms.CodeUnknown,
			"kms: aws ListKeys: unknown error: server repeated a page token: after 3 pages"},
		{errors.New("odd"), kms.CodeUnknown, "kms: aws ListKeys: unknown error: odd"},
		{fmt.Errorf("page 2: %w", native), kms.CodeThrottled, "page 2: kms: aws ListKeys: throttled: slow"},
	} {
		got := kms.WrapEngineError(kms.ProviderAWS, "ListKeys", tc.err)
		var e *kms.Error
		lost := errors.Unwrap(tc.err) != nil && !errors.Is(got, errors.Unwrap(tc.err))
		if !errors.As(got, &e) || e.Code != tc.code || got.Error() != tc.msg || lost {
			t.Errorf("WrapEngineError(%v) = %v (%T); want code %v saying %q", tc.err, got, got, tc.code, tc.msg)
		}
	}
	if kms.WrapEngineError(kms.ProviderAWS, "ListKeys", nil) != nil {
		t.Error("nil is wrapped")
	}
	for _, cerr := range []error{context.Canceled, context.DeadlineExceeded} {
		if got := kms.WrapEngineError(kms.ProviderAWS, "ListKeys", fmt.Errorf("page 3: %w", cerr)); got != cerr {
			t.Errorf("context error %v came back as %v", cerr, got)
		}
	}
}

func TestErrorHasOnePrefix(t *testing.T) {
	inner := kms.NewError(kms.ProviderYandex, "Get", kms.CodeNotFound, errors.New("no key"))
	outer := kms.NewError(kms.ProviderYandex, "DescribeKey", kms.CodeNotFound, inner)
	if got, want := outer.Error(), "kms: yandex DescribeKey: not found: yandex Get: not found: no key"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(outer, kms.ErrNotFound) || errors.Unwrap(outer) != inner {
		t.Error("the inner error is lost")
	}
}

func TestDescribe(t *testing.T) {
	ctx := context.Background()
	l := plainLister{}
	if _, err := kms.Describe(ctx, l, "k", kms.IncludeTags); !errors.Is(err, kms.ErrUnsupported) {
		t.Errorf("Describe with an Include on a Lister that cannot: %v", err)
	}
	if _, err := kms.Describe(ctx, l, "k", 1<<10); !errors.Is(err, kms.ErrInvalidArgument) || !strings.Contains(err.Error(), "Include") {
		t.Errorf("Describe with a bad Include: %v", err)
	}
	if k, err := kms.Describe(ctx, l, "k", 0); err != nil || k.ID != "k" {
		t.Errorf("Describe without Include: %+v, %v", k, err)
	}
}

// plainLister describes any key and implements nothing else.
type plainLister struct{ kms.Lister }

func (plainLister) DescribeKey(_ context.Context, ref string) (kms.Key, error) {
	return kms.Key{ID: ref, Detail: kms.DetailFull}, nil
}
