package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oops-go/oops/datedir"
)

// Prune deletes the reports made before before, and the latest-fault
// entries that pointed at them, and returns how many reports it deleted.
// A resource whose latest fault was deleted answers with its newest report
// left, if any.
func (s *Store) Prune(ctx context.Context, before time.Time) (int, error) {
	ns := timeNS(before)
	var n int64
	err := retryBusy(ctx, func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlstore: pruning: %w", err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, s.rebind("DELETE FROM oops_report_bodies WHERE rid IN (SELECT rid FROM oops_reports WHERE time_ns < ?)"), ns); err != nil {
			return fmt.Errorf("sqlstore: pruning: %w", err)
		}
		res, err := tx.ExecContext(ctx, s.rebind("DELETE FROM oops_reports WHERE time_ns < ?"), ns)
		if err != nil {
			return fmt.Errorf("sqlstore: pruning: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: pruning: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind("DELETE FROM oops_latest_faults WHERE time_ns < ?"), ns); err != nil {
			return fmt.Errorf("sqlstore: pruning faults: %w", err)
		}
		// The summaries: the days before before's go, its own is counted
		// again from the reports left.
		day := floorTo(ns, dayNS)
		if _, err := tx.ExecContext(ctx, s.rebind("DELETE FROM oops_group_hours WHERE hour_ns < ?"), day); err != nil {
			return fmt.Errorf("sqlstore: pruning: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind("DELETE FROM oops_group_day_urls WHERE day_ns < ?"), day); err != nil {
			return fmt.Errorf("sqlstore: pruning: %w", err)
		}
		if n > 0 && day < ns {
			if err := s.rebuildCells(ctx, tx, []rebuild{{from: day, to: day + dayNS, all: true}}); err != nil {
				return fmt.Errorf("sqlstore: pruning: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlstore: pruning: %w", err)
		}
		return nil
	})
	return int(n), err
}

// Import stores every report of the date directory tree dir (see package
// datedir) and returns how many it stored. It is Publish for each, in
// batches, so a report stored already is stored once and an import can be
// run again. Files that cannot be read do not stop it: their errors are
// joined, each naming its file, and returned with the count.
func (s *Store) Import(ctx context.Context, dir string) (int, error) {
	var errs []error
	n := 0
	var batch []*request
	var paths []string
	flush := func() {
		for i, err := range s.enqueueAll(ctx, batch) {
			if err != nil {
				errs = append(errs, fmt.Errorf("sqlstore: importing %s: %w", paths[i], err))
				continue
			}
			n++
		}
		batch, paths = nil, paths[:0]
	}
	for e, err := range datedir.New(dir).Walk(ctx, time.Time{}, time.Time{}) {
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		rw, err := s.row(e.Report)
		if err != nil {
			errs = append(errs, fmt.Errorf("sqlstore: importing %s: %w", e.Path, err))
			continue
		}
		batch = append(batch, &request{row: rw, done: make(chan error, 1)})
		paths = append(paths, e.Path)
		if len(batch) == s.opts.MaxBatch {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return n, errors.Join(errs...)
}
