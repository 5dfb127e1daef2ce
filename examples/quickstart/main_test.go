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
	assert.Equal(t, "*sqlite.Error", r.Type, "the report the response quotes is the cause")
	assert.Contains(t, r.Value, "debit account 2: ")
	assert.Equal(t, "500", r.Extra["HTTP_STATUS"])
	assert.Regexp(t, `(?m)^time=\S+ level=ERROR msg="transfer failed" .* oops_id=`+id+`$`, text, "the log line quotes it too")
}

func TestQuickstartRemovesItsTemporaryDirectory(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var out strings.Builder
	require.NoError(t, run(context.Background(), "", &out))
	m := regexp.MustCompile(`(?m)^stored:  (\S+)$`).FindStringSubmatch(out.String())
	require.NotNil(t, m)
	require.True(t, strings.HasPrefix(m[1], tmp), m[1])
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "the temporary directory is removed unless -root is given")
}
