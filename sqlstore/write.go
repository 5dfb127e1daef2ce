package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
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
	s.batches.Add(1)
	defer s.wrote(len(batch))
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
	if s.wconns != nil {
		return s.writeOnWriter(ctx, sortedRows(batch))
	}
	txCtx := ctx
	if s.dialect == SQLite {
		// Only the statement that takes the write lock waits, and only it
		// needs ctx's deadline (see writeRows): a transaction or a statement
		// given a context that can end costs a goroutine to watch it, in
		// database/sql and in the driver, which is as much as the statement.
		txCtx = context.WithoutCancel(ctx)
	}
	tx, err := s.db.BeginTx(txCtx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: beginning a transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := s.writeRows(ctx, tx, sortedRows(batch)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: committing: %w", err)
	}
	return nil
}

// sortedRows returns the rows of batch in the order they are written.
// Rows are locked in one order, reports by id then faults by resource, so
// that concurrent batches cannot deadlock (PostgreSQL). The sort is stable:
// two revisions of an id keep their order.
func sortedRows(batch []*request) []*row {
	rows := make([]*row, len(batch))
	for i, req := range batch {
		rows[i] = req.row
	}
	slices.SortStableFunc(rows, func(a, b *row) int { return strings.Compare(a.id, b.id) })
	return rows
}

// writeRows stores rows, sorted by id, within tx.
//
// On SQLite, the first statement takes the write lock, waiting for another
// process that holds it until ctx is done; the others cannot wait (the
// lock is held, and WAL lets readers be) and run without ctx's deadline,
// which would cost each a goroutine to watch it.
func (s *Store) writeRows(ctx context.Context, tx *sql.Tx, rows []*row) error {
	if s.dialect == PostgreSQL {
		return s.writeRowsPG(ctx, tx, rows)
	}
	return s.writeRowsSQLite(ctx, &scope{q: tx, tx: tx}, rows)
}

// writeRowsSQLite stores rows, sorted by id, within sc (see writeRows).
func (s *Store) writeRowsSQLite(ctx context.Context, sc *scope, rows []*row) error {
	lockCtx := ctx
	ctx = context.WithoutCancel(ctx)
	insert := sc.stmt(ctx, s.insert)
	var upsert, prev, body *sql.Stmt // made when first needed
	var faults, added []*row
	var rbs []rebuild
	for _, r := range rows {
		// A new id is one statement; a stored one is read first, for the
		// summary cells it leaves.
		var rid int64
		var o oldRow
		res, err := insert.ExecContext(lockCtx, r.args()...)
		lockCtx = ctx
		found := false
		if err == nil {
			var n int64
			if n, err = res.RowsAffected(); err == nil {
				if found = n == 0; !found {
					rid, err = res.LastInsertId()
				}
			}
		}
		if found {
			if prev == nil {
				prev = sc.stmt(ctx, s.oldRow)
				upsert = sc.stmt(ctx, s.upsert)
			}
			err = prev.QueryRowContext(ctx, r.id).Scan(&o.timeNS, &o.revision, &o.signature, &o.typ, &o.value, &o.topic, &o.url)
			if err == nil && o.revision > r.revision {
				continue // an older revision: the stored report does not change
			}
			if err == nil {
				err = upsert.QueryRowContext(ctx, r.args()...).Scan(&rid)
			}
		}
		if err != nil {
			return fmt.Errorf("sqlstore: storing %s: %w", r.id, err)
		}
		if body == nil {
			body = sc.stmt(ctx, s.upsertBody)
		}
		if _, err := body.ExecContext(ctx, rid, r.report); err != nil {
			return fmt.Errorf("sqlstore: storing %s: %w", r.id, err)
		}
		if r.resource != "" {
			faults = append(faults, r)
		}
		switch {
		case !found:
			added = append(added, r)
		case !o.sameCells(r):
			rbs = append(rbs, rebuildOf(o.timeNS, o.signature, o.typ, o.value), rebuildOf(r.timeNS, r.signature, r.typ, r.value))
		}
	}
	// New reports first: a rebuild counts its cells again from the reports,
	// whatever was added to them.
	if err := s.addCells(ctx, sc, added); err != nil {
		return err
	}
	if err := s.rebuildCells(ctx, sc, rbs); err != nil {
		return err
	}
	if len(faults) == 0 {
		return nil
	}
	// By resource (lock order), then in time order, as writeRowsPG folds
	// them.
	slices.SortStableFunc(faults, func(a, b *row) int {
		return cmp.Or(strings.Compare(a.resource, b.resource), cmp.Compare(a.timeNS, b.timeNS), strings.Compare(a.id, b.id))
	})
	fault := sc.stmt(ctx, s.upsertFault)
	window := s.opts.FaultWindow.Nanoseconds()
	for _, r := range faults {
		if _, err := fault.ExecContext(ctx, r.resource, r.id, r.timeNS, r.detailed, window, window); err != nil {
			return fmt.Errorf("sqlstore: storing the fault of %s: %w", r.id, err)
		}
	}
	return nil
}

// writeRowsPG stores rows, sorted by id, within tx in three statements, one
// per table, whatever their number: on PostgreSQL each statement is a round
// trip to the server, which is what a batch must save.
func (s *Store) writeRowsPG(ctx context.Context, tx *sql.Tx, rows []*row) error {
	// One row per id (an INSERT may not update a row twice): the highest
	// revision, the last of equal ones, as storing them in turn would.
	uniq := make([]*row, 0, len(rows))
	at := make(map[string]int, len(rows))
	for _, r := range rows {
		if i, ok := at[r.id]; ok {
			if r.revision >= uniq[i].revision {
				uniq[i] = r
			}
			continue
		}
		at[r.id] = len(uniq)
		uniq = append(uniq, r)
	}
	// New ids first, in one statement that stores no stored one (it waits
	// for a concurrent batch inserting the same id to end); then the stored
	// ones, read first for the summary cells they leave, then replaced.
	type stored struct {
		rid int64
		r   *row
	}
	var done []stored
	var added []*row
	var rbs []rebuild
	put := func(rows []*row, tail string) error {
		args := make([]any, 0, len(rows)*23)
		for _, r := range rows {
			args = append(args, r.args()...)
		}
		res, err := tx.QueryContext(ctx, s.rebind(reportsHead+tuples(reportsTuple, len(rows))+tail+"\nRETURNING rid, id"), args...)
		if err != nil {
			return fmt.Errorf("sqlstore: storing %d reports: %w", len(rows), err)
		}
		defer res.Close()
		for res.Next() {
			var st stored
			var id string
			if err := res.Scan(&st.rid, &id); err != nil {
				return fmt.Errorf("sqlstore: storing %d reports: %w", len(rows), err)
			}
			st.r = uniq[at[id]]
			done = append(done, st)
		}
		if err := res.Err(); err != nil {
			return fmt.Errorf("sqlstore: storing %d reports: %w", len(rows), err)
		}
		return nil
	}
	if err := put(uniq, "\nON CONFLICT (id) DO NOTHING"); err != nil {
		return err
	}
	inserted := make(map[string]bool, len(done))
	for _, st := range done {
		inserted[st.r.id] = true
		added = append(added, st.r)
	}
	if len(done) < len(uniq) {
		var existing []*row
		for _, r := range uniq {
			if !inserted[r.id] {
				existing = append(existing, r)
			}
		}
		olds, err := s.oldRows(ctx, tx, existing)
		if err != nil {
			return err
		}
		n := len(done)
		if err := put(existing, reportsConflict); err != nil {
			return err
		}
		for _, st := range done[n:] {
			o, found := olds[st.r.id]
			switch {
			case !found: // pruned meanwhile
				added = append(added, st.r)
			case !o.sameCells(st.r):
				rbs = append(rbs, rebuildOf(o.timeNS, o.signature, o.typ, o.value), rebuildOf(st.r.timeNS, st.r.signature, st.r.typ, st.r.value))
			}
		}
	}
	if len(done) == 0 {
		return nil // older revisions only
	}
	slices.SortFunc(done, func(a, b stored) int { return cmp.Compare(a.rid, b.rid) })
	latest := map[string]*row{} // the batch's latest fault of each resource
	for _, st := range done {
		if res := st.r.resource; res != "" {
			if cur := latest[res]; cur == nil || s.foldFault(cur, st.r) {
				latest[res] = st.r
			}
		}
	}
	// The bodies, the faults and the summary cells in one statement, of
	// arrays (one text whatever the batch, prepared once per connection):
	// one round trip. The cells come last, so that a busy group's cells
	// are locked from here to the commit only.
	var a pgArrays
	for _, st := range done {
		a.rids = append(a.rids, st.rid)
		a.bodies = append(a.bodies, st.r.report)
	}
	for _, r := range slices.SortedFunc(maps.Values(latest), func(a, b *row) int { return strings.Compare(a.resource, b.resource) }) {
		a.fResource = append(a.fResource, r.resource)
		a.fID = append(a.fID, r.id)
		a.fTime = append(a.fTime, r.timeNS)
		a.fDetailed = append(a.fDetailed, r.detailed)
	}
	hs, us := cellsOf(added)
	for _, c := range hs {
		a.hHour = append(a.hHour, c.hour)
		a.hUnsigned = append(a.hUnsigned, c.k.unsigned)
		a.hKey = append(a.hKey, c.k.key)
		a.hTopic = append(a.hTopic, c.topic)
		a.hN = append(a.hN, c.n)
		a.hFirst = append(a.hFirst, c.first)
		a.hLast = append(a.hLast, c.last)
	}
	for _, c := range us {
		a.uDay = append(a.uDay, c.day)
		a.uUnsigned = append(a.uUnsigned, c.k.unsigned)
		a.uKey = append(a.uKey, c.k.key)
		a.uURL = append(a.uURL, c.url)
		a.uN = append(a.uN, c.n)
		a.uLast = append(a.uLast, c.last)
	}
	window := s.opts.FaultWindow.Nanoseconds()
	if _, err := tx.ExecContext(ctx, s.rebind(restPG), a.rids, a.bodies, a.fResource, a.fID, a.fTime, a.fDetailed, window, window,
		a.hHour, a.hUnsigned, a.hKey, a.hTopic, a.hN, a.hFirst, a.hLast,
		a.uDay, a.uUnsigned, a.uKey, a.uURL, a.uN, a.uLast); err != nil {
		return fmt.Errorf("sqlstore: storing %d reports: %w", len(done), err)
	}
	return s.rebuildCells(ctx, tx, rbs)
}

// pgArrays are the arguments of restPG, a column each.
type pgArrays struct {
	rids                         []int64
	bodies                       [][]byte
	fResource, fID               []string
	fTime, fDetailed             []int64
	hHour, hUnsigned, hN, hFirst []int64
	hKey, hTopic, hLast          []string
	uDay, uUnsigned, uN          []int64
	uKey, uURL, uLast            []string
}

// restPG stores a batch's bodies, latest faults and summary cells, given as
// arrays (PostgreSQL), the first ones in data-modifying WITH queries, which
// PostgreSQL runs to completion whatever the last one reads.
const restPG = `WITH b AS (INSERT INTO oops_report_bodies (rid, report)
	SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BYTEA[]))` + bodiesConflict + `),
f AS (INSERT INTO oops_latest_faults (resource, id, time_ns, detailed)
	SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]))` + faultsConflict + `),
h AS (INSERT INTO oops_group_hours (hour_ns, unsigned, gkey, topic, n, first_ns, last_key)
	SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
		CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]))
	ON CONFLICT (hour_ns, unsigned, gkey, topic) DO UPDATE SET n = oops_group_hours.n + excluded.n,
		first_ns = LEAST(oops_group_hours.first_ns, excluded.first_ns),
		last_key = GREATEST(oops_group_hours.last_key, excluded.last_key))
INSERT INTO oops_group_day_urls (day_ns, unsigned, gkey, url, n, last_key)
	SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
		CAST(? AS BIGINT[]), CAST(? AS TEXT[]))
	ON CONFLICT (day_ns, unsigned, gkey, url) DO UPDATE SET n = oops_group_day_urls.n + excluded.n,
		last_key = GREATEST(oops_group_day_urls.last_key, excluded.last_key)`

// oldRows returns the summary columns of the stored reports of rows, by
// id, and locks them until the transaction ends (PostgreSQL).
func (s *Store) oldRows(ctx context.Context, tx *sql.Tx, rows []*row) (map[string]*oldRow, error) {
	out := map[string]*oldRow{}
	const chunk = 5000
	for i := 0; i < len(rows); i += chunk {
		part := rows[i:min(len(rows), i+chunk)]
		args := make([]string, len(part))
		for j, r := range part {
			args[j] = r.id
		}
		res, err := tx.QueryContext(ctx, s.rebind("SELECT id, time_ns, revision, signature, type, value, topic, url FROM oops_reports WHERE id = ANY(CAST(? AS TEXT[])) ORDER BY id FOR UPDATE"), args)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: reading the stored revisions: %w", err)
		}
		for res.Next() {
			var id string
			o := new(oldRow)
			if err := res.Scan(&id, &o.timeNS, &o.revision, &o.signature, &o.typ, &o.value, &o.topic, &o.url); err != nil {
				res.Close()
				return nil, fmt.Errorf("sqlstore: reading the stored revisions: %w", err)
			}
			out[id] = o
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: reading the stored revisions: %w", err)
		}
	}
	return out, nil
}

// foldFault reports whether f, of the same batch as cur, is the later
// fault of the two, as storing them in time order would leave it.
func (s *Store) foldFault(cur, f *row) bool {
	first, second := cur, f
	if f.timeNS < cur.timeNS || (f.timeNS == cur.timeNS && f.id < cur.id) {
		first, second = f, cur
	}
	winner := first
	if replacesFault(first, second, s.opts.FaultWindow.Nanoseconds()) {
		winner = second
	}
	return winner == f
}

// tuples returns n copies of tuple, separated by commas.
func tuples(tuple string, n int) string {
	var b strings.Builder
	b.Grow(n * (len(tuple) + 2))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}
