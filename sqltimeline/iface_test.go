package sqltimeline

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
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
