package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/sqlstore"
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

	db, err := sqlstore.Open(context.Background(), "sqlite", filepath.Join(root, "oops.db"), nil)
	require.NoError(t, err)
	defer db.Close()
	fromDB, err := db.Get(context.Background(), id)
	require.NoError(t, err, "the database has the report too")
	assert.Equal(t, r.Topic, fromDB.Topic)
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
	assert.True(t, strings.HasSuffix(text, "\nLook at it with the console:\n  go run ./cmd/oops --store "+root+" show "+id+"\n"), text)
}

func TestQuickstartRemovesItsTemporaryDirectory(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var out strings.Builder
	require.NoError(t, quickstart(context.Background(), "", false, &out))
	m := regexp.MustCompile(`(?m)^stored:  (\S+)$`).FindStringSubmatch(out.String())
	require.NotNil(t, m)
	require.True(t, strings.HasPrefix(m[1], tmp), m[1])
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "the temporary directory is removed unless -root is given")
	assert.Contains(t, out.String(), "with -root DIR", "how to keep the reports for the console")
}

func TestQuickstartServesTheConsole(t *testing.T) {
	root := t.TempDir()
	var out strings.Builder
	require.NoError(t, run(context.Background(), root, &out))
	id := regexp.MustCompile(`OOPS id: (OOPS-[0-9a-f]{32})`).FindStringSubmatch(out.String())
	require.NotNil(t, id)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var said strings.Builder
	go func() { done <- serveConsole(ctx, ln, root, &said) }()

	// The listener is open, so the request waits in its backlog until the
	// console serves it.
	resp, err := http.Get("http://" + ln.Addr().String() + "/report/" + id[1])
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `id="waterfall"`)
	assert.Contains(t, string(body), "UPDATE accounts SET balance = balance - ? WHERE id = ?", "the reader is an admin")
	cancel()
	require.NoError(t, <-done)

}

func TestQuickstartMakesItsRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "not", "there", "yet")
	var out strings.Builder
	require.NoError(t, quickstart(context.Background(), root, false, &out))
	_, err := os.Stat(filepath.Join(root, "oops.db"))
	assert.NoError(t, err, "-root DIR need not exist")
}
