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
	"github.com/qustavo/sqlhooks/v2"
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
//
// With impl=oops-recording, every sqlRequestStatements statements are a
// request with a fresh timeline in its context, as in a service; the
// timeline's creation is thus part of the per-statement figure.

// minDriver implements only the required driver interfaces for Exec and
// Query: database/sql prepares, runs and closes a statement for every Exec
// and Query. Its conns have ConnBeginTx, which the benchmarks never use,
// because sqlhooks refuses to wrap a conn without it.
type minDriver struct{}

func (minDriver) Open(string) (driver.Conn, error) { return minConn{}, nil }

type minConn struct{}

func (minConn) Prepare(query string) (driver.Stmt, error) { return &minStmt{}, nil }
func (minConn) Close() error                              { return nil }
func (minConn) Begin() (driver.Tx, error)                 { return minTx{}, nil }

func (minConn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) { return minTx{}, nil }

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
	timeline bool // a fresh timeline per request (see sqlRequest)
}

// noopHooks is the sqlhooks hook that does nothing: sqlhooks' own cost.
type noopHooks struct{}

func (noopHooks) Before(ctx context.Context, _ string, _ ...any) (context.Context, error) {
	return ctx, nil
}

func (noopHooks) After(ctx context.Context, _ string, _ ...any) (context.Context, error) {
	return ctx, nil
}

var sqlImpls = []sqlImpl{
	{"unwrapped", func(d driver.Driver) driver.Driver { return d }, false},
	{"oops", func(d driver.Driver) driver.Driver { return sqltimeline.WrapDriver("db", d, nil) }, false},
	{"oops-recording", func(d driver.Driver) driver.Driver { return sqltimeline.WrapDriver("db", d, nil) }, true},
	{"otelsql", func(d driver.Driver) driver.Driver {
		return otelsql.WrapDriver(d,
			otelsql.WithTracerProvider(tracenoop.NewTracerProvider()),
			otelsql.WithMeterProvider(metricnoop.NewMeterProvider()))
	}, false},
	{"instrumentedsql", func(d driver.Driver) driver.Driver { return instrumentedsql.WrapDriver(d) }, false},
	{"sqlmw", func(d driver.Driver) driver.Driver { return sqlmw.Driver(d, sqlmw.NullInterceptor{}) }, false},
	{"sqlhooks", func(d driver.Driver) driver.Driver { return sqlhooks.Wrap(d, noopHooks{}) }, false},
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

// sqlRequestStatements is how many statements a request of
// impl=oops-recording runs in one timeline.
const sqlRequestStatements = 10

// sqlRequest gives the context of each statement: for an impl with a
// timeline, every sqlRequestStatements statements begin a request with a
// fresh timeline, else always the background context.
type sqlRequest struct {
	timeline bool
	ctx      context.Context
	n        int
}

func (r *sqlRequest) next() context.Context {
	if !r.timeline {
		return context.Background()
	}
	if r.n == 0 {
		r.ctx, r.n = timeline.NewContext(context.Background(), timeline.New()), sqlRequestStatements
	}
	r.n--
	return r.ctx
}

func BenchmarkSQLExec(b *testing.B) {
	for _, tg := range sqlTargets {
		for _, im := range sqlImpls {
			b.Run("db="+tg.name+"/impl="+im.name, func(b *testing.B) {
				skipBroken(b, tg, im)
				db := tg.open(b, im.wrap)
				defer db.Close()
				req := sqlRequest{timeline: im.timeline}
				b.ReportAllocs()
				stopCPU := benchcpu.Start(b)
				for b.Loop() {
					if _, err := db.ExecContext(req.next(), tg.exec, "a", 1); err != nil {
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
				req := sqlRequest{timeline: im.timeline}
				var id int64
				var name string
				b.ReportAllocs()
				stopCPU := benchcpu.Start(b)
				for b.Loop() {
					rows, err := db.QueryContext(req.next(), tg.query, 1)
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
