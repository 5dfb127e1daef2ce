package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/datedir"
)

func TestQuickstartShowsTheFailingRequestsReport(t *testing.T) {
	root := t.TempDir()
	var out strings.Builder
	require.NoError(t, run(context.Background(), root, &out))
	text := out.String()

	m := regexp.MustCompile(`(?m)^OOPS id: (OOPS-[0-9a-f]{32})\nstored:  (\S+)$`).FindStringSubmatch(text)
	require.NotNil(t, m, text)
	id, path := m[1], m[2]
	assert.Equal(t, root, filepath.Dir(filepath.Dir(path)))
	_, err := os.Stat(path)
	require.NoError(t, err, "the report file the example names exists")

	r, err := datedir.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, id, r.ID)
	assert.Equal(t, "POST /transfer", r.Topic)
	var details []string
	for _, e := range r.Timeline {
		details = append(details, e.Category+" "+e.Detail)
	}
	assert.Contains(t, details, "SQL-sqlite INSERT INTO transfers (src, dst, amount) VALUES (?, ?, ?)")
	assert.Contains(t, details, "SQL-sqlite UPDATE accounts SET balance = balance - ? WHERE id = ?")
	assert.Contains(t, details, "SQL-sqlite ROLLBACK")
	assert.Regexp(t, `(?m)^  [\d.]+ms +[\d.]+ms +SQL-sqlite +UPDATE accounts SET balance = balance - \? WHERE id = \?  !! .*CHECK constraint failed`, text)
	assert.Regexp(t, `(?m)^related report OOPS-[0-9a-f]{32}\n  \*sqlite\.Error: debit account 2: `, text)
	assert.True(t, strings.HasSuffix(text, "\nLook at it with the console:\n  go run ./cmd/oops --store "+root+" show "+id+"\n"), text)
}
