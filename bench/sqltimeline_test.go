package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"path/filepath"
	"testing"

	"github.com/XSAM/otelsql"
	"github.com/luna-duclos/instrumentedsql"
	"github.com/ngrok/sqlmw"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"modernc.org/sqlite"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/sqltimeline"
	"github.com/oops-go/oops/timeline"
)

// The SQL comparison: the same statements through the unwrapped driver,
// through sqltimeline (without and with a timeline in the context) and
// through each peer wrapper with its no-op defaults, on a minimal in-memory
// driver (so the wrappers' own cost shows) and on SQLite.

// minDriver implements only the required driver interfaces: database/sql
// prepares, runs and closes a statement for every Exec and Query.
type minDriver struct{}

func (minDriver) Open(string) (driver.Conn, error) { return minConn{}, nil }

type minConn struct{}

func (minConn) Prepare(query string) (driver.Stmt, error) { return &minStmt{}, nil }
func (minConn) Close() error                              { return nil }
func (minConn) Begin() (driver.Tx, error)                 { return minTx{}, nil }

type minTx struct{}

func (minTx) Commit() error   { return nil }
func (minTx) Rollback() error { return nil }

type minStmt struct{}

func (*minStmt) Close() error                               { return nil }
func (*minStmt) NumInput() int                              { return -1 }
func (*minStmt) Exec([]driver.Value) (driver.Result, error) { return driver.RowsAffected(1), nil }
func (*minStmt) Query([]driver.Value) (driver.Rows, error)  { return &minRows{}, nil }

type minRows struct{ done bool }

var minCols = []string{"id", "name"}

func (*minRows) Columns() []string { return minCols }
func (*minRows) Close() error      { return nil }
func (r *minRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0], dest[1] = int64(1), "row"
	return nil
}

// fastDriver adds the fast paths real drivers have: ExecerContext and
// QueryerContext.
type fastDriver struct{}

func (fastDriver) Open(string) (driver.Conn, error) { return fastConn{}, nil }

type fastConn struct{ minConn }

func (fastConn) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	return driver.RowsAffected(1), nil
}

func (fastConn) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	return &minRows{}, nil
}

// connector is what sql.Open makes for a driver without DriverContext.
type connector struct {
	d   driver.Driver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.d }

type sqlImpl struct {
	name     string
	wrap     func(driver.Driver) driver.Driver
	timeline bool
}

var sqlImpls = []sqlImpl{
	{"unwrapped", func(d driver.Driver) driver.Driver { return d }, false},
	{"oops", func(d driver.Driver) driver.Driver { return sqltimeline.WrapDriver("db", d, nil) }, false},
	{"oops-timeline", func(d driver.Driver) driver.Driver { return sqltimeline.WrapDriver("db", d, nil) }, true},
	{"otelsql", func(d driver.Driver) driver.Driver {
		return otelsql.WrapDriver(d,
			otelsql.WithTracerProvider(tracenoop.NewTracerProvider()),
			otelsql.WithMeterProvider(metricnoop.NewMeterProvider()))
	}, false},
	{"instrumentedsql", func(d driver.Driver) driver.Driver { return instrumentedsql.WrapDriver(d) }, false},
	{"sqlmw", func(d driver.Driver) driver.Driver { return sqlmw.Driver(d, sqlmw.NullInterceptor{}) }, false},
}

type sqlTarget struct {
	name        string
	open        func(b *testing.B, wrap func(driver.Driver) driver.Driver) *sql.DB
	exec, query string
}

var sqlTargets = []sqlTarget{
	{"mem-minimal", func(b *testing.B, wrap func(driver.Driver) driver.Driver) *sql.DB {
		return sql.OpenDB(connector{d: wrap(minDriver{})})
	}, "UPDATE t SET name = ? WHERE id = ?", "SELECT id, name FROM t WHERE id = ?"},
	{"mem-fast", func(b *testing.B, wrap func(driver.Driver) driver.Driver) *sql.DB {
		return sql.OpenDB(connector{d: wrap(fastDriver{})})
	}, "UPDATE t SET name = ? WHERE id = ?", "SELECT id, name FROM t WHERE id = ?"},
	{"sqlite", func(b *testing.B, wrap func(driver.Driver) driver.Driver) *sql.DB {
		db := sql.OpenDB(connector{d: wrap(&sqlite.Driver{}), dsn: filepath.Join(b.TempDir(), "bench.db")})
		if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO t VALUES (1, 'a')`); err != nil {
			b.Fatal(err)
		}
		return db
	}, "UPDATE t SET name = ? WHERE id = ?", "SELECT id, name FROM t WHERE id = ?"},
}

// skipBroken skips the combinations a peer cannot run.
func skipBroken(b *testing.B, tg sqlTarget, im sqlImpl) {
	if tg.name == "mem-minimal" && im.name == "sqlmw" {
		b.Skip("sqlmw panics on a driver without Execer/Queryer: " +
			"interface conversion: bench.minConn is not driver.Execer")
	}
}

func sqlContext(withTimeline bool) context.Context {
	if !withTimeline {
		return context.Background()
	}
	return timeline.NewContext(context.Background(), timeline.New())
}

func BenchmarkSQLExec(b *testing.B) {
	for _, tg := range sqlTargets {
		for _, im := range sqlImpls {
			b.Run("db="+tg.name+"/impl="+im.name, func(b *testing.B) {
				skipBroken(b, tg, im)
				db := tg.open(b, im.wrap)
				defer db.Close()
				ctx := sqlContext(im.timeline)
				b.ReportAllocs()
				stopCPU := benchcpu.Start(b)
				for b.Loop() {
					if _, err := db.ExecContext(ctx, tg.exec, "a", 1); err != nil {
						b.Fatal(err)
					}
				}
				stopCPU()
			})
		}
	}
}

func BenchmarkSQLQuery(b *testing.B) {
	for _, tg := range sqlTargets {
		for _, im := range sqlImpls {
			b.Run("db="+tg.name+"/impl="+im.name, func(b *testing.B) {
				skipBroken(b, tg, im)
				db := tg.open(b, im.wrap)
				defer db.Close()
				ctx := sqlContext(im.timeline)
				var id int64
				var name string
				b.ReportAllocs()
				stopCPU := benchcpu.Start(b)
				for b.Loop() {
					rows, err := db.QueryContext(ctx, tg.query, 1)
					if err != nil {
						b.Fatal(err)
					}
					for rows.Next() {
						if err := rows.Scan(&id, &name); err != nil {
							b.Fatal(err)
						}
					}
					if err := rows.Close(); err != nil {
						b.Fatal(err)
					}
				}
				stopCPU()
			})
		}
	}
}
