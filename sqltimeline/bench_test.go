package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/timeline"
)

// benchTargets are the databases the benchmarks run on: the in-memory
// driver in its minimal form (database/sql takes its fallbacks) and its full
// form (fast paths), so the wrapper's own cost shows, and SQLite.
var benchTargets = []struct {
	name        string
	open        func(b *testing.B, wrap bool) *sql.DB
	exec, query string
}{
	{"mem-minimal", func(b *testing.B, wrap bool) *sql.DB { db, _ := openMem(b, false, wrap, nil); return db },
		"update", "rows 1"},
	{"mem-full", func(b *testing.B, wrap bool) *sql.DB { db, _ := openMem(b, true, wrap, nil); return db },
		"update", "rows 1"},
	{"sqlite", func(b *testing.B, wrap bool) *sql.DB {
		db := openSQLite(b, wrap, nil)
		if _, err := db.Exec(`INSERT INTO t (id, name) VALUES (1, 'a')`); err != nil {
			b.Fatal(err)
		}
		return db
	}, "UPDATE t SET name = ? WHERE id = ?", "SELECT id, name FROM t WHERE id = ?"},
}

// benchModes: the unwrapped driver, the wrapper without a timeline in ctx,
// and the wrapper recording into a timeline (no stacks, no arguments). The
// timeline is shared by all iterations; past its cap it reuses its ring, as
// a long request would.
var benchModes = []struct {
	name     string
	wrap     bool
	timeline bool
}{
	{"unwrapped", false, false},
	{"no-timeline", true, false},
	{"timeline", true, true},
}

func benchContext(withTimeline bool) context.Context {
	if !withTimeline {
		return context.Background()
	}
	return timeline.NewContext(context.Background(), timeline.New())
}

func BenchmarkExec(b *testing.B) {
	for _, tg := range benchTargets {
		for _, m := range benchModes {
			b.Run("db="+tg.name+"/impl="+m.name, func(b *testing.B) {
				db := tg.open(b, m.wrap)
				ctx := benchContext(m.timeline)
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

func BenchmarkQuery(b *testing.B) {
	for _, tg := range benchTargets {
		for _, m := range benchModes {
			b.Run("db="+tg.name+"/impl="+m.name, func(b *testing.B) {
				db := tg.open(b, m.wrap)
				ctx := benchContext(m.timeline)
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

// BenchmarkArgs is the cost of recording arguments (opt-in).
func BenchmarkArgs(b *testing.B) {
	db, _ := openMem(b, true, true, &Options{Args: true})
	ctx := benchContext(true)
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		if _, err := db.ExecContext(ctx, "update", "ann", int64(42)); err != nil {
			b.Fatal(err)
		}
	}
	stopCPU()
}

// BenchmarkConnExec and BenchmarkConnQuery call the driver connection
// directly, without database/sql, so that the wrapper's own cost is all that
// differs between impl=unwrapped and the others.
func BenchmarkConnExec(b *testing.B) {
	args := []driver.NamedValue{{Ordinal: 1, Value: "a"}, {Ordinal: 2, Value: int64(1)}}
	for _, m := range benchModes {
		b.Run("impl="+m.name, func(b *testing.B) {
			c := benchConn(b, m.wrap).(driver.ExecerContext)
			ctx := benchContext(m.timeline)
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				if _, err := c.ExecContext(ctx, "update", args); err != nil {
					b.Fatal(err)
				}
			}
			stopCPU()
		})
	}
}

func BenchmarkConnQuery(b *testing.B) {
	args := []driver.NamedValue{{Ordinal: 1, Value: int64(1)}}
	dest := make([]driver.Value, 2)
	for _, m := range benchModes {
		b.Run("impl="+m.name, func(b *testing.B) {
			c := benchConn(b, m.wrap).(driver.QueryerContext)
			ctx := benchContext(m.timeline)
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				rows, err := c.QueryContext(ctx, "rows 1", args)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next(dest) == nil {
				}
				if err := rows.Close(); err != nil {
					b.Fatal(err)
				}
			}
			stopCPU()
		})
	}
}

func benchConn(b *testing.B, wrap bool) driver.Conn {
	var d driver.Driver = &memDriver{full: true}
	if wrap {
		d = WrapDriver("mem", d, nil)
	}
	c, err := d.Open("")
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkTimelineStartFinish is the timeline's own cost per entry, for
// reference: impl=timeline of BenchmarkConnExec minus this is the wrapper's.
func BenchmarkTimelineStartFinish(b *testing.B) {
	tl := timeline.New()
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		tl.Start("SQL-mem", "update").FinishErr(nil)
	}
	stopCPU()
}

// BenchmarkConnPrepareExec and BenchmarkConnPrepareQuery run a statement on a
// minimal driver connection the way database/sql does when the driver has no
// ExecerContext or QueryerContext: prepare, run, close. Without database/sql
// around it, the wrapper's own cost on that fallback path is all that differs
// between impl=unwrapped and the others.
func BenchmarkConnPrepareExec(b *testing.B) {
	args := []driver.NamedValue{{Ordinal: 1, Value: "a"}, {Ordinal: 2, Value: int64(1)}}
	for _, m := range benchModes {
		b.Run("impl="+m.name, func(b *testing.B) {
			c := benchMinimalConn(b, m.wrap)
			ctx := benchContext(m.timeline)
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				s, err := fallbackPrepare(ctx, c, "update")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := fallbackExec(ctx, s, args); err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			stopCPU()
		})
	}
}

func BenchmarkConnPrepareQuery(b *testing.B) {
	args := []driver.NamedValue{{Ordinal: 1, Value: int64(1)}}
	dest := make([]driver.Value, 2)
	for _, m := range benchModes {
		b.Run("impl="+m.name, func(b *testing.B) {
			c := benchMinimalConn(b, m.wrap)
			ctx := benchContext(m.timeline)
			b.ReportAllocs()
			stopCPU := benchcpu.Start(b)
			for b.Loop() {
				s, err := fallbackPrepare(ctx, c, "rows 1")
				if err != nil {
					b.Fatal(err)
				}
				rows, err := fallbackQuery(ctx, s, args)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next(dest) == nil {
				}
				if err := rows.Close(); err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			stopCPU()
		})
	}
}

func benchMinimalConn(b *testing.B, wrap bool) driver.Conn {
	var d driver.Driver = &memDriver{}
	if wrap {
		d = WrapDriver("mem", d, nil)
	}
	c, err := d.Open("")
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// fallbackPrepare, fallbackExec and fallbackQuery do what database/sql's
// ctxDriverPrepare, ctxDriverStmtExec and ctxDriverStmtQuery do.
func fallbackPrepare(ctx context.Context, c driver.Conn, query string) (driver.Stmt, error) {
	if pc, ok := c.(driver.ConnPrepareContext); ok {
		return pc.PrepareContext(ctx, query)
	}
	s, err := c.Prepare(query)
	if err == nil {
		select {
		default:
		case <-ctx.Done():
			s.Close()
			return nil, ctx.Err()
		}
	}
	return s, err
}

func fallbackValues(args []driver.NamedValue) []driver.Value {
	v := make([]driver.Value, len(args))
	for i, a := range args {
		v[i] = a.Value
	}
	return v
}

func fallbackExec(ctx context.Context, s driver.Stmt, args []driver.NamedValue) (driver.Result, error) {
	if se, ok := s.(driver.StmtExecContext); ok {
		return se.ExecContext(ctx, args)
	}
	v := fallbackValues(args)
	select {
	default:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	//lint:ignore SA1019 database/sql calls the context-free form on such drivers.
	return s.Exec(v)
}

func fallbackQuery(ctx context.Context, s driver.Stmt, args []driver.NamedValue) (driver.Rows, error) {
	if sq, ok := s.(driver.StmtQueryContext); ok {
		return sq.QueryContext(ctx, args)
	}
	v := fallbackValues(args)
	select {
	default:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	//lint:ignore SA1019 database/sql calls the context-free form on such drivers.
	return s.Query(v)
}
