package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/oops-go/oops/internal/testenv"
	"github.com/oops-go/oops/timeline"
)

// memConnector makes a memDriver usable with sql.OpenDB and WrapConnector.
type memConnector struct{ d *memDriver }

func (c memConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open("") }
func (c memConnector) Driver() driver.Driver                        { return c.d }

// openMem returns a DB on a fresh memDriver, wrapped unless opts is nil.
func openMem(t testing.TB, full bool, wrap bool, opts *Options) (*sql.DB, *memDriver) {
	d := &memDriver{full: full}
	var c driver.Connector = memConnector{d}
	if wrap {
		c = WrapConnector("mem", c, opts)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db, d
}

// openSQLite returns a DB on a new SQLite file with a table t(id, name),
// wrapped when wrap is set.
func openSQLite(t testing.TB, wrap bool, opts *Options) *sql.DB {
	dsn := filepath.Join(t.TempDir(), "test.db")
	var db *sql.DB
	var err error
	if wrap {
		db, err = Open("sqlite", dsn, opts)
	} else {
		db, err = sql.Open("sqlite", dsn)
	}
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, data BLOB)`)
	require.NoError(t, err)
	return db
}

// postgresDSN returns the test server's DSN or skips the test.
func postgresDSN(t testing.TB) string {
	t.Helper()
	return testenv.RequirePostgres(t)
}

// traced returns a context carrying a new timeline.
func traced() (context.Context, *timeline.Timeline) {
	tl := timeline.New()
	return timeline.NewContext(context.Background(), tl), tl
}

// details lists the entries as "category: detail", with " !error" when one
// was recorded and " (unfinished)" for unfinished ones.
func details(tl *timeline.Timeline) []string {
	var out []string
	for _, e := range tl.Entries() {
		s := e.Category + ": " + e.Detail
		if e.Err != nil {
			s += fmt.Sprintf(" !%v", e.Err)
		}
		if e.Unfinished {
			s += " (unfinished)"
		}
		out = append(out, s)
	}
	return out
}
