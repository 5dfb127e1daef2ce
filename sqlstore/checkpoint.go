package sqlstore

import (
	"context"
	"strings"
)

// Checkpoints of a SQLite database in WAL mode: copying the committed pages
// of the log back into the database file, and syncing both, so that the
// log can start again from its beginning.
//
// SQLite's own (wal_autocheckpoint) runs in the commit that takes the log
// past a size, so that one Publish call in about sixty pays for the pages
// of all of them, and their syncs. A Store on a database in WAL mode checkpoints
// from a goroutine of its own instead, PASSIVE (it waits for no reader and
// no writer, and writers go on meanwhile), after every checkpointReports
// reports written: the Publish calls only append to the log. Open also
// raises the connections' wal_autocheckpoint to checkpointBackstop pages,
// so that SQLite's own checkpoint runs only when this one falls behind
// (or is not there: another process using the file).

// checkpointReports is how many reports are written between two
// checkpoints: about a thousand pages of log, SQLite's default.
const checkpointReports = 64

// checkpointBackstop is the wal_autocheckpoint (in pages) Open gives a
// SQLite file's connections: four times SQLite's default.
const checkpointBackstop = 4000

// startCheckpoints starts the checkpointing goroutine if the store's
// database is SQLite in WAL mode.
func (s *Store) startCheckpoints(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return nil
	}
	s.ckpt = make(chan struct{}, 1)
	s.ckptDone = make(chan struct{})
	go s.checkpoints()
	return nil
}

// checkpoints runs a checkpoint each time it is asked, until the store
// closes. A checkpoint that fails (the database is busy, say) is not an
// error of any Publish: the next one, or SQLite's own, does the work.
func (s *Store) checkpoints() {
	defer close(s.ckptDone)
	for range s.ckpt {
		_, _ = s.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		s.checkpointed.Add(1)
	}
}

// wrote counts n reports written, and asks for a checkpoint every
// checkpointReports of them. Only writers call it, under no lock: a count
// that races loses a report or two of the interval, no more.
func (s *Store) wrote(n int) {
	if s.ckpt == nil {
		return
	}
	if s.sinceCheckpoint.Add(int64(n)) < checkpointReports {
		return
	}
	s.sinceCheckpoint.Store(0)
	select {
	case s.ckpt <- struct{}{}:
	default: // one is under way or asked for already
	}
}

// stopCheckpoints stops the checkpointing goroutine, after the writers
// are done.
func (s *Store) stopCheckpoints() {
	if s.ckpt == nil {
		return
	}
	s.ckptStop.Do(func() { close(s.ckpt) })
	<-s.ckptDone
}
