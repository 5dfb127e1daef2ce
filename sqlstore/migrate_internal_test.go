package sqlstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMigrationsAreNumberedAlike(t *testing.T) {
	for _, d := range []Dialect{SQLite, PostgreSQL} {
		ms, err := migrations(d)
		require.NoError(t, err)
		require.Len(t, ms, SchemaVersion, d)
		for i, m := range ms {
			assert.Equal(t, i+1, m.version, "%s: %s", d, m.name)
			assert.NotEmpty(t, statements(m.sql), m.name)
		}
	}
	sq, _ := migrations(SQLite)
	pg, _ := migrations(PostgreSQL)
	for i := range sq {
		assert.Equal(t, sq[i].name, pg[i].name, "the dialects migrate in the same steps")
		assert.Equal(t, len(statements(sq[i].sql)), len(statements(pg[i].sql)), sq[i].name)
	}
}

func TestStatements(t *testing.T) {
	got := statements("-- a comment\nCREATE TABLE a (\n\tx INT\n);\n\nCREATE INDEX i ON a (x);\n")
	assert.Equal(t, []string{"CREATE TABLE a (\n\tx INT\n)", "CREATE INDEX i ON a (x)"}, got)
}

func TestRebind(t *testing.T) {
	pg := &Store{dialect: PostgreSQL}
	assert.Equal(t, "a = $1 AND b = $2", pg.rebind("a = ? AND b = ?"))
	lite := &Store{dialect: SQLite}
	assert.Equal(t, "a = ?", lite.rebind("a = ?"))
}
