package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/oops-go/oops/internal/testenv"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/oops-go/oops/sqlstore"
)

// pgDSN is the DSN of the database this test binary made for itself on
// OOPS_TEST_POSTGRES_DSN's server, "" when the variable is unset.
var pgDSN string

var schemaSeq atomic.Int64

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv(childEnv) != "" {
		return childMain()
	}
	base := os.Getenv(testenv.PostgresDSN)
	if base == "" {
		return testenv.Run(m)
	}
	name := fmt.Sprintf("oops_sqlstore_test_%d_%x", os.Getpid(), rand.Uint32())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sqlstore tests: PostgreSQL:", err)
		return 1
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		fmt.Fprintln(os.Stderr, "sqlstore tests: creating the test database:", err)
		return 1
	}
	defer func() {
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "sqlstore tests: dropping the test database:", err)
		}
	}()
	u, err := url.Parse(base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sqlstore tests: OOPS_TEST_POSTGRES_DSN:", err)
		return 1
	}
	u.Path = "/" + name
	pgDSN = u.String()
	return m.Run()
}

// A backend opens fresh, empty stores of one kind.
type backend struct {
	name string
	// dsn returns the driver name and a DSN of a fresh, empty database.
	dsn func(t testing.TB) (driver, dsn string)
}

var _ = stdlib.GetDefaultDriver // the pgx driver is registered

func sqliteFile(t testing.TB) (string, string) {
	return "sqlite", filepath.Join(t.TempDir(), "oops.db")
}

func sqliteMemory(testing.TB) (string, string) { return "sqlite", ":memory:" }

// postgres makes a schema of its own in the test database and returns a
// DSN whose search_path is that schema.
func postgres(t testing.TB) (string, string) {
	if pgDSN == "" {
		testenv.RequirePostgres(t) // skips, and counts the skip for the summary
	}
	schema := fmt.Sprintf("s%d", schemaSeq.Add(1))
	db, err := sql.Open("pgx", pgDSN)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	u, err := url.Parse(pgDSN)
	require.NoError(t, err)
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	return "pgx", u.String()
}

var backends = []backend{
	{"sqlite-file", sqliteFile},
	{"sqlite-memory", sqliteMemory},
	{"postgres", postgres},
}

// eachBackend runs f as a subtest on every backend.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// open opens a store on a fresh database of b, closed at the test's end.
func (b backend) open(t testing.TB, opts *sqlstore.Options) *sqlstore.Store {
	t.Helper()
	driver, dsn := b.dsn(t)
	s, err := sqlstore.Open(context.Background(), driver, dsn, opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}
