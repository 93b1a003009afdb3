package kms

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/multikms/multikms/pagination"
)

// Merge returns one Lister over several (nil ones are left out).
//
// ListKeys lists each lister in turn as one stream (see pagination.Concat:
// the next listers' first pages are fetched ahead while the caller works on
// the current one); its cursor records which lister the listing is at and
// that lister's own cursor, so it resumes all of them. ListOptions.MaxItems
// counts the items of the merged stream; the other options go to every
// lister.
//
// DescribeKey routes an ARN to the listers of its provider ("arn:aws" to
// ProviderAWS, "acs:kms:" to ProviderAlibaba, as ProviderLister.Provider
// tells; listers that do not tell are asked too) and any other reference to
// every lister in turn. It returns the first answer that is neither
// ErrNotFound nor ErrInvalidArgument (a lister that cannot parse the
// reference does not hold the key); ErrNotFound if every lister asked says
// so. ListKeyVersions routes the same way; when several listers may hold the
// key, it describes the key first to find the one that does.
func Merge(listers ...Lister) Lister {
	m := &merged{}
	for _, l := range listers {
		if l != nil {
			m.listers = append(m.listers, l)
		}
	}
	return m
}

type merged struct {
	listers []Lister
}

func (m *merged) ListKeys(ctx context.Context, opts ListOptions) *pagination.Iterator[Key] {
	if opts.MaxItems < 0 {
		return pagination.Err[Key](InvalidArgument("", "Merge.ListKeys", "MaxItems", "must not be negative, got %d", opts.MaxItems))
	}
	parts := make([]func(context.Context, string) *pagination.Iterator[Key], len(m.listers))
	for i, l := range m.listers {
		parts[i] = func(ctx context.Context, cursor string) *pagination.Iterator[Key] {
			o := opts
			o.Cursor, o.MaxItems = cursor, 0
			return l.ListKeys(ctx, o)
		}
	}
	return pagination.Concat(ctx, pagination.Options{
		Cursor:   opts.Cursor,
		MaxItems: opts.MaxItems,
		Scope:    m.scope("ListKeys", opts.Filter.String()),
	}, parts...)
}

// scope identifies a merged listing by its listers' providers and count;
// each lister's own cursor, kept inside the merged one, checks the rest.
func (m *merged) scope(op, extra string) string {
	names := make([]string, len(m.listers))
	for i, l := range m.listers {
		names[i] = "?"
		if pl, ok := l.(ProviderLister); ok {
			names[i] = string(pl.Provider())
		}
	}
	return fmt.Sprintf("kms.Merge/%s/%d/%s/%s", op, len(m.listers), strings.Join(names, ","), extra)
}

func (m *merged) DescribeKey(ctx context.Context, keyRef string) (Key, error) {
	if keyRef == "" {
		return Key{}, InvalidArgument("", "Merge.DescribeKey", "keyRef", "must not be empty")
	}
	k, _, err := m.describe(ctx, keyRef, m.candidates(keyRef))
	return k, err
}

// describe asks each candidate in turn and returns the first answer that
// does not mean "not here", with the lister that gave it.
func (m *merged) describe(ctx context.Context, keyRef string, candidates []Lister) (Key, Lister, error) {
	var firstErr error
	allInvalid := true
	for _, l := range candidates {
		k, err := l.DescribeKey(ctx, keyRef)
		switch {
		case err == nil:
			return k, l, nil
		case errors.Is(err, ErrNotFound):
			allInvalid = false
		case !errors.Is(err, ErrInvalidArgument):
			return Key{}, nil, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if len(candidates) == 0 {
		return Key{}, nil, notFoundAnywhere(keyRef)
	}
	if len(candidates) == 1 || allInvalid {
		return Key{}, nil, firstErr
	}
	return Key{}, nil, NewError("", "Merge", CodeNotFound,
		fmt.Errorf("key %q not found in any of %d listers", keyRef, len(candidates)))
}

// candidates returns the listers that may hold keyRef, in order.
func (m *merged) candidates(keyRef string) []Lister {
	p, ok := providerOfARN(keyRef)
	if !ok {
		return m.listers
	}
	var out []Lister
	for _, l := range m.listers {
		pl, isPL := l.(ProviderLister)
		if !isPL || pl.Provider() == p {
			out = append(out, l)
		}
	}
	return out
}

// providerOfARN tells the provider of an ARN, or false for any other reference.
func providerOfARN(ref string) (Provider, bool) {
	switch {
	case strings.HasPrefix(ref, "arn:aws"):
		return ProviderAWS, true
	case strings.HasPrefix(ref, "acs:kms:"):
		return ProviderAlibaba, true
	}
	return "", false
}

func (m *merged) ListKeyVersions(ctx context.Context, keyRef string, opts ListOptions) *pagination.Iterator[KeyVersion] {
	if keyRef == "" {
		return pagination.Err[KeyVersion](InvalidArgument("", "Merge.ListKeyVersions", "keyRef", "must not be empty"))
	}
	if opts.PageSize < 0 {
		return pagination.Err[KeyVersion](InvalidArgument("", "Merge.ListKeyVersions", "PageSize", "must not be negative, got %d", opts.PageSize))
	}
	candidates := m.candidates(keyRef)
	if len(candidates) == 1 {
		return candidates[0].ListKeyVersions(ctx, keyRef, opts)
	}
	_, owner, err := m.describe(ctx, keyRef, candidates)
	if err != nil {
		return pagination.Err[KeyVersion](err)
	}
	return owner.ListKeyVersions(ctx, keyRef, opts)
}

func notFoundAnywhere(keyRef string) error {
	return NewError("", "Merge", CodeNotFound, fmt.Errorf("no lister of the provider of %q", keyRef))
}

// Close closes every lister of the Merge and joins their errors.
func (m *merged) Close() error {
	var errs []error
	for _, l := range m.listers {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
