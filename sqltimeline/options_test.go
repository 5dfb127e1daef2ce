package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArgsOffByDefault(t *testing.T) {
	db, _ := openMem(t, true, true, nil)
	ctx, tl := traced()
	_, err := db.ExecContext(ctx, "insert", "secret", 42)
	require.NoError(t, err)
	assert.Equal(t, []string{"SQL-mem: insert"}, details(tl))
}

type panicky struct{}

func (panicky) String() string { panic("no") }

func TestArgsRecordedRedactedAndCut(t *testing.T) {
	opts := &Options{
		Args:      true,
		MaxArgLen: 8,
		Redact: func(query string, arg driver.NamedValue) any {
			if arg.Name == "password" {
				return "<hidden>"
			}
			if arg.Ordinal == 7 {
				panic("redact bug")
			}
			return arg.Value
		},
	}
	db, _ := openMem(t, true, true, opts)
	ctx, tl := traced()
	when := time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC)
	_, err := db.ExecContext(ctx, "insert",
		int64(42), "héllo wörld", []byte{1, 2, 3, 4, 5, 6}, nil, when, 1.5, "x",
		sql.Named("password", "hunter2"), "\xff\xfe\n", true)
	require.NoError(t, err)
	want := `insert -- args: $1=42, $2="héllo w"…(13 bytes), $3=x'01020304'…(6 bytes), $4=NULL, ` +
		`$5=2026-11-21T23:00:00Z, $6=1.5, $7=<redact panicked>, @password="<hidden>", $9="\xff\xfe\n", $10=true`
	assert.Equal(t, []string{"SQL-mem: " + want}, details(tl))

	// Values the converter lets through as they are (the full driver's
	// checker passes []string) are formatted with fmt, safely.
	_, err = db.ExecContext(ctx, "arr", []string{"a", "b"})
	require.NoError(t, err)
	assert.Equal(t, `arr -- args: $1=[a b]`, tl.Entries()[1].Detail)

	// A value whose String method panics gives a placeholder.
	d := newConfig("x", &Options{Args: true}).withArgs("q", []driver.NamedValue{{Ordinal: 1, Value: panicky{}}})
	assert.Contains(t, d, "PANIC")
}

func TestArgsManyAreBounded(t *testing.T) {
	c := newConfig("x", &Options{Args: true})
	args := make([]driver.NamedValue, 100)
	for i := range args {
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: int64(i)}
	}
	d := c.withArgs("q", args)
	assert.True(t, strings.HasSuffix(d, "$32=31, … (68 more)"), d)
	huge := strings.Repeat("é", 1<<20)
	d = c.withArgs("q", []driver.NamedValue{{Ordinal: 1, Value: huge}})
	assert.Less(t, len(d), 200)
	assert.Contains(t, d, fmt.Sprintf("(%d bytes)", len(huge)))
}

func TestCategoryAndFilter(t *testing.T) {
	opts := &Options{
		Category: "SQL-main",
		Filter: func(_ context.Context, q string) bool {
			return !strings.HasPrefix(q, "ping")
		},
	}
	db, _ := openMem(t, true, true, opts)
	ctx, tl := traced()
	for _, q := range []string{"insert", "ping me", "update"} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"SQL-main: insert", "SQL-main: update"}, details(tl))
}

// TestConcurrentStatements: one timeline shared by parallel statements on
// many connections (run with -race).
func TestConcurrentStatements(t *testing.T) {
	db := openSQLite(t, true, nil)
	ctx, tl := traced()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				var n int
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	es := tl.Entries()
	assert.Len(t, es, 80)
	for _, e := range es {
		assert.False(t, e.Unfinished)
		assert.NoError(t, e.Err)
	}
}
