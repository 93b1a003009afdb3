package kms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/multikms/multikms/pagination"
)

func (m *merged) DescribeKey(ctx context.Context, keyRef string) (Key, error) {
	if err := m.checkRef("Merge.DescribeKey", keyRef); err != nil {
		return Key{}, err
	}
	k, _, err := m.describe(ctx, keyRef, m.candidates(keyRef), 0)
	return k, err
}

// DescribeKeyInclude is DescribeKey with the extras include asks for (see
// IncludeDescriber), from the lister that holds the key; a lister that
// cannot fetch extras answers ErrUnsupported, which a lister finding the
// key overrides.
func (m *merged) DescribeKeyInclude(ctx context.Context, keyRef string, include Include) (Key, error) {
	if err := m.checkRef("Merge.DescribeKey", keyRef); err != nil {
		return Key{}, err
	}
	if !include.valid() {
		return Key{}, InvalidArgument(m.provider, "Merge.DescribeKey", "Include", "unknown bits %#x; allowed: IncludeTags|IncludeRotation|IncludePolicy|IncludeAccess", uint(include&^includeAll))
	}
	k, _, err := m.describe(ctx, keyRef, m.candidates(keyRef), include)
	return k, err
}

// ask describes keyRef on l, with the extras include asks for.
func ask(ctx context.Context, l Lister, keyRef string, include Include) (Key, error) {
	if include == 0 {
		return l.DescribeKey(ctx, keyRef)
	}
	return Describe(ctx, l, keyRef, include)
}

// answer is one candidate's answer to a describe.
type answer struct {
	key Key
	err error
	ok  bool // asked (false: cancelled before its turn)
}

// describe asks the candidates concurrently, up to m.conc at once, and
// returns the key one of them found, with that lister; once one has found
// it, the others are cancelled. Without a find, the first real error in
// candidate order, else not found.
func (m *merged) describe(ctx context.Context, keyRef string, candidates []Lister, include Include) (Key, Lister, error) {
	if len(candidates) == 0 {
		return Key{}, nil, NewError(m.provider, "Merge", CodeNotFound, fmt.Errorf("no lister of the provider of the key"))
	}
	if len(candidates) == 1 {
		k, err := ask(ctx, candidates[0], keyRef, include)
		if err != nil {
			return Key{}, nil, err
		}
		return k, candidates[0], nil
	}
	answers := m.askAll(ctx, keyRef, candidates, include)
	for i, a := range answers {
		if a.ok && a.err == nil {
			return a.key, candidates[i], nil
		}
	}
	if err := ctx.Err(); err != nil {
		return Key{}, nil, err
	}
	var firstErr error
	allInvalid := true
	for _, a := range answers {
		switch {
		case errors.Is(a.err, ErrNotFound):
			allInvalid = false
		case !errors.Is(a.err, ErrInvalidArgument):
			return Key{}, nil, a.err
		}
		if firstErr == nil {
			firstErr = a.err
		}
	}
	if allInvalid {
		return Key{}, nil, firstErr
	}
	return Key{}, nil, NewError(m.provider, "Merge", CodeNotFound,
		fmt.Errorf("key %q not found in any of %d listers", keyRef, len(candidates)))
}

// askAll describes keyRef on every candidate, up to m.conc at once, and
// stops asking once one has found it.
func (m *merged) askAll(ctx context.Context, keyRef string, candidates []Lister, include Include) []answer {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	answers := make([]answer, len(candidates))
	sem := make(chan struct{}, max(m.conc, 1))
	var wg sync.WaitGroup
	for i, l := range candidates {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			k, err := ask(ctx, l, keyRef, include)
			answers[i] = answer{key: k, err: err, ok: true}
			if err == nil {
				cancel() // found: the others need not answer
			}
		}()
	}
	wg.Wait()
	return answers
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
	if err := m.checkRef("Merge.ListKeyVersions", keyRef); err != nil {
		return pagination.Err[KeyVersion](err)
	}
	if opts.PageSize < 0 {
		return pagination.Err[KeyVersion](InvalidArgument(m.provider, "Merge.ListKeyVersions", "PageSize", "must not be negative, got %d", opts.PageSize))
	}
	candidates := m.candidates(keyRef)
	if len(candidates) == 1 {
		return candidates[0].ListKeyVersions(ctx, keyRef, opts)
	}
	// Every candidate checks the options (and the reference) first, which
	// sends nothing: a listing none of them accepts fails before any
	// describe, and a candidate that refuses it cannot list it anyway.
	var (
		accepting []Lister
		refused   error
	)
	for _, l := range candidates {
		if err := pagination.Rejected(l.ListKeyVersions(ctx, keyRef, opts)); err != nil {
			if refused == nil {
				refused = err
			}
			continue
		}
		accepting = append(accepting, l)
	}
	if len(accepting) == 0 && refused != nil {
		return pagination.Err[KeyVersion](refused)
	}
	_, owner, err := m.describe(ctx, keyRef, accepting, 0)
	if err != nil {
		if refused != nil && errors.Is(err, ErrNotFound) {
			err = refused // the key may be held by a lister that refused the options
		}
		return pagination.Err[KeyVersion](err)
	}
	return owner.ListKeyVersions(ctx, keyRef, opts)
}

// maxMergeKeyRef bounds a reference a mixed fleet accepts (AWS allows
// 2,048 characters, the longest of the clouds).
const maxMergeKeyRef = 2048

// checkRef checks keyRef before any lister is asked: as the fleet's
// provider's listers do for a uniform fleet, and the checks every cloud
// shares (not empty, valid UTF-8, not too long) for a mixed one.
func (m *merged) checkRef(op, keyRef string) error {
	if m.optErr != nil {
		return m.optErr
	}
	if m.provider != "" {
		return CheckKeyRef(m.provider, op, keyRef, maxMergeKeyRef)
	}
	switch {
	case keyRef == "":
		return InvalidArgument("", op, "keyRef", "must not be empty")
	case !utf8.ValidString(keyRef):
		return InvalidArgument("", op, "keyRef", "must be valid UTF-8")
	case utf8.RuneCountInString(keyRef) > maxMergeKeyRef:
		return InvalidArgument("", op, "keyRef", "must be at most %d characters", maxMergeKeyRef)
	}
	return nil
}
