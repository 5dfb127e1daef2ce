package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// A Dialect is the SQL dialect of a database.
type Dialect string

// The dialects a Store speaks.
const (
	SQLite     Dialect = "sqlite"
	PostgreSQL Dialect = "postgres"
)

// Options configure a Store. The zero value (or a nil *Options) is the
// default of every field.
type Options struct {
	// Dialect is the database's dialect. Empty means: guessed from the
	// driver's name ("sqlite", "sqlite3" are SQLite; "pgx", "postgres",
	// "postgresql" are PostgreSQL) or, in New, from the driver's type.
	Dialect Dialect

	// FaultWindow turns on Trove's precedence rule for the latest fault of
	// a resource: a fault without a traceback does not replace a fault
	// with one that is less than FaultWindow older. Zero means off: the
	// latest fault is always the newest.
	FaultWindow time.Duration

	// MaxReportBytes bounds a stored report's JSON encoding. A larger
	// report is cut with oops.Trim (the largest values first, each cut
	// marked, all listed under the Extra key CutKey); one that still does
	// not fit is refused with an error wrapping ErrTooLarge. Zero means
	// 32 MiB.
	MaxReportBytes int

	// WriteTimeout bounds each write to the database, waits for a busy
	// SQLite file included. Zero means 30 s.
	WriteTimeout time.Duration

	// BusyTimeout is the SQLite busy timeout that Open sets on each
	// connection (another process holds the write lock), except the writer's
	// own, whose waits Options.WriteTimeout bounds (see the package doc).
	// Zero means 10 s.
	BusyTimeout time.Duration

	// MaxBatch bounds how many concurrent Publish calls are written in one
	// transaction. Zero means 128; PostgreSQL takes at most 2000.
	MaxBatch int

	// Writers is how many transactions write at once. Zero means 1 for
	// SQLite (one writer at a time is all SQLite allows) and 4 for
	// PostgreSQL.
	Writers int
}

// ErrSchemaTooNew is wrapped by Open's error when the database was migrated
// by a newer version of this package: reading it could misread it.
var ErrSchemaTooNew = errors.New("sqlstore: database schema is newer than this program knows")

// ErrTooLarge is wrapped by Publish's error for a report that does not fit
// Options.MaxReportBytes even after cutting.
var ErrTooLarge = errors.New("sqlstore: report too large")

// A Store keeps reports in a SQL database. It is an oops.Publisher, a
// store.Reader, a store.Pruner and a store.FaultReader, and safe for
// concurrent use.
type Store struct {
	db      *sql.DB
	owned   bool // Close closes db
	dialect Dialect
	opts    Options

	insert, upsert, upsertBody, upsertFault, oldRow *sql.Stmt
	addHour1, addURL1                               *sql.Stmt

	mu      sync.Mutex
	idle    sync.Cond // on mu: no leader at work and an empty queue
	queue   []*request
	leaders int
	closed  bool

	batches atomic.Int64 // transactions written, for tests

	// The checkpointing goroutine (checkpoint.go), SQLite in WAL mode only.
	ckpt            chan struct{}
	ckptDone        chan struct{}
	ckptStop        sync.Once
	sinceCheckpoint atomic.Int64 // reports written since the last ask
	checkpointed    atomic.Int64 // checkpoints run, for tests

	wconns chan *writer // the writers' connections (writers.go), or nil
}

var (
	_ oops.Publisher    = (*Store)(nil)
	_ store.Reader      = (*Store)(nil)
	_ store.Pruner      = (*Store)(nil)
	_ store.FaultReader = (*Store)(nil)
)

// Open opens the database named by driverName and dsn, migrates it (see
// the package doc) and returns a Store that closes it on Close. The driver
// must be registered (import modernc.org/sqlite or
// github.com/jackc/pgx/v5/stdlib).
//
// For driver "sqlite" (modernc.org/sqlite), Open adds to the dsn the
// pragmas a store shared by goroutines and processes needs, unless the dsn
// sets them: busy_timeout (Options.BusyTimeout), journal_mode(WAL),
// synchronous(NORMAL), wal_autocheckpoint(4000) (the Store checkpoints
// from a goroutine of its own, see the package doc), and a page cache of
// 32 MiB with temporary tables in memory (for the sorts of Groups). A dsn of ":memory:" gets one connection, since
// each connection to it would be a database of its own.
func Open(ctx context.Context, driverName, dsn string, opts *Options) (*Store, error) {
	o := options(opts)
	if o.Dialect == "" {
		o.Dialect = dialectOfName(driverName)
	}
	memory := false
	if o.Dialect == SQLite && driverName == "sqlite" {
		dsn, memory = sqliteDSN(dsn, o.BusyTimeout)
	}
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening %s database: %w", driverName, err)
	}
	if memory || isMemory(dsn) {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	s, err := newStore(ctx, db, &o)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	if err := s.openWriters(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// New returns a Store on db, which the caller keeps and closes after Close,
// migrating the database first. For SQLite, the caller's dsn should set a
// busy timeout and WAL (see Open); the Store retries a busy database until
// Options.WriteTimeout anyway.
func New(ctx context.Context, db *sql.DB, opts *Options) (*Store, error) {
	o := options(opts)
	if o.Dialect == "" {
		o.Dialect = dialectOfName(fmt.Sprintf("%T", db.Driver()))
	}
	return newStore(ctx, db, &o)
}

func options(opts *Options) Options {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxReportBytes <= 0 {
		o.MaxReportBytes = 32 << 20
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 128
	}
	return o
}

func newStore(ctx context.Context, db *sql.DB, o *Options) (*Store, error) {
	switch o.Dialect {
	case SQLite, PostgreSQL:
	case "":
		return nil, errors.New("sqlstore: unknown SQL dialect: set Options.Dialect to sqlstore.SQLite or sqlstore.PostgreSQL")
	default:
		return nil, fmt.Errorf("sqlstore: unknown SQL dialect %q", o.Dialect)
	}
	if o.Writers <= 0 {
		o.Writers = 1
		if o.Dialect == PostgreSQL {
			o.Writers = 4
		}
	}
	if o.Dialect == PostgreSQL {
		// A batch is one statement: PostgreSQL takes at most 65535
		// arguments, 23 a report.
		o.MaxBatch = min(o.MaxBatch, 2000)
	}
	s := &Store{db: db, dialect: o.Dialect, opts: *o}
	s.idle.L = &s.mu
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{{&s.insert, insertSQL}, {&s.upsert, upsertSQL}, {&s.upsertBody, upsertBodySQL}, {&s.upsertFault, upsertFaultSQL}, {&s.oldRow, oldRowSQL},
		{&s.addHour1, s.addHourSQL(1)}, {&s.addURL1, s.addURLSQL(1)}} {
		st, err := db.PrepareContext(ctx, s.rebind(p.sql))
		if err != nil {
			s.closeStmts()
			return nil, fmt.Errorf("sqlstore: preparing: %w", err)
		}
		*p.stmt = st
	}
	if err := s.startCheckpoints(ctx); err != nil {
		s.closeStmts()
		return nil, fmt.Errorf("sqlstore: reading the journal mode: %w", err)
	}
	return s, nil
}

// dialectOfName guesses the dialect from a driver's name or type name.
func dialectOfName(name string) Dialect {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "sqlite"):
		return SQLite
	case strings.Contains(n, "pgx"), strings.Contains(n, "postgres"), n == "*pq.driver", strings.Contains(n, "stdlib.driver"):
		return PostgreSQL
	}
	return ""
}

// sqliteDSN adds modernc.org/sqlite's pragmas to dsn unless it sets them.
func sqliteDSN(dsn string, busy time.Duration) (string, bool) {
	memory := isMemory(dsn)
	var add []string
	if !strings.Contains(dsn, "busy_timeout") {
		add = append(add, fmt.Sprintf("_pragma=busy_timeout(%d)", busy.Milliseconds()))
	}
	if !memory && !strings.Contains(dsn, "journal_mode") {
		add = append(add, "_pragma=journal_mode(WAL)")
	}
	if !memory && !strings.Contains(dsn, "wal_autocheckpoint") {
		// The store checkpoints from a goroutine of its own
		// (checkpoint.go): SQLite's checkpoint in the commit is the
		// backstop.
		add = append(add, fmt.Sprintf("_pragma=wal_autocheckpoint(%d)", checkpointBackstop))
	}
	if !strings.Contains(dsn, "synchronous") {
		add = append(add, "_pragma=synchronous(NORMAL)")
	}
	if !strings.Contains(dsn, "cache_size") {
		// 32 MiB, not 2: one day's entries of the time index, and the
		// sorter of a day's groups, stay in memory.
		add = append(add, "_pragma=cache_size(-32768)")
	}
	if !strings.Contains(dsn, "temp_store") {
		add = append(add, "_pragma=temp_store(MEMORY)")
	}
	if len(add) == 0 {
		return dsn, memory
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(add, "&"), memory
}

func isMemory(dsn string) bool {
	return strings.HasPrefix(dsn, ":memory:") || strings.HasPrefix(dsn, "file::memory:") ||
		(strings.Contains(dsn, "mode=memory") && !strings.Contains(dsn, "cache=shared"))
}

// DB returns the database the store uses.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close waits for the writes under way and releases the store's prepared
// statements, and closes the database if Open opened it. Publish after
// Close returns an error.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.waitIdle()
	s.stopCheckpoints()
	err := errors.Join(s.closeWriters(), s.closeStmts())
	if s.owned {
		err = errors.Join(err, s.db.Close())
	}
	return err
}

func (s *Store) closeStmts() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.insert, s.upsert, s.upsertBody, s.upsertFault, s.oldRow, s.addHour1, s.addURL1} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// rebind turns the ? placeholders of q into PostgreSQL's $n. The queries of
// this package have no ? anywhere else.
func (s *Store) rebind(q string) string {
	if s.dialect != PostgreSQL {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// isBusy reports whether err says that the transaction may succeed if run
// again: SQLite's "database is locked" (another connection or process held
// the write lock past the busy timeout), PostgreSQL's deadlock (40P01) and
// serialization failure (40001). Driver errors are matched by their text,
// since this package imports no driver.
func isBusy(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "SQLITE_BUSY") || strings.Contains(m, "database is locked") ||
		strings.Contains(m, "SQLITE_LOCKED") || strings.Contains(m, "SQLSTATE 40P01") ||
		strings.Contains(m, "SQLSTATE 40001")
}

// retryBusy runs f again while isBusy says so, until ctx is done.
func retryBusy(ctx context.Context, f func() error) error {
	wait := time.Millisecond
	for {
		err := f()
		if !isBusy(err) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up waiting: %w)", err, ctx.Err())
		case <-t.C:
		}
		if wait < 100*time.Millisecond {
			wait *= 2
		}
	}
}
