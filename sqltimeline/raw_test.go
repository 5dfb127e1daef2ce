package sqltimeline

import (
	"context"
	"database/sql/driver"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRawConnSQLite: sql.Conn.Raw through the wrapper reaches the driver's
// own connection, through wrappers of wrappers too.
func TestRawConnSQLite(t *testing.T) {
	db := openSQLite(t, true, nil)
	c, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Raw(func(dc any) error {
		_, isOurs := dc.(interface{ Raw() driver.Conn })
		assert.True(t, isOurs, "sql.Conn.Raw gives the wrapper")
		raw := RawConn(dc)
		assert.Equal(t, "*sqlite.conn", fmt.Sprintf("%T", raw))
		assert.Same(t, raw, dc.(interface{ Raw() driver.Conn }).Raw())
		assert.Equal(t, raw, RawConn(raw), "a driver's own connection is returned as it is")
		return nil
	}))
	twice := newConn(newConn(&memConn{d: &memDriver{}}, newConfig("a", nil)), newConfig("b", nil))
	assert.IsType(t, &memConn{}, RawConn(twice))
}

// TestRawConnPgxCopyFrom: pgx users reach CopyFrom through the wrapper.
func TestRawConnPgxCopyFrom(t *testing.T) {
	db := openPostgres(t, true)
	ctx, tl := traced()
	c, err := db.Conn(ctx)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.ExecContext(ctx, `CREATE TEMP TABLE copied (id bigint, name text)`)
	require.NoError(t, err)
	var n int64
	require.NoError(t, c.Raw(func(dc any) error {
		pc := RawConn(dc).(*stdlib.Conn).Conn()
		var err error
		n, err = pc.CopyFrom(ctx, pgx.Identifier{"copied"}, []string{"id", "name"},
			pgx.CopyFromRows([][]any{{int64(1), "a"}, {int64(2), "b"}}))
		return err
	}))
	assert.Equal(t, int64(2), n)
	var count int
	require.NoError(t, c.QueryRowContext(ctx, `SELECT count(*) FROM copied`).Scan(&count))
	assert.Equal(t, 2, count)
	assert.Equal(t, []string{"SQL-pgx: CREATE TEMP TABLE copied (id bigint, name text)", "SQL-pgx: SELECT count(*) FROM copied"}, details(tl),
		"what runs on the raw connection is not recorded")
}
