package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("sqlstore: store closed")

// A request is one report waiting to be written.
type request struct {
	row  *row
	done chan error
}

// enqueue writes req, together with the requests of concurrent callers.
//
// Group commit without a background goroutine: the caller that finds fewer
// than Options.Writers writers at work becomes one and writes batches from
// the queue until its own request is written; the others wait for theirs.
// A writer that leaves work in the queue hands it to a new goroutine, so
// that no caller writes the others' reports for long.
func (s *Store) enqueue(ctx context.Context, req *request) error {
	return s.enqueueAll(ctx, []*request{req})[0]
}

// enqueueAll writes reqs and returns each one's error.
func (s *Store) enqueueAll(ctx context.Context, reqs []*request) []error {
	errs := make([]error, len(reqs))
	if len(reqs) == 0 {
		return errs
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		for i := range errs {
			errs[i] = ErrClosed
		}
		return errs
	}
	s.queue = append(s.queue, reqs...)
	lead := s.leaders < s.opts.Writers
	if lead {
		s.leaders++
	}
	s.mu.Unlock()
	if lead {
		s.lead(ctx, reqs[len(reqs)-1])
	}
	for i, req := range reqs {
		errs[i] = <-req.done
	}
	return errs
}

// lead writes batches until own is written (own nil: until the queue is
// empty), then hands over what is left.
func (s *Store) lead(ctx context.Context, own *request) {
	ctx = context.WithoutCancel(ctx)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || (own != nil && len(own.done) > 0) {
			more := len(s.queue) > 0
			if !more {
				s.leaders--
				if s.leaders == 0 {
					s.idle.Broadcast()
				}
			}
			s.mu.Unlock()
			if more {
				go s.lead(ctx, nil) // keeps this leader's place
			}
			return
		}
		n := min(len(s.queue), s.opts.MaxBatch)
		batch := make([]*request, n)
		copy(batch, s.queue)
		s.queue = append(s.queue[:0], s.queue[n:]...)
		s.mu.Unlock()
		s.writeBatch(ctx, batch)
	}
}

// waitIdle waits until no writer is at work.
func (s *Store) waitIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.leaders > 0 || len(s.queue) > 0 {
		s.idle.Wait()
	}
}

// writeBatch writes the batch in one transaction and tells each request how
// it went. When the transaction fails for another reason than a busy
// database, each report is written alone, so that one bad report does not
// fail the others.
func (s *Store) writeBatch(ctx context.Context, batch []*request) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.WriteTimeout)
	defer cancel()
	err := retryBusy(ctx, func() error { return s.writeTx(ctx, batch) })
	if err == nil || len(batch) == 1 {
		for _, req := range batch {
			req.done <- err
		}
		return
	}
	for _, req := range batch {
		req.done <- retryBusy(ctx, func() error { return s.writeTx(ctx, []*request{req}) })
	}
}

func (s *Store) writeTx(ctx context.Context, batch []*request) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: beginning a transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	// Rows are locked in one order, reports by id then faults by resource,
	// so that concurrent batches cannot deadlock (PostgreSQL). The sort is
	// stable: two revisions of an id keep their order.
	rows := make([]*row, len(batch))
	for i, req := range batch {
		rows[i] = req.row
	}
	slices.SortStableFunc(rows, func(a, b *row) int { return strings.Compare(a.id, b.id) })
	if err := s.writeRows(ctx, tx, rows); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: committing: %w", err)
	}
	return nil
}

// writeRows stores rows within tx.
func (s *Store) writeRows(ctx context.Context, tx *sql.Tx, rows []*row) error {
	upsert := tx.StmtContext(ctx, s.upsert)
	var body *sql.Stmt // SQLite only
	var faults []*row
	for _, r := range rows {
		if s.dialect == PostgreSQL {
			res, err := upsert.ExecContext(ctx, append(r.args(), r.report)...)
			if err != nil {
				return fmt.Errorf("sqlstore: storing %s: %w", r.id, err)
			}
			if n, err := res.RowsAffected(); err == nil && n > 0 && r.resource != "" {
				faults = append(faults, r)
			}
			continue
		}
		var rid int64
		err := upsert.QueryRowContext(ctx, r.args()...).Scan(&rid)
		if errors.Is(err, sql.ErrNoRows) {
			continue // an older revision: the stored report did not change
		}
		if err != nil {
			return fmt.Errorf("sqlstore: storing %s: %w", r.id, err)
		}
		if body == nil {
			body = tx.StmtContext(ctx, s.upsertBody)
		}
		if _, err := body.ExecContext(ctx, rid, r.report); err != nil {
			return fmt.Errorf("sqlstore: storing %s: %w", r.id, err)
		}
		if r.resource != "" {
			faults = append(faults, r)
		}
	}
	if len(faults) == 0 {
		return nil
	}
	slices.SortStableFunc(faults, func(a, b *row) int { return strings.Compare(a.resource, b.resource) })
	fault := tx.StmtContext(ctx, s.upsertFault)
	window := s.opts.FaultWindow.Nanoseconds()
	for _, r := range faults {
		if _, err := fault.ExecContext(ctx, r.resource, r.id, r.timeNS, r.detailed, window, window); err != nil {
			return fmt.Errorf("sqlstore: storing the fault of %s: %w", r.id, err)
		}
	}
	return nil
}
