package main

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/multikms/multikms/kms"
)

// keyWriter writes the listing in one format. write is called once per key
// as the fleet hands it out; flush ends the output (the table is printed
// there, sorted, as tabwriter needs every row to align them).
type keyWriter interface {
	write(k kms.Key) error
	flush() error
}

func newKeyWriter(f format, w io.Writer) keyWriter {
	switch f {
	case formatJSON:
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		return &jsonWriter{bw: bw, enc: enc}
	case formatCSV:
		cw := csv.NewWriter(w)
		_ = cw.Write(csvHeader) // errors surface at flush
		return &csvWriter{cw: cw}
	default:
		return &tableWriter{w: w}
	}
}

// jsonWriter writes one kms.Key JSON object a line (JSON Lines).
type jsonWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

func (j *jsonWriter) write(k kms.Key) error { return j.enc.Encode(k) }
func (j *jsonWriter) flush() error          { return j.bw.Flush() }

// csvHeader are the CSV columns, in a stable order; new columns are only
// ever added at the end.
var csvHeader = []string{
	"provider", "account", "region", "folder_id", "cloud_id", "id", "arn", "name", "aliases",
	"description", "kind", "state", "usage", "spec", "origin", "protection", "manager", "key_store",
	"created_at", "deletion_at", "automatic_rotation", "rotation_period", "next_rotation_at",
	"rotated_at", "multi_region", "deletion_protection", "labels", "open_to_anyone", "detail",
	"detail_error",
}

type csvWriter struct{ cw *csv.Writer }

func (c *csvWriter) write(k kms.Key) error {
	return c.cw.Write([]string{
		string(k.Provider), k.Account, k.Region, k.FolderID, k.CloudID, k.ID, k.ARN, k.Name,
		strings.Join(k.Aliases, " "), k.Description, string(k.Kind), string(k.State),
		string(k.Usage), k.Spec, k.Origin, string(k.Protection), k.Manager, k.KeyStore,
		csvTime(k.CreatedAt), csvTime(k.DeletionAt), string(k.AutomaticRotation),
		csvPeriod(k.RotationPeriod), csvTime(k.NextRotationAt), csvTime(k.RotatedAt),
		strconv.FormatBool(k.MultiRegion), strconv.FormatBool(k.DeletionProtection),
		csvLabels(k.Labels), strconv.FormatBool(k.OpenToAnyone()), detailName(k.Detail),
		errText(k.DetailErr),
	})
}

func (c *csvWriter) flush() error {
	c.cw.Flush()
	return c.cw.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// csvPeriod writes a rotation period in seconds, as the JSON schema does.
func csvPeriod(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// csvLabels writes labels as k=v pairs sorted by key, separated by blanks.
func csvLabels(labels map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + labels[k])
	}
	return b.String()
}

func detailName(d kms.Detail) string {
	t, err := d.MarshalText()
	if err != nil {
		return fmt.Sprint(int(d))
	}
	return string(t)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// tableWriter prints an aligned table, sorted by provider, scope and key ID
// (the fleet hands keys out interleaved across scopes).
type tableWriter struct {
	w    io.Writer
	keys []kms.Key
}

func (t *tableWriter) write(k kms.Key) error {
	t.keys = append(t.keys, k)
	return nil
}

func (t *tableWriter) flush() error {
	slices.SortStableFunc(t.keys, func(a, b kms.Key) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(scopeOf(a), scopeOf(b)), cmp.Compare(a.ID, b.ID))
	})
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tSCOPE\tID\tNAME\tSTATE\tUSAGE\tSPEC\tROTATION\tCREATED")
	for _, k := range t.keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Provider, scopeOf(k), k.ID,
			dash(nameOf(k)), dash(string(k.State)), dash(string(k.Usage)), dash(k.Spec),
			dash(string(k.AutomaticRotation)), dash(dateOf(k.CreatedAt)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(t.w, "\n%s\n", plural(len(t.keys), "key"))
	return err
}

// scopeOf names the scope a key belongs to: account/Region (AWS, Alibaba
// Cloud) or cloud/folder (Yandex Cloud), with what is known of them.
func scopeOf(k kms.Key) string {
	var parts []string
	for _, p := range []string{k.Account, k.Region, k.CloudID, k.FolderID} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

// nameOf is the key's name (Yandex Cloud) or its first alias.
func nameOf(k kms.Key) string {
	if k.Name != "" || len(k.Aliases) == 0 {
		return k.Name
	}
	return k.Aliases[0]
}

func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
