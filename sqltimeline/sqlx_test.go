package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"
)

type person struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// sqliteConnector is the connector database/sql makes for drivers without
// DriverContext, such as modernc.org/sqlite.
type sqliteConnector struct{ dsn string }

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	return (&sqlite.Driver{}).Open(c.dsn)
}
func (c sqliteConnector) Driver() driver.Driver { return &sqlite.Driver{} }

// exerciseSqlx runs Get, Select, NamedExec, In + Rebind and a transaction
// and checks what the timeline holds.
func exerciseSqlx(t *testing.T, x *sqlx.DB, category, createTable string) {
	ctx, tl := traced()
	_, err := x.ExecContext(ctx, createTable)
	require.NoError(t, err)
	_, err = x.NamedExecContext(ctx, `INSERT INTO people (name) VALUES (:name)`, []person{{Name: "ann"}, {Name: "bob"}})
	require.NoError(t, err)

	var p person
	require.NoError(t, x.GetContext(ctx, &p, x.Rebind(`SELECT id, name FROM people WHERE name = ?`), "bob"))
	assert.Equal(t, "bob", p.Name)

	var all []person
	require.NoError(t, x.SelectContext(ctx, &all, `SELECT id, name FROM people ORDER BY id`))
	assert.Equal(t, []string{"ann", "bob"}, []string{all[0].Name, all[1].Name})

	q, args, err := sqlx.In(`SELECT id, name FROM people WHERE name IN (?) ORDER BY id`, []string{"ann", "bob", "cy"})
	require.NoError(t, err)
	q = x.Rebind(q)
	var some []person
	require.NoError(t, x.SelectContext(ctx, &some, q, args...))
	assert.Len(t, some, 2)

	tx, err := x.BeginTxx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.NamedExecContext(ctx, `INSERT INTO people (name) VALUES (:name)`, person{Name: "cy"})
	require.NoError(t, err)
	var n int
	require.NoError(t, tx.GetContext(ctx, &n, `SELECT count(*) FROM people`))
	assert.Equal(t, 3, n)
	require.NoError(t, tx.Commit())

	named, getQ := `INSERT INTO people (name) VALUES (?),(?)`, `SELECT id, name FROM people WHERE name = ?`
	namedOne := `INSERT INTO people (name) VALUES (?)`
	if x.DriverName() == "pgx" {
		named, getQ = `INSERT INTO people (name) VALUES ($1),($2)`, `SELECT id, name FROM people WHERE name = $1`
		namedOne = `INSERT INTO people (name) VALUES ($1)`
	}
	c := category + ": "
	assert.Equal(t, []string{
		c + createTable,
		c + named,
		c + getQ,
		c + `SELECT id, name FROM people ORDER BY id`,
		c + q,
		c + "BEGIN", c + namedOne, c + `SELECT count(*) FROM people`, c + "COMMIT",
	}, details(tl))
}

func TestSqlxSQLite(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "x.db")
	db := sql.OpenDB(WrapConnector("sqlite", sqliteConnector{dsn}, nil))
	defer db.Close()
	exerciseSqlx(t, sqlx.NewDb(db, "sqlite"), "SQL-sqlite",
		`CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`)
}

func TestSqlxPostgres(t *testing.T) {
	cfg, err := pgx.ParseConfig(postgresDSN(t))
	require.NoError(t, err)
	db := sql.OpenDB(WrapConnector("pgx", stdlib.GetConnector(*cfg), nil))
	defer db.Close()
	db.SetMaxOpenConns(1) // the temporary table lives on one connection
	exerciseSqlx(t, sqlx.NewDb(db, "pgx"), "SQL-pgx",
		`CREATE TEMP TABLE people (id bigserial PRIMARY KEY, name text NOT NULL)`)
}

// TestSqlxNeedsRealDriverName shows why sqlx must be given the wrapped
// driver's real name: it picks the placeholder style by name, and a name it
// does not know leaves "?" in place, which PostgreSQL rejects.
func TestSqlxNeedsRealDriverName(t *testing.T) {
	assert.Equal(t, sqlx.DOLLAR, sqlx.BindType("pgx"))
	assert.Equal(t, sqlx.UNKNOWN, sqlx.BindType("pgx-timeline"))
	assert.Equal(t, `SELECT $1`, sqlx.NewDb(&sql.DB{}, "pgx").Rebind(`SELECT ?`))
	assert.Equal(t, `SELECT ?`, sqlx.NewDb(&sql.DB{}, "pgx-timeline").Rebind(`SELECT ?`))

	db, err := Open("pgx", postgresDSN(t), nil)
	require.NoError(t, err)
	defer db.Close()
	var s string
	err = sqlx.NewDb(db, "pgx-timeline").Get(&s, sqlx.NewDb(db, "pgx-timeline").Rebind(`SELECT ?::text`), "x")
	require.Error(t, err)
	require.NoError(t, sqlx.NewDb(db, "pgx").Get(&s, sqlx.NewDb(db, "pgx").Rebind(`SELECT ?::text`), "x"))
	assert.Equal(t, "x", s)
}
