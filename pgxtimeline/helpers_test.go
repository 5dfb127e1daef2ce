package pgxtimeline_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"github.com/oops-go/oops/internal/testenv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/timeline"
)

func postgresDSN(tb testing.TB) string { return testenv.RequirePostgres(tb) }

func TestMain(m *testing.M) { testenv.Main(m) }

// testSchema creates a schema of its own for the test, dropped at cleanup,
// and returns its name: tests share the server with others.
func testSchema(tb testing.TB, dsn string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "pgxtimeline_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(context.Background(), dsn)
	require.NoError(tb, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), "CREATE SCHEMA "+name)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			tb.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			tb.Error(err)
		}
	})
	return name
}

// connConfig returns a connection config whose tracer is tracer and whose
// search_path is a fresh schema.
func connConfig(tb testing.TB, tracer pgx.QueryTracer) *pgx.ConnConfig {
	dsn := postgresDSN(tb)
	schema := testSchema(tb, dsn)
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(tb, err)
	cfg.RuntimeParams["search_path"] = schema
	cfg.Tracer = tracer
	return cfg
}

func connect(tb testing.TB, tracer pgx.QueryTracer) *pgx.Conn {
	conn, err := pgx.ConnectConfig(context.Background(), connConfig(tb, tracer))
	require.NoError(tb, err)
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func newPool(tb testing.TB, tracer pgx.QueryTracer, maxConns int32) *pgxpool.Pool {
	cc := connConfig(tb, tracer)
	cfg, err := pgxpool.ParseConfig("")
	require.NoError(tb, err)
	cfg.ConnConfig = cc
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(tb, err)
	tb.Cleanup(pool.Close)
	return pool
}

func traced() (context.Context, *timeline.Timeline) {
	tl := timeline.New()
	return timeline.NewContext(context.Background(), tl), tl
}

// details returns "category: detail" of each entry, in order.
func details(tl *timeline.Timeline) []string {
	var out []string
	for _, e := range tl.Entries() {
		out = append(out, e.Category+": "+e.Detail)
	}
	return out
}

// errs returns the error text of each entry ("" for none), in order.
func errs(tl *timeline.Timeline) []string {
	var out []string
	for _, e := range tl.Entries() {
		s := ""
		if e.Err != nil {
			s = e.Err.Error()
		}
		out = append(out, s)
	}
	return out
}
