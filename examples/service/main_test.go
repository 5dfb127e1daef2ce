package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/internal/testenv"
	"github.com/oops-go/oops/oopshttp"
)

// TestMain says whether tests were skipped for lack of a PostgreSQL server.
func TestMain(m *testing.M) { testenv.Main(m) }

// TestREADMEQuotesThisProgram: the README's "In your service" snippet is
// this file, so that what it shows compiles (this package's tests build
// it).
func TestREADMEQuotesThisProgram(t *testing.T) {
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "```go\n"+string(src)+"```\n", "README.md must quote examples/service/main.go whole")
}

// TestServiceReportsAndShutsDown runs the service against the test
// PostgreSQL: a failing request gets a 500 page quoting an id, the report
// is on disk once the service has shut down, and it is the database error.
func TestServiceReportsAndShutsDown(t *testing.T) {
	dsn := testenv.RequirePostgres(t)
	// A schema of our own, so that "orders" is missing whatever else runs.
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer admin.Close()
	schema := fmt.Sprintf("oops_service_%d", time.Now().UnixNano())
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "search_path=" + schema

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- run(ctx, dsn, addr, dir) }()

	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = http.Get("http://" + addr + "/orders/7")
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	id := resp.Header.Get(oopshttp.HeaderID)
	require.True(t, oops.ValidID(id), "X-Oops-Id %q", id)
	assert.Contains(t, string(body), id)

	cancel()
	require.NoError(t, <-stopped)
	r, err := datedir.New(dir).Get(context.Background(), id)
	require.NoError(t, err, "on disk once the service has shut down")
	assert.Contains(t, r.Value, "orders", "the database error is the report")
	assert.Equal(t, "500", r.Extra[oopshttp.StatusKey])
	assert.Equal(t, "order/7", r.Resource)
	assert.False(t, r.Pending)
}
