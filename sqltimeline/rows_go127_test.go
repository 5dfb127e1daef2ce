//go:build go1.27

package sqltimeline

import (
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/timeline"
)

// TestPostgresColumnScannerThroughWrapper: pgx's rows implement Go 1.27's
// RowsColumnScanner, so do the wrapped ones, and database/sql uses it
// through the wrapper: a text[] scans straight into a []string (which only
// ScanColumn can do), and an error met by NextRow is the statement's.
func TestPostgresColumnScannerThroughWrapper(t *testing.T) {
	plain := openPostgres(t, false)
	wrapped := openPostgres(t, true)
	ctx, tl := traced()

	for _, db := range []struct {
		name string
		wrap bool
	}{{"plain", false}, {"wrapped", true}} {
		c := plain
		if db.wrap {
			c = wrapped
		}
		conn, err := c.Conn(ctx)
		require.NoError(t, err)
		require.NoError(t, conn.Raw(func(dc any) error {
			rows, err := dc.(driver.QueryerContext).QueryContext(ctx, "SELECT 1", nil)
			require.NoError(t, err)
			_, ok := rows.(driver.RowsColumnScanner)
			assert.True(t, ok, "%s rows implement RowsColumnScanner", db.name)
			return rows.Close()
		}))
		require.NoError(t, conn.Close())
	}

	var names []string
	require.NoError(t, wrapped.QueryRowContext(ctx, `SELECT array['John', 'Jane']::text[]`).Scan(&names))
	assert.Equal(t, []string{"John", "Jane"}, names)

	rows, err := wrapped.QueryContext(ctx, `SELECT 10 / (3 - i) FROM generate_series(1, 5) AS i`)
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		n++
	}
	require.Error(t, rows.Err())
	assert.ErrorContains(t, rows.Err(), "division by zero")
	require.NoError(t, rows.Close())
	assert.Less(t, n, 5)

	entries := tl.Entries()
	require.Len(t, entries, 3)
	assert.NoError(t, entries[1].Err, "the array query")
	assert.Equal(t, `SELECT 10 / (3 - i) FROM generate_series(1, 5) AS i`, entries[2].Detail)
	assert.ErrorContains(t, entries[2].Err, "division by zero", "NextRow's error is the statement's")
}

// TestNextRowErrorRecorded: a failing NextRow is the statement's error, as
// a failing Next is, and ScanColumn's answers are the driver's.
func TestNextRowErrorRecorded(t *testing.T) {
	tl := timeline.New()
	w := newRows(&countingScanRows{failAt: 3}, tl.Start("SQL", "SELECT x"))
	sc, ok := w.(driver.RowsColumnScanner)
	require.True(t, ok)
	for want := int64(1); want <= 2; want++ {
		require.NoError(t, sc.NextRow())
		var dest int64
		require.NoError(t, sc.ScanColumn(driver.ScanContext{}, 0, &dest))
		assert.Equal(t, want, dest)
	}
	assert.ErrorIs(t, sc.NextRow(), errNextRow)
	assert.ErrorIs(t, sc.ScanColumn(driver.ScanContext{}, 0, new(string)), errScanColumn)
	require.NoError(t, w.Close())
	assert.Equal(t, []string{"SQL: SELECT x !next row failed"}, details(tl),
		"ScanColumn's error is the caller's conversion failure, not the statement's")
}

var (
	errNextRow    = errors.New("next row failed")
	errScanColumn = errors.New("cannot scan into that")
)

// countingScanRows yields rows 1, 2, ... in one column through
// RowsColumnScanner, and fails at row failAt.
type countingScanRows struct {
	plainRows
	row, failAt int64
}

func (r *countingScanRows) NextRow() error {
	r.row++
	if r.row == r.failAt {
		return errNextRow
	}
	return nil
}

func (r *countingScanRows) ScanColumn(_ driver.ScanContext, _ int, dest any) error {
	p, ok := dest.(*int64)
	if !ok {
		return errScanColumn
	}
	*p = r.row
	return nil
}
