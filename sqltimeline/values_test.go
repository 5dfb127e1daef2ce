//lint:file-ignore SA1019 a driver without NamedValueChecker may still give its statements a ColumnConverter, which database/sql uses.

package sqltimeline

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/timeline"
)

// keepingConn is a minimal driver connection (no ExecerContext,
// QueryerContext or ConnPrepareContext) whose statements keep every
// argument slice they are given (kept), as a driver may until the statement
// closes, and a copy of it (got). "badprep ..." fails to prepare; "conv ..."
// prepares a statement of another type, with a ColumnConverter.
type keepingConn struct{ got, kept [][]driver.Value }

func (c *keepingConn) keep(args []driver.Value) {
	c.got = append(c.got, append([]driver.Value(nil), args...))
	c.kept = append(c.kept, args)
}

func (c *keepingConn) Prepare(query string) (driver.Stmt, error) {
	switch {
	case strings.HasPrefix(query, "badprep"):
		return nil, errBoom
	case strings.HasPrefix(query, "conv"):
		return &keepingConvStmt{keepingStmt{c}}, nil
	}
	return &keepingStmt{c}, nil
}

func (c *keepingConn) Close() error              { return nil }
func (c *keepingConn) Begin() (driver.Tx, error) { return memTx{}, nil }

type keepingStmt struct{ c *keepingConn }

func (s *keepingStmt) Close() error  { return nil }
func (s *keepingStmt) NumInput() int { return -1 }

func (s *keepingStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.c.keep(args)
	return driver.RowsAffected(len(args)), nil
}

func (s *keepingStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.c.keep(args)
	return &memRows{n: 1, sets: 1}, nil
}

type keepingConvStmt struct{ keepingStmt }

func (*keepingConvStmt) ColumnConverter(int) driver.ValueConverter {
	return driver.DefaultParameterConverter
}

func namedArgs(vs ...any) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(vs))
	for i, v := range vs {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}

// TestStmtValues: on a driver without ExecerContext or QueryerContext, the
// wrapper hands a statement's first run the argument values from room of
// its own, prepares again on its spare, and still gives the driver what
// database/sql would: the same values, a slice of its own for each run of
// a statement kept open, database/sql's error for named arguments, and no
// argument kept alive once the statement is closed. Every run is recorded
// as before, failed prepares and statements of another type included.
func TestStmtValues(t *testing.T) {
	for _, withTimeline := range []bool{false, true} {
		t.Run(map[bool]string{false: "no-timeline", true: "timeline"}[withTimeline], func(t *testing.T) {
			ctx, tl := context.Background(), (*timeline.Timeline)(nil)
			if withTimeline {
				ctx, tl = traced()
			}
			kc := &keepingConn{}
			w := newConn(kc, newConfig("mem", nil))
			c := w.(*conn)
			prepare := func(query string) driver.Stmt {
				t.Helper()
				s, err := fallbackPrepare(ctx, w, query)
				require.NoError(t, err)
				return s
			}

			// A statement kept open, run twice: each run has its slice.
			s := prepare("update kept")
			_, err := fallbackExec(ctx, s, namedArgs("a", int64(1)))
			require.NoError(t, err)
			_, err = fallbackExec(ctx, s, namedArgs("b", int64(2)))
			require.NoError(t, err)
			require.Len(t, kc.got, 2)
			assert.Equal(t, []driver.Value{"a", int64(1)}, kc.got[0])
			assert.Equal(t, []driver.Value{"b", int64(2)}, kc.got[1])
			assert.Equal(t, kc.got[0], kc.kept[0], "a second run leaves the first one's values")
			assert.Equal(t, kc.got[1], kc.kept[1])
			require.NoError(t, s.Close())
			assert.Equal(t, [stmtVals]driver.Value{}, c.spare.vals, "a closed statement keeps no argument")

			// Prepared again on the spare: more values than its room, a
			// query, named arguments.
			s2 := prepare("update many")
			assert.Same(t, s, s2, "the spare is prepared again")
			_, err = fallbackExec(ctx, s2, namedArgs(int64(1), int64(2), int64(3), int64(4), int64(5)))
			require.NoError(t, err)
			assert.Equal(t, []driver.Value{int64(1), int64(2), int64(3), int64(4), int64(5)}, kc.got[2])
			require.NoError(t, s2.Close())

			s = prepare("rows 1")
			rows, err := fallbackQuery(ctx, s, namedArgs([]byte("x")))
			require.NoError(t, err)
			assert.Equal(t, []driver.Value{[]byte("x")}, kc.got[3])
			require.NoError(t, rows.Close())
			require.NoError(t, s.Close())
			assert.Equal(t, [stmtVals]driver.Value{}, c.spare.vals)

			s = prepare("update named")
			_, err = fallbackExec(ctx, s, []driver.NamedValue{{Ordinal: 1, Value: "v"}, {Name: "n", Ordinal: 2, Value: "w"}})
			assert.EqualError(t, err, "sql: driver does not support the use of Named Parameters")
			require.NoError(t, s.Close())
			assert.Equal(t, [stmtVals]driver.Value{}, c.spare.vals)
			assert.Len(t, kc.got, 4, "a refused run reaches no driver")

			// A failed prepare, then a statement of another type, then
			// the first type again.
			_, err = fallbackPrepare(ctx, w, "badprep now")
			assert.ErrorIs(t, err, errBoom)
			s = prepare("conv it")
			_, ok := s.(driver.ColumnConverter)
			assert.True(t, ok, "a statement of another type gets its own wrapper")
			_, err = fallbackExec(ctx, s, namedArgs("c"))
			require.NoError(t, err)
			require.NoError(t, s.Close())
			s = prepare("update last")
			_, ok = s.(driver.ColumnConverter)
			assert.False(t, ok)
			_, err = fallbackExec(ctx, s, namedArgs("d"))
			require.NoError(t, err)
			require.NoError(t, s.Close())
			require.Len(t, kc.got, 6)
			assert.Equal(t, []driver.Value{"c"}, kc.got[4])
			assert.Equal(t, []driver.Value{"d"}, kc.got[5])

			if !withTimeline {
				return
			}
			assert.Equal(t, []string{
				"SQL-mem: update kept",
				"SQL-mem: update kept",
				"SQL-mem: update many",
				"SQL-mem: rows 1",
				"SQL-mem: update named !sql: driver does not support the use of Named Parameters",
				"SQL-mem: badprep now !boom",
				"SQL-mem: conv it",
				"SQL-mem: update last",
			}, details(tl))
			for _, e := range tl.Entries() {
				assert.False(t, e.Unfinished, e.Detail)
			}
		})
	}
}
