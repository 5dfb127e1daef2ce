package pgxtimeline

import (
	"database/sql/driver"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
)

// TestNamedValues needs no server: pgx's query options are left out,
// positional arguments are numbered among themselves, named ones sorted.
func TestNamedValues(t *testing.T) {
	got := namedValues([]any{pgx.QueryExecModeExec, 1, "a", pgx.QueryResultFormats{1}})
	assert.Equal(t, []driver.NamedValue{{Ordinal: 1, Value: 1}, {Ordinal: 2, Value: "a"}}, got)
	got = namedValues([]any{pgx.StrictNamedArgs{"b": 2, "a": 1}})
	assert.Equal(t, []driver.NamedValue{{Name: "a", Ordinal: 1, Value: 1}, {Name: "b", Ordinal: 2, Value: 2}}, got)
	assert.Empty(t, namedValues(nil))
}

func TestCopyAndConnectDetail(t *testing.T) {
	assert.Equal(t, `COPY "s"."t" ("a", "b""c") FROM STDIN`, copyDetail(pgx.Identifier{"s", "t"}, []string{"a", `b"c`}))
	assert.Equal(t, "[::1]:5432", hostPort("::1", 5432))
	assert.Equal(t, "/run/postgresql:5432", hostPort("/run/postgresql", 5432))
}
