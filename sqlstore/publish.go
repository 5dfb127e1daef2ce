package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// MaxColumn bounds, in bytes, the text columns that are searched and
// indexed (PostgreSQL refuses index entries past about 2.7 kB). Longer
// values are cut on a UTF-8 boundary with "…"; the report itself keeps
// them whole. Filters are cut the same way, so that an exact filter still
// finds its reports.
const MaxColumn = store.MaxValue

// CutKey is the Extra key of a report that Publish had to cut (with
// oops.Trim) to fit Options.MaxReportBytes: it lists what was cut.
const CutKey = oops.CutKey

// OriginalIDKey is the Extra key under which Publish keeps the id of a
// report whose id was not an OOPS id (it stores such a report under a new
// id, as datedir does).
const OriginalIDKey = "original_id"

// The statements that store a report, in parts, so that PostgreSQL can
// store a whole batch with one statement per table (see writeRowsPG):
// an INSERT's head, one row's tuple, and its ON CONFLICT clause.
const (
	reportsHead = `INSERT INTO oops_reports (id, time_ns, revision, pending, signature, type, value, value_fold,
	level, topic, reporter, hostname, url, username, resource, trace_id, status, duration, statements,
	sql_time_ns, detailed, cut, size) VALUES `
	reportsTuple = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// A stored report is replaced only by the same or a later revision.
	reportsConflict = `
ON CONFLICT (id) DO UPDATE SET time_ns = excluded.time_ns, revision = excluded.revision,
	pending = excluded.pending, signature = excluded.signature, type = excluded.type,
	value = excluded.value, value_fold = excluded.value_fold, level = excluded.level,
	topic = excluded.topic, reporter = excluded.reporter, hostname = excluded.hostname,
	url = excluded.url, username = excluded.username, resource = excluded.resource,
	trace_id = excluded.trace_id, status = excluded.status, duration = excluded.duration,
	statements = excluded.statements, sql_time_ns = excluded.sql_time_ns,
	detailed = excluded.detailed, cut = excluded.cut, size = excluded.size
WHERE oops_reports.revision <= excluded.revision`

	bodiesHead     = `INSERT INTO oops_report_bodies (rid, report) VALUES `
	bodiesTuple    = `(?, ?)`
	bodiesConflict = `
ON CONFLICT (rid) DO UPDATE SET report = excluded.report`

	faultsHead  = `INSERT INTO oops_latest_faults (resource, id, time_ns, detailed) VALUES `
	faultsTuple = `(?, ?, ?, ?)`
	// The latest fault moves to a report unless the latest is newer, or
	// (with FaultWindow, the two last arguments) the latest has a
	// traceback, the new one has none, and the new one is less than the
	// window later. A republished report always updates its own entry.
	// replacesFault is the same rule in Go.
	faultsConflict = `
ON CONFLICT (resource) DO UPDATE SET id = excluded.id, time_ns = excluded.time_ns, detailed = excluded.detailed
WHERE oops_latest_faults.id = excluded.id
	OR ((excluded.time_ns > oops_latest_faults.time_ns
		OR (excluded.time_ns = oops_latest_faults.time_ns AND excluded.id > oops_latest_faults.id))
	AND NOT (CAST(? AS BIGINT) > 0 AND oops_latest_faults.detailed = 1 AND excluded.detailed = 0
		AND excluded.time_ns - oops_latest_faults.time_ns < CAST(? AS BIGINT)))`
)

// upsertSQL stores a report's columns and returns its rid, or no row when
// the stored report has a higher revision.
const upsertSQL = reportsHead + reportsTuple + reportsConflict + "\nRETURNING rid"

// insertSQL stores a new report's columns, or nothing when the id is stored
// already (SQLite: the statement's changes and last insert rowid tell which,
// and the rid, without the result set a RETURNING clause costs).
const insertSQL = reportsHead + reportsTuple + "\nON CONFLICT (id) DO NOTHING"

// upsertBodySQL stores the whole report under its rid.
const upsertBodySQL = bodiesHead + bodiesTuple + bodiesConflict

// upsertFaultSQL stores one fault.
const upsertFaultSQL = faultsHead + faultsTuple + faultsConflict

// replacesFault is faultsConflict's rule: whether f becomes the latest fault
// of its resource in place of cur.
func replacesFault(cur, f *row, window int64) bool {
	if cur.id == f.id {
		return true
	}
	newer := f.timeNS > cur.timeNS || (f.timeNS == cur.timeNS && f.id > cur.id)
	return newer && !(window > 0 && cur.detailed == 1 && f.detailed == 0 && f.timeNS-cur.timeNS < window)
}

// A row is a report as the columns of oops_reports hold it.
type row struct {
	id                                                       string
	timeNS                                                   int64
	revision, pending                                        int64
	signature, typ, value, valueFold, level, topic, reporter string
	hostname, url, username, resource, traceID               string
	status                                                   int64
	duration                                                 float64
	statements, sqlTimeNS, detailed, cut, size               int64
	report                                                   []byte
}

func (r *row) args() []any {
	return []any{r.id, r.timeNS, r.revision, r.pending, r.signature, r.typ, r.value, r.valueFold,
		r.level, r.topic, r.reporter, r.hostname, r.url, r.username, r.resource, r.traceID,
		r.status, r.duration, r.statements, r.sqlTimeNS, r.detailed, r.cut, r.size}
}

// Publish stores r and returns its id. A report already stored under the
// same id is replaced, unless the stored one has a higher Revision: a
// redelivered older revision does not undo a newer one (it is not an error,
// and its id is returned).
//
// The id is r.ID as oops.ParseID reads it (so "oops-3F2A…" is stored as
// "OOPS-3f2a…"); a report without an id gets a new one, and so does a
// report whose id is no OOPS id, its id being kept under the Extra key
// OriginalIDKey. r is not changed. A report without a time is stored with
// the time of publishing; times are kept to the nanosecond, those before
// 1823 or after 2116 as the nearest of those (the time column holds ±2⁶²
// ns). Text is stored as valid UTF-8 (invalid bytes
// become U+FFFD); the searchable columns also replace NUL bytes, which
// PostgreSQL text cannot hold, and are cut to MaxColumn bytes. A report
// whose encoding passes Options.MaxReportBytes is cut by oops.Trim (largest
// values first, each cut marked and listed under CutKey), or refused with
// ErrTooLarge if that cannot make it fit.
//
// Concurrent calls are written together, in one transaction per batch.
// ctx's cancellation is not heeded once the report is encoded: the report of
// a request that failed by timing out must still be stored;
// Options.WriteTimeout bounds the write instead.
func (s *Store) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	if r == nil {
		return nil, errors.New("sqlstore: nil report")
	}
	rw, err := s.row(r)
	if err != nil {
		return nil, err
	}
	req := &request{row: rw, done: make(chan error, 1)}
	if err := s.enqueue(ctx, req); err != nil {
		return nil, err
	}
	return []string{rw.id}, nil
}

// row encodes r into a row.
func (s *Store) row(r *oops.Report) (*row, error) {
	c := *r // a shallow copy: only its id, time and Extra may change
	if c.ID == "" {
		c.ID = oops.NewID()
	} else if id, err := oops.ParseID(c.ID); err == nil {
		c.ID = id
	} else {
		c.Extra = withExtra(c.Extra, OriginalIDKey, store.Cut(c.ID, 200))
		c.ID = oops.NewID()
	}
	if c.Time.IsZero() {
		c.Time = time.Now()
	}
	c.Time = c.Time.UTC()
	ns := timeNS(c.Time)
	c.Time = time.Unix(0, ns).UTC() // what the column can hold
	if math.IsNaN(c.Duration) || math.IsInf(c.Duration, 0) {
		c.Duration = -1
	}
	b, err := c.MarshalJSON() // not json.Marshal, which would check and compact the output again
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encoding %s: %w", c.ID, err)
	}
	cut := int64(0)
	if len(b) > s.opts.MaxReportBytes {
		// oops.Trim estimates: measure again, and cut more, a few times.
		for i := 0; i < 4 && len(b) > s.opts.MaxReportBytes; i++ {
			c = *oops.Trim(&c, len(b)-s.opts.MaxReportBytes)
			if b, err = c.MarshalJSON(); err != nil {
				return nil, fmt.Errorf("sqlstore: encoding %s: %w", c.ID, err)
			}
		}
		if len(b) > s.opts.MaxReportBytes {
			return nil, fmt.Errorf("%w: %s is %d bytes encoded, more than %d even after cutting", ErrTooLarge, c.ID, len(b), s.opts.MaxReportBytes)
		}
		cut = 1
	}
	sum := store.SummaryOf(&c)
	rw := &row{
		id: c.ID, timeNS: ns, revision: int64(c.Revision), signature: column(sum.Signature),
		typ: column(sum.Type), value: column(sum.Value), level: column(sum.Level),
		topic: column(sum.Topic), reporter: column(sum.Reporter), hostname: column(sum.Hostname),
		url: column(sum.URL), username: column(sum.Username), resource: column(sum.Resource),
		traceID: column(sum.TraceID), status: int64(sum.Status), duration: sum.Duration,
		statements: int64(sum.Statements), sqlTimeNS: int64(sum.SQLTime), cut: cut,
		size: int64(len(b)), report: b,
	}
	rw.valueFold = fold(rw.value)
	if c.Pending {
		rw.pending = 1
	}
	if c.TBText != "" {
		rw.detailed = 1
	}
	return rw, nil
}

func withExtra(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

// column returns s as a searchable column holds it: valid UTF-8 without NUL
// bytes, at most MaxColumn bytes.
func column(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return store.Cut(s, MaxColumn)
}

// fold is the case folding of the free-text filter, store.Query.Matches's.
func fold(s string) string { return strings.ToLower(s) }

// timeNS returns t in Unix nanoseconds, clamped to ±2⁶² ns (the years
// 1823 to 2116), so that the difference of two times never overflows.
func timeNS(t time.Time) int64 {
	const lim = 1 << 62
	lo, hi := time.Unix(0, -lim), time.Unix(0, lim)
	switch {
	case t.Before(lo):
		return -lim
	case t.After(hi):
		return lim
	}
	return t.UnixNano()
}
