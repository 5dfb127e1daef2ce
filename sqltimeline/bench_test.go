package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"

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
				cpu := sqlCPUTime(b)
				for b.Loop() {
					if _, err := db.ExecContext(ctx, tg.exec, "a", 1); err != nil {
						b.Fatal(err)
					}
				}
				reportSQLCPU(b, cpu)
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
				cpu := sqlCPUTime(b)
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
				reportSQLCPU(b, cpu)
			})
		}
	}
}

// BenchmarkArgs is the cost of recording arguments (opt-in).
func BenchmarkArgs(b *testing.B) {
	db, _ := openMem(b, true, true, &Options{Args: true})
	ctx := benchContext(true)
	b.ReportAllocs()
	cpu := sqlCPUTime(b)
	for b.Loop() {
		if _, err := db.ExecContext(ctx, "update", "ann", int64(42)); err != nil {
			b.Fatal(err)
		}
	}
	reportSQLCPU(b, cpu)
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
			cpu := sqlCPUTime(b)
			for b.Loop() {
				if _, err := c.ExecContext(ctx, "update", args); err != nil {
					b.Fatal(err)
				}
			}
			reportSQLCPU(b, cpu)
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
			cpu := sqlCPUTime(b)
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
			reportSQLCPU(b, cpu)
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
	cpu := sqlCPUTime(b)
	for b.Loop() {
		tl.Start("SQL-mem", "update").FinishErr(nil)
	}
	reportSQLCPU(b, cpu)
}
