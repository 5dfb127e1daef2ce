package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// The writers' connections of a SQLite file that Open opened: each writer
// (Options.Writers) keeps a connection of its own, with a page cache of
// 2 MiB (writerCache) rather than the 32 MiB the readers get.
//
// Why: SQLite's commit drops from the connection's page cache the pages
// past the end of the database, and when a B-tree balance has renumbered
// pages that commit scans the whole cache (balance_nonroot parks a page at
// the number of the lock page, far past the end, and the cache remembers
// it as its largest key). Many commits of a report split a page of one of
// the dozen B-trees it adds to, so with a full 32 MiB cache (8,192 pages) a
// Publish spent about a tenth of its time walking it. The pages a writer touches
// again (the interior pages of each index and the leaves where new
// entries go) fit in the smaller cache; the readers keep theirs.

// writerCache is the page cache of a writer's connection, as PRAGMA
// cache_size takes it: 2,000 KiB, SQLite's default.
const writerCache = -2000

// A writer is a writer's connection and the statements prepared on it.
type writer struct {
	conn                    *sql.Conn
	begin, commit, rollback *sql.Stmt
	stmts                   map[*sql.Stmt]*sql.Stmt // the store's statement → this connection's
}

// openWriters sets a connection aside for each writer, if the store's
// database is a SQLite file in WAL mode opened by Open (whose pool has no
// bound: a caller's pool may have too few connections to spare).
//
// A writer's connection has no busy timeout: its BEGIN IMMEDIATE fails at
// once when another process holds the write lock, and writeBatch waits and
// tries again until Options.WriteTimeout, with nothing (no goroutine)
// watching a context meanwhile. Once the lock is taken, nothing in the
// transaction waits: WAL lets the readers be, and the commit's checkpoint
// is PASSIVE.
func (s *Store) openWriters(ctx context.Context) error {
	if s.dialect != SQLite || s.ckpt == nil {
		return nil
	}
	s.wconns = make(chan *writer, s.opts.Writers)
	for range s.opts.Writers {
		w, err := s.newWriter(ctx)
		if err != nil {
			return errors.Join(err, s.closeWriters())
		}
		s.wconns <- w
	}
	return nil
}

// newWriter opens and sets up a writer's connection.
func (s *Store) newWriter(ctx context.Context) (w *writer, err error) {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening a writer's connection: %w", err)
	}
	w = &writer{conn: c, stmts: map[*sql.Stmt]*sql.Stmt{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, w.close())
		}
	}()
	for _, p := range []string{fmt.Sprintf("PRAGMA cache_size = %d", writerCache), "PRAGMA busy_timeout = 0"} {
		if _, err := c.ExecContext(ctx, p); err != nil {
			return nil, fmt.Errorf("sqlstore: setting up a writer's connection: %w", err)
		}
	}
	for _, p := range []struct {
		to **sql.Stmt
		q  string
	}{{&w.begin, "BEGIN IMMEDIATE"}, {&w.commit, "COMMIT"}, {&w.rollback, "ROLLBACK"}} {
		if *p.to, err = c.PrepareContext(ctx, p.q); err != nil {
			return nil, fmt.Errorf("sqlstore: preparing: %w", err)
		}
	}
	for q, st := range map[string]*sql.Stmt{insertSQL: s.insert, upsertSQL: s.upsert, upsertBodySQL: s.upsertBody,
		upsertFaultSQL: s.upsertFault, oldRowSQL: s.oldRow, s.addHourSQL(1): s.addHour1, s.addURLSQL(1): s.addURL1} {
		ws, err := c.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: preparing: %w", err)
		}
		w.stmts[st] = ws
	}
	return w, nil
}

// close closes the writer's statements and connection.
func (w *writer) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{w.begin, w.commit, w.rollback} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, st := range w.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, w.conn.Close())...)
}

// writeOnWriter writes rows, sorted by id, in one transaction on a
// writer's connection.
func (s *Store) writeOnWriter(ctx context.Context, rows []*row) (err error) {
	w := <-s.wconns
	defer func() {
		if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
			// A connection that is gone is replaced, so that the next
			// batch does not fail the same way.
			if nw, nerr := s.newWriter(context.WithoutCancel(ctx)); nerr == nil {
				_ = w.close()
				w = nw
			}
		}
		s.wconns <- w
	}()
	// No statement here can wait (see openWriters): none needs ctx, whose
	// deadline would cost each a goroutine to watch it.
	ctx = context.WithoutCancel(ctx)
	if _, err := w.begin.ExecContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: beginning a transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// Also after a failed COMMIT, which may have ended the
			// transaction already: the error is then that there is none.
			_, _ = w.rollback.ExecContext(ctx)
		}
	}()
	if err := s.writeRowsSQLite(ctx, &scope{q: w.conn, w: w}, rows); err != nil {
		return err
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: committing: %w", err)
	}
	committed = true
	return nil
}

// A scope is where a SQLite batch is written: a transaction of the pool,
// or a writer's connection within BEGIN and COMMIT.
type scope struct {
	q  querier
	tx *sql.Tx // in a transaction of the pool
	w  *writer // on a writer's connection
}

// stmt returns the store's prepared statement st as it runs in sc.
func (sc *scope) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if sc.w != nil {
		if ws := sc.w.stmts[st]; ws != nil {
			return ws
		}
	}
	return sc.tx.StmtContext(ctx, st)
}

func (sc *scope) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return sc.q.ExecContext(ctx, query, args...)
}

func (sc *scope) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return sc.q.QueryContext(ctx, query, args...)
}

// closeWriters closes the writers' connections, once no writer is at work.
func (s *Store) closeWriters() error {
	if s.wconns == nil {
		return nil
	}
	var errs []error
	for {
		select {
		case w := <-s.wconns:
			errs = append(errs, w.close())
		default:
			return errors.Join(errs...)
		}
	}
}
