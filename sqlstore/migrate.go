package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// A migration is one embedded SQL file, named NNNN_what.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order. Their
// versions are 1, 2, … without gaps (a test checks it).
func migrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: no migrations for %s: %w", d, err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// SchemaVersion is the schema version this package migrates databases to.
// The version a database is at is in its table oops_schema_version (one row
// per migration applied, with its time): SELECT max(version) FROM
// oops_schema_version.
const SchemaVersion = 2

// advisoryLockKey is the PostgreSQL advisory lock that serialises
// migrations: "oopssql" in ASCII.
const advisoryLockKey = 0x6f6f707373716c

const createVersionTable = `CREATE TABLE IF NOT EXISTS oops_schema_version (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_ns BIGINT  NOT NULL
)`

// migrate brings the database to SchemaVersion inside one transaction that
// holds the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
// transaction-scoped advisory lock), so that processes opening the same
// database at once apply each migration once, and a failed migration leaves
// the database as it was.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations(s.dialect)
	if err != nil {
		return err
	}
	// Waiting for the database is bounded; migrating, once it is locked,
	// only by ctx: counting a large database's reports into new tables
	// takes what it takes.
	wait, cancel := context.WithTimeout(ctx, s.opts.WriteTimeout+s.opts.BusyTimeout)
	defer cancel()
	// Connecting runs the dsn's pragmas; turning a new SQLite file to WAL
	// finds it busy while another process does the same.
	var conn *sql.Conn
	err = retryBusy(wait, func() (err error) {
		conn, err = s.db.Conn(wait)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlstore: connecting: %w", err)
	}
	defer conn.Close()
	return retryBusy(wait, func() error { return s.migrateOn(wait, ctx, conn, ms) })
}

// migrateOn locks the database within wait and migrates it within ctx.
func (s *Store) migrateOn(wait, ctx context.Context, conn *sql.Conn, ms []migration) (err error) {
	begin, lock := "BEGIN IMMEDIATE", ""
	if s.dialect == PostgreSQL {
		begin, lock = "BEGIN", fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", advisoryLockKey)
	}
	if _, err := conn.ExecContext(wait, begin); err != nil {
		return fmt.Errorf("sqlstore: locking the database to migrate it: %w", err)
	}
	defer func() {
		if err != nil {
			// A background context: the transaction must end even when
			// ctx is why it failed, or the connection goes back to the
			// pool inside it.
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if lock != "" {
		if _, err := conn.ExecContext(wait, lock); err != nil {
			return fmt.Errorf("sqlstore: locking the database to migrate it: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, createVersionTable); err != nil {
		return fmt.Errorf("sqlstore: creating oops_schema_version: %w", err)
	}
	var current sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM oops_schema_version").Scan(&current); err != nil {
		return fmt.Errorf("sqlstore: reading the schema version: %w", err)
	}
	latest := ms[len(ms)-1].version
	if int(current.Int64) > latest {
		return fmt.Errorf("%w: the database is at schema version %d, this program knows versions up to %d; use a newer version of github.com/oops-go/oops/sqlstore",
			ErrSchemaTooNew, current.Int64, latest)
	}
	for _, m := range ms {
		if m.version <= int(current.Int64) {
			continue
		}
		for _, stmt := range statements(m.sql) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
			}
		}
		if m.version == 2 {
			// The group summaries of the reports stored so far.
			if err := s.backfill(ctx, conn); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
			}
		}
		if _, err := conn.ExecContext(ctx, s.rebind("INSERT INTO oops_schema_version (version, name, applied_ns) VALUES (?, ?, ?)"),
			m.version, m.name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("sqlstore: committing the migrations: %w", err)
	}
	return nil
}

// statements splits a migration into its statements: each ends with a ";"
// at the end of a line. Comment lines are dropped.
func statements(src string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.Lines(src) {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}

// Version returns the schema version the database is at.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT max(version) FROM oops_schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlstore: reading the schema version: %w", err)
	}
	return int(v.Int64), nil
}
