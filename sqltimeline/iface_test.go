package sqltimeline

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsEOF(t *testing.T) {
	assert.True(t, isEOF(io.EOF))
	assert.False(t, isEOF(nil))
	assert.False(t, isEOF(errors.New("EOF")), "another error with the same text")
	assert.False(t, isEOF(io.ErrUnexpectedEOF))
	assert.False(t, isEOF(fmt.Errorf("wrapped: %w", io.EOF)), "database/sql compares with ==, not errors.Is")
}

func TestTypeWords(t *testing.T) {
	var a, b driver.Rows = &memRows{}, &memRows{n: 1}
	var c driver.Rows = &memFullRows{&memRows{}}
	assert.Equal(t, rowsTypeOf(a), rowsTypeOf(b), "same dynamic type")
	assert.NotEqual(t, rowsTypeOf(a), rowsTypeOf(c), "different dynamic types")
	assert.Nil(t, rowsTypeOf(nil))

	var s1, s2 driver.Stmt = &memStmt{}, &memStmt{query: "x"}
	var s3 driver.Stmt = &memFullStmt{&memStmt{}}
	assert.Equal(t, stmtTypeOf(s1), stmtTypeOf(s2))
	assert.NotEqual(t, stmtTypeOf(s1), stmtTypeOf(s3))
}

// A statement prepared with a context that can never be done skips checking
// that context again when it runs with it, but still checks any other.
func TestPreparedNeverDoneContextChecksOthers(t *testing.T) {
	c, err := WrapDriver("mem", &memDriver{}, nil).Open("")
	require.NoError(t, err)
	defer c.Close()
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	canceledCtx, cancel := context.WithCancel(ctx)
	cancel()

	for _, run := range []struct {
		name string
		do   func(s driver.Stmt, ctx context.Context) error
	}{
		{"exec", func(s driver.Stmt, ctx context.Context) error {
			_, err := s.(driver.StmtExecContext).ExecContext(ctx, nil)
			return err
		}},
		{"query", func(s driver.Stmt, ctx context.Context) error {
			r, err := s.(driver.StmtQueryContext).QueryContext(ctx, nil)
			if err == nil {
				err = r.Close()
			}
			return err
		}},
	} {
		s, err := c.(driver.ConnPrepareContext).PrepareContext(ctx, "rows 1")
		require.NoError(t, err)
		assert.NoError(t, run.do(s, ctx), run.name)
		assert.ErrorIs(t, run.do(s, canceledCtx), context.Canceled, run.name)
		require.NoError(t, s.Close())
	}
	var errs int
	for _, e := range tl.Entries() {
		if e.Err != nil {
			errs++
		}
	}
	assert.Equal(t, 2, errs, "the canceled runs are recorded with their error")
}

func TestSameString(t *testing.T) {
	s := "select 1 from t"
	assert.True(t, sameString(s, s))
	assert.False(t, sameString(s, s[:8]), "a prefix at the same place")
	assert.False(t, sameString(s, string([]byte(s))), "equal bytes elsewhere count as another string")
	assert.True(t, sameString("", ""))
}
