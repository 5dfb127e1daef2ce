package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/oops-go/oops/store"
)

// LatestFault returns the latest fault of resource as role may see it
// (store.FaultOf applied to the stored report): the newest report naming
// the resource, or, with Options.FaultWindow, the one Trove's precedence
// rule kept. It wraps store.ErrNotFound when the resource has no fault.
func (s *Store) LatestFault(ctx context.Context, resource string, role store.Role) (store.Fault, error) {
	if resource == "" {
		return store.Fault{}, fmt.Errorf("sqlstore: no resource named: %w", store.ErrNotFound)
	}
	res := column(resource)
	var id string
	var b []byte
	// The latest fault's report, if it still names the resource (a prune or
	// a republication may have changed that) …
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT r.id, b.report FROM oops_latest_faults f
	JOIN oops_reports r ON r.id = f.id AND r.resource = f.resource
	JOIN oops_report_bodies b ON b.rid = r.rid WHERE f.resource = ?`), res).Scan(&id, &b)
	if errors.Is(err, sql.ErrNoRows) {
		// … else the newest report that does.
		err = s.db.QueryRowContext(ctx, s.rebind(`SELECT r.id, b.report FROM oops_reports r JOIN oops_report_bodies b ON b.rid = r.rid
	WHERE r.resource = ? AND r.resource <> '' ORDER BY r.time_ns DESC, r.id DESC LIMIT 1`), res).Scan(&id, &b)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.Fault{}, fmt.Errorf("sqlstore: no fault of %q: %w", store.Cut(resource, 100), store.ErrNotFound)
	}
	if err != nil {
		return store.Fault{}, fmt.Errorf("sqlstore: reading the latest fault of %q: %w", store.Cut(resource, 100), err)
	}
	r, err := decode(id, b)
	if err != nil {
		return store.Fault{}, err
	}
	return store.FaultOf(r, role), nil
}

// Faults returns the faults of resource, newest first, at most limit (0
// means store.DefaultLimit, and at most store.MaxLimit), as role may see
// them. It is every report that names the resource, whatever the
// precedence rule chose as the latest.
func (s *Store) Faults(ctx context.Context, resource string, role store.Role, limit int) ([]store.Fault, error) {
	if resource == "" {
		return nil, nil
	}
	limit = store.Query{Limit: limit}.PageSize()
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT r.id, b.report FROM oops_reports r JOIN oops_report_bodies b ON b.rid = r.rid
	WHERE r.resource = ? AND r.resource <> '' ORDER BY r.time_ns DESC, r.id DESC LIMIT ?`), column(resource), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading the faults of %q: %w", store.Cut(resource, 100), err)
	}
	defer rows.Close()
	var out []store.Fault
	for rows.Next() {
		var id string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("sqlstore: reading the faults of %q: %w", store.Cut(resource, 100), err)
		}
		r, err := decode(id, b)
		if err != nil {
			return nil, err
		}
		out = append(out, store.FaultOf(r, role))
	}
	return out, rows.Err()
}
