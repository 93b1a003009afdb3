package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/multikms/multikms/kms"
)

// summaryStates are the state columns of the summary, in order; any other
// state counts as "other".
var summaryStates = []kms.KeyState{kms.StateEnabled, kms.StateDisabled, kms.StatePendingDeletion, kms.StatePendingImport}

// scopeKey identifies a row of the summary's counts.
type scopeKey struct {
	provider kms.Provider
	scope    string
}

// attention is a key that needs attention and why.
type attention struct {
	key     kms.Key
	reasons []string
}

// summary gathers the counts and the keys needing attention as the keys
// come; print writes them as tables.
type summary struct {
	include    kms.Include
	counts     map[scopeKey]map[kms.KeyState]int
	attention  []attention
	rotUnread  int // keys whose rotation was not read (IncludeRotation not asked)
	accessSkip int // keys whose access was not read (IncludeAccess not asked)
}

func newSummary(include kms.Include) *summary {
	return &summary{include: include, counts: map[scopeKey]map[kms.KeyState]int{}}
}

func (s *summary) add(k kms.Key) {
	sk := scopeKey{k.Provider, scopeOf(k)}
	if s.counts[sk] == nil {
		s.counts[sk] = map[kms.KeyState]int{}
	}
	s.counts[sk][k.State]++
	if r := s.reasons(k); len(r) > 0 {
		s.attention = append(s.attention, attention{k, r})
	}
	if s.include&kms.IncludeAccess == 0 {
		s.accessSkip++
	}
}

// reasons tells why k needs attention: rotation disabled or unknown (unknown
// only where rotation was asked for), pending deletion, open to anyone, or
// details that could not be read.
func (s *summary) reasons(k kms.Key) []string {
	var r []string
	switch {
	case k.AutomaticRotation == kms.RotationDisabled:
		r = append(r, "rotation disabled")
	case k.AutomaticRotation == kms.RotationUnknown && s.include&kms.IncludeRotation != 0:
		r = append(r, "rotation unknown")
	case k.AutomaticRotation == kms.RotationUnknown:
		s.rotUnread++
	}
	if k.State == kms.StatePendingDeletion {
		r = append(r, "pending deletion")
	}
	if k.OpenToAnyone() {
		r = append(r, "open to anyone")
	}
	if k.DetailErr != nil {
		r = append(r, "details failed ("+codeName(k.DetailErr)+")")
	}
	return r
}

// codeName is the portable class of err ("PermissionDenied"), or "Unknown".
func codeName(err error) string {
	var e *kms.Error
	if errors.As(err, &e) {
		return e.Code.Name()
	}
	return kms.CodeUnknown.Name()
}

// print writes the counts per provider and scope with one column per state,
// a total per provider and in all, then the keys needing attention.
func (s *summary) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "PROVIDER\tSCOPE\tKEYS")
	for _, st := range summaryStates {
		fmt.Fprintf(tw, "\t%s", stateHeader(st))
	}
	fmt.Fprintln(tw, "\tOTHER")
	rows := slices.SortedFunc(maps.Keys(s.counts), func(a, b scopeKey) int {
		return cmp.Or(cmp.Compare(a.provider, b.provider), cmp.Compare(a.scope, b.scope))
	})
	total := map[kms.KeyState]int{}
	for i, sk := range rows {
		provTotal := map[kms.KeyState]int{}
		for _, r := range rows {
			if r.provider == sk.provider {
				addCounts(provTotal, s.counts[r])
			}
		}
		s.printRow(tw, string(sk.provider), dash(sk.scope), s.counts[sk])
		if i == len(rows)-1 || rows[i+1].provider != sk.provider {
			s.printRow(tw, string(sk.provider), "(all)", provTotal)
		}
		addCounts(total, s.counts[sk])
	}
	s.printRow(tw, "all", "", total)
	if err := tw.Flush(); err != nil {
		return err
	}
	return s.printAttention(w)
}

func addCounts(dst, src map[kms.KeyState]int) {
	for st, n := range src {
		dst[st] += n
	}
}

func (s *summary) printRow(w io.Writer, provider, scope string, c map[kms.KeyState]int) {
	all, other := 0, 0
	for st, n := range c {
		all += n
		if !slices.Contains(summaryStates, st) {
			other += n
		}
	}
	fmt.Fprintf(w, "%s\t%s\t%d", provider, scope, all)
	for _, st := range summaryStates {
		fmt.Fprintf(w, "\t%d", c[st])
	}
	fmt.Fprintf(w, "\t%d\n", other)
}

// printAttention writes the keys needing attention, sorted as the table is,
// and what the listing did not read.
func (s *summary) printAttention(w io.Writer) error {
	slices.SortStableFunc(s.attention, func(a, b attention) int {
		return cmp.Or(cmp.Compare(a.key.Provider, b.key.Provider), cmp.Compare(scopeOf(a.key), scopeOf(b.key)),
			cmp.Compare(a.key.ID, b.key.ID))
	})
	if n := len(s.attention); n == 1 {
		fmt.Fprintln(w, "\n1 key needs attention")
	} else {
		fmt.Fprintf(w, "\n%d keys need attention\n", n)
	}
	if len(s.attention) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PROVIDER\tSCOPE\tID\tNAME\tATTENTION")
		for _, a := range s.attention {
			k := a.key
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Provider, dash(scopeOf(k)), k.ID, dash(nameOf(k)),
				strings.Join(a.reasons, ", "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if s.rotUnread > 0 {
		fmt.Fprintf(w, "rotation not read for %s: add -include rotation\n", plural(s.rotUnread, "key"))
	}
	if s.accessSkip > 0 {
		fmt.Fprintf(w, "access not read for %s: add -include access to find keys open to anyone\n", plural(s.accessSkip, "key"))
	}
	return nil
}

// stateHeader is a state's column header: "PENDING DELETION".
func stateHeader(st kms.KeyState) string {
	var b strings.Builder
	for i, r := range string(st) {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
