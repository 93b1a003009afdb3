package awskms

import (
	"context"
	"errors"
	"strings"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// scopeLister is the Lister of one scope of a Fleet: it names its scope
// for the Merge and answers ARNs of other accounts and Regions with
// ErrNotFound at once, so that a fleet's DescribeKey of an ARN costs one
// request, not one per scope.
type scopeLister struct {
	*Lister
	name, account, region string
}

// Scope names the scope: "<account>/<region>", or "<region>".
func (l *scopeLister) Scope() string { return l.name }

func (l *scopeLister) DescribeKey(ctx context.Context, keyRef string) (kms.Key, error) {
	if err := l.elsewhere(OpDescribeKey, keyRef); err != nil {
		return kms.Key{}, err
	}
	return l.Lister.DescribeKey(ctx, keyRef)
}

func (l *scopeLister) DescribeKeyInclude(ctx context.Context, keyRef string, include kms.Include) (kms.Key, error) {
	if err := l.elsewhere(OpDescribeKey, keyRef); err != nil {
		return kms.Key{}, err
	}
	return kms.Describe(ctx, l.Lister, keyRef, include)
}

func (l *scopeLister) ListKeyVersions(ctx context.Context, keyRef string, opts kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	if err := l.elsewhere(OpListKeyRotations, keyRef); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	return l.Lister.ListKeyVersions(ctx, keyRef, opts)
}

// elsewhere is ErrNotFound for an ARN of another account or Region.
func (l *scopeLister) elsewhere(op, keyRef string) error {
	return arnElsewhere(op, keyRef, l.account, l.region)
}

func arnElsewhere(op, keyRef, account, region string) error {
	if !strings.HasPrefix(keyRef, "arn:") {
		return nil
	}
	parts := strings.SplitN(keyRef, ":", 6)
	if len(parts) != 6 {
		return nil // the Lister refuses it with its own message
	}
	if (region != "" && parts[3] != region) || (account != "" && parts[4] != account) {
		return kms.NewError(kms.ProviderAWS, op, kms.CodeNotFound, errors.New("the ARN names another account or Region than this scope's"))
	}
	return nil
}

// failedScope is an account discovery could not reach (its role could not
// be assumed, its ListRegions was denied): its listing fails at its first
// fetch with the reason, so that the Merge reports it as a failed scope
// and lists the others.
type failedScope struct {
	name, account string
	err           error
}

func (f *failedScope) Provider() kms.Provider { return kms.ProviderAWS }

// Scope names the scope: "<account>/*".
func (f *failedScope) Scope() string { return f.name }

func (f *failedScope) ListKeys(ctx context.Context, opts kms.ListOptions) *pagination.Iterator[kms.Key] {
	if err := opts.Validate(kms.ProviderAWS, OpListKeys, MaxPageSize); err != nil {
		return pagination.Err[kms.Key](err)
	}
	fetch := func(context.Context, string, int) ([]kms.Key, string, error) { return nil, "", f.err }
	return pagination.ByPageToken(ctx, fetch, pagination.Options{
		Cursor: opts.Cursor, Scope: "aws/failed/" + f.name, Retry: pagination.Retry{MaxAttempts: 1}, Op: OpListKeys,
		WrapErr: func(err error) error { return kms.WrapEngineError(kms.ProviderAWS, OpListKeys, err) },
	})
}

func (f *failedScope) DescribeKey(_ context.Context, keyRef string) (kms.Key, error) {
	if err := arnElsewhere(OpDescribeKey, keyRef, f.account, ""); err != nil {
		return kms.Key{}, err
	}
	return kms.Key{}, f.err
}

func (f *failedScope) ListKeyVersions(_ context.Context, keyRef string, _ kms.ListOptions) *pagination.Iterator[kms.KeyVersion] {
	if err := arnElsewhere(OpListKeyRotations, keyRef, f.account, ""); err != nil {
		return pagination.Err[kms.KeyVersion](err)
	}
	return pagination.Err[kms.KeyVersion](f.err)
}

func (f *failedScope) Close() error { return nil }
