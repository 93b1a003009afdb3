package adapter

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// conventionRows are the rows of the convention table every adapter's
// package doc has, in this order.
var conventionRows = []string{
	"New", "NewFromConfig", "Close", "WithRateLimit", "WithConcurrency", "WithPrefetch",
	"WithRetry", "WithObserver", "URL parameters", "DescribeKey content", "key references",
	"credentials errors",
}

var tableRow = regexp.MustCompile(`^//\t\| (.{19}) \|`)

// TestConventionTables: the three adapters' package docs carry the same
// convention table, under the same heading, with the same rows in the same
// order; an adapter whose doc drifts fails here.
func TestConventionTables(t *testing.T) {
	for _, pkg := range []string{"awskms", "alibabakms", "yandexkms"} {
		t.Run(pkg, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "providers", pkg, "doc.go"))
			require.NoError(t, err)
			doc := string(b)
			require.Contains(t, doc, "// # Adapter convention\n//\n// The three adapters (awskms, alibabakms, yandexkms) configure, open,\n// close, describe, check and fail the same way:\n")
			var rows []string
			for _, line := range strings.Split(doc[strings.Index(doc, "# Adapter convention"):], "\n") {
				m := tableRow.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				if name := strings.TrimSpace(m[1]); name != "" && name != "convention" && !strings.HasPrefix(name, "---") {
					rows = append(rows, name)
				}
			}
			assert.Equal(t, conventionRows, rows)
		})
	}
}
