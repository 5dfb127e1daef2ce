package sqlstore

import (
	"context"
	"database/sql"
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
// it as its largest key). Most commits of a report split a page of one of
// its indexes, so with a full 32 MiB cache each Publish walked 8,192 pages
// and 16,384 hash slots, a tenth of its time. The pages a writer touches
// again (the interior pages of each index and the leaves where new
// entries go) fit in the smaller cache; the readers keep theirs.

// writerCache is the page cache of a writer's connection, as PRAGMA
// cache_size takes it: 2,000 KiB, SQLite's default.
const writerCache = -2000

// openWriters sets a connection aside for each writer, if the store's
// database is a SQLite file in WAL mode opened by Open (whose pool has no
// bound: a caller's pool may have too few connections to spare).
func (s *Store) openWriters(ctx context.Context) error {
	if s.dialect != SQLite || s.ckpt == nil {
		return nil
	}
	s.wconns = make(chan *sql.Conn, s.opts.Writers)
	for range s.opts.Writers {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return errors.Join(fmt.Errorf("sqlstore: opening a writer's connection: %w", err), s.closeWriters())
		}
		s.wconns <- c
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", writerCache)); err != nil {
			return errors.Join(fmt.Errorf("sqlstore: setting a writer's page cache: %w", err), s.closeWriters())
		}
	}
	return nil
}

// beginWrite begins a write transaction on a writer's connection, or on
// any connection of the pool if the store has none of its own. done puts
// the connection back.
func (s *Store) beginWrite(ctx context.Context) (tx *sql.Tx, done func(), err error) {
	if s.wconns == nil {
		tx, err = s.db.BeginTx(ctx, nil)
		return tx, func() {}, err
	}
	c := <-s.wconns
	tx, err = c.BeginTx(ctx, nil)
	return tx, func() { s.wconns <- c }, err
}

// closeWriters closes the writers' connections, once no writer is at work.
func (s *Store) closeWriters() error {
	if s.wconns == nil {
		return nil
	}
	var errs []error
	for {
		select {
		case c := <-s.wconns:
			errs = append(errs, c.Close())
		default:
			return errors.Join(errs...)
		}
	}
}
