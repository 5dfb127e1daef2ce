package sqlstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The group summaries (migration 0002): oops_group_hours counts each hour's
// reports by group and topic, oops_group_day_urls each day's by group and
// URL. Publish adds a new report to its two cells; a report replaced by a
// revision that moves it (another time, signature, type, value, topic or
// URL) has the cells it leaves and the cells it joins counted again from the
// reports (rebuild), and so has Prune for the hour and the day it cuts.

const (
	hourNS = int64(3600e9)
	dayNS  = 24 * hourNS
)

// floorTo returns the start of the bucket of size d that holds ns.
func floorTo(ns, d int64) int64 {
	m := ns % d
	if m < 0 {
		m += d
	}
	return ns - m
}

// ceilTo returns the start of the first bucket of size d at or after ns.
func ceilTo(ns, d int64) int64 {
	f := floorTo(ns, d)
	if f == ns || f > math.MaxInt64-d {
		return f
	}
	return f + d
}

// A gkey is a group as the summaries name it: the signature, or for a report
// without one a hash of its type and value (so that the key stays short
// enough for PostgreSQL's indexes).
type gkey struct {
	unsigned int64
	key      string
}

func keyOf(sig, typ, value string) gkey {
	if sig != "" {
		return gkey{0, sig}
	}
	h := sha256.Sum256([]byte(typ + "\x00" + value))
	return gkey{1, hex.EncodeToString(h[:16])}
}

func (r *row) gkey() gkey { return keyOf(r.signature, r.typ, r.value) }

// lastKey is latestKey's value for a report: it sorts as (time, id).
func lastKey(ns int64, id string) string {
	return fmt.Sprintf("%019d", ns+4611686018427387904) + id
}

// An old row is what a report replaced had in its summary cells.
type oldRow struct {
	timeNS, revision                  int64
	signature, typ, value, topic, url string
}

// sameCells reports whether r counts in the summaries exactly as o did.
func (o *oldRow) sameCells(r *row) bool {
	return o.timeNS == r.timeNS && o.signature == r.signature && o.typ == r.typ && o.value == r.value &&
		o.topic == r.topic && o.url == r.url
}

const oldRowSQL = "SELECT time_ns, revision, signature, type, value, topic, url FROM oops_reports WHERE id = ?"

// A querier is a transaction or a connection.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// hourSQL and urlSQL add counts to n cells (with ? placeholders);
// addHourSQL and addURLSQL are the same in the store's dialect.
func (s *Store) hourSQL(n int) string {
	lo, hi := "min", "max"
	if s.dialect == PostgreSQL {
		lo, hi = "LEAST", "GREATEST"
	}
	return `INSERT INTO oops_group_hours (hour_ns, unsigned, gkey, topic, n, first_ns, last_key) VALUES ` +
		tuples("(?, ?, ?, ?, ?, ?, ?)", n) + `
ON CONFLICT (hour_ns, unsigned, gkey, topic) DO UPDATE SET n = oops_group_hours.n + excluded.n,
	first_ns = ` + lo + `(oops_group_hours.first_ns, excluded.first_ns),
	last_key = ` + hi + `(oops_group_hours.last_key, excluded.last_key)`
}

func (s *Store) urlSQL(n int) string {
	hi := "max"
	if s.dialect == PostgreSQL {
		hi = "GREATEST"
	}
	return `INSERT INTO oops_group_day_urls (day_ns, unsigned, gkey, url, n, last_key) VALUES ` +
		tuples("(?, ?, ?, ?, ?, ?)", n) + `
ON CONFLICT (day_ns, unsigned, gkey, url) DO UPDATE SET n = oops_group_day_urls.n + excluded.n,
	last_key = ` + hi + `(oops_group_day_urls.last_key, excluded.last_key)`
}

func (s *Store) addHourSQL(n int) string { return s.rebind(s.hourSQL(n)) }

func (s *Store) addURLSQL(n int) string { return s.rebind(s.urlSQL(n)) }

// hourCell and urlCell are cells with their counts, as added.
type hourCell struct {
	hour  int64
	k     gkey
	topic string
	n     int64
	first int64
	last  string
}

type urlCell struct {
	day  int64
	k    gkey
	url  string
	n    int64
	last string
}

// cellsOf returns the cells rows add to, with what they add, in key order
// (PostgreSQL's lock order).
func cellsOf(rows []*row) ([]*hourCell, []*urlCell) {
	hours := make(map[hourCell]*hourCell, len(rows))
	urls := make(map[urlCell]*urlCell, len(rows))
	for _, r := range rows {
		k := r.gkey()
		key := lastKey(r.timeNS, r.id)
		hk := hourCell{hour: floorTo(r.timeNS, hourNS), k: k, topic: r.topic}
		if c := hours[hk]; c != nil {
			c.n++
			c.first = min(c.first, r.timeNS)
			c.last = max(c.last, key)
		} else {
			c := hk
			c.n, c.first, c.last = 1, r.timeNS, key
			hours[hk] = &c
		}
		if r.url == "" {
			continue
		}
		uk := urlCell{day: floorTo(r.timeNS, dayNS), k: k, url: r.url}
		if c := urls[uk]; c != nil {
			c.n++
			c.last = max(c.last, key)
		} else {
			c := uk
			c.n, c.last = 1, key
			urls[uk] = &c
		}
	}
	hs := make([]*hourCell, 0, len(hours))
	for _, c := range hours {
		hs = append(hs, c)
	}
	slices.SortFunc(hs, func(a, b *hourCell) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.k.unsigned, b.k.unsigned),
			strings.Compare(a.k.key, b.k.key), strings.Compare(a.topic, b.topic))
	})
	us := make([]*urlCell, 0, len(urls))
	for _, c := range urls {
		us = append(us, c)
	}
	slices.SortFunc(us, func(a, b *urlCell) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.k.unsigned, b.k.unsigned),
			strings.Compare(a.k.key, b.k.key), strings.Compare(a.url, b.url))
	})
	return hs, us
}

// addCells adds the counts of new reports to the summaries, one statement
// per table and chunk of cells.
func (s *Store) addCells(ctx context.Context, q querier, rows []*row) error {
	hs, us := cellsOf(rows)
	nh, nu := len(hs), len(us)
	hourArgs := make([]any, 0, 7*nh)
	for _, c := range hs {
		hourArgs = append(hourArgs, c.hour, c.k.unsigned, c.k.key, c.topic, c.n, c.first, c.last)
	}
	urlArgs := make([]any, 0, 6*nu)
	for _, c := range us {
		urlArgs = append(urlArgs, c.day, c.k.unsigned, c.k.key, c.url, c.n, c.last)
	}
	const chunk = 1000 // 7 arguments a cell: within PostgreSQL's 65535
	for i := 0; i < nh; i += chunk {
		n := min(nh-i, chunk)
		if err := s.execCells(ctx, q, s.addHour1, s.addHourSQL, n, hourArgs[7*i:7*(i+n)]); err != nil {
			return fmt.Errorf("sqlstore: counting groups: %w", err)
		}
	}
	for i := 0; i < nu; i += chunk {
		n := min(nu-i, chunk)
		if err := s.execCells(ctx, q, s.addURL1, s.addURLSQL, n, urlArgs[6*i:6*(i+n)]); err != nil {
			return fmt.Errorf("sqlstore: counting groups: %w", err)
		}
	}
	return nil
}

// execCells runs the statement that adds n cells: one prepared for the store
// when n is 1 (a lone report's commit), else made for n.
func (s *Store) execCells(ctx context.Context, q querier, one *sql.Stmt, sqlFor func(int) string, n int, args []any) error {
	if n == 1 && one != nil {
		switch q := q.(type) {
		case *scope:
			_, err := q.stmt(ctx, one).ExecContext(ctx, args...)
			return err
		case *sql.Tx:
			_, err := q.StmtContext(ctx, one).ExecContext(ctx, args...)
			return err
		}
	}
	_, err := q.ExecContext(ctx, sqlFor(n), args...)
	return err
}

// A rebuild is a group in a time range whose cells are counted again from
// the reports: all groups when all is set.
type rebuild struct {
	from, to        int64 // a whole number of days
	all             bool
	sig, typ, value string
}

// rebuildOf returns the rebuild of the day that holds a report at ns of the
// given group (the day's hours and its URLs).
func rebuildOf(ns int64, sig, typ, value string) rebuild {
	d := floorTo(ns, dayNS)
	return rebuild{from: d, to: d + dayNS, sig: sig, typ: typ, value: value}
}

// rebuildCells counts the cells of each rebuild again from the reports.
func (s *Store) rebuildCells(ctx context.Context, q querier, rbs []rebuild) error {
	slices.SortFunc(rbs, func(a, b rebuild) int {
		return cmp.Or(cmp.Compare(a.from, b.from), strings.Compare(a.sig, b.sig), strings.Compare(a.typ, b.typ),
			strings.Compare(a.value, b.value))
	})
	rbs = slices.Compact(rbs)
	for _, rb := range rbs {
		if err := s.rebuildOne(ctx, q, rb); err != nil {
			return fmt.Errorf("sqlstore: counting groups again: %w", err)
		}
	}
	return nil
}

func (s *Store) rebuildOne(ctx context.Context, q querier, rb rebuild) error {
	// The cells to drop, and the reports to count.
	delCond, cond := "", "time_ns >= ? AND time_ns < ?"
	delArgs := []any{}
	args := []any{rb.from, rb.to}
	if !rb.all {
		k := keyOf(rb.sig, rb.typ, rb.value)
		delCond = " AND unsigned = ? AND gkey = ?"
		delArgs = append(delArgs, k.unsigned, k.key)
		cond += " AND signature = ?"
		args = append(args, rb.sig)
		if rb.sig == "" {
			cond += " AND type = ? AND value = ?"
			args = append(args, rb.typ, rb.value)
		}
	}
	if _, err := q.ExecContext(ctx, s.rebind("DELETE FROM oops_group_hours WHERE hour_ns >= ? AND hour_ns < ?"+delCond),
		append([]any{rb.from, rb.to}, delArgs...)...); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, s.rebind("DELETE FROM oops_group_day_urls WHERE day_ns >= ? AND day_ns < ?"+delCond),
		append([]any{rb.from, rb.to}, delArgs...)...); err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, s.rebind("SELECT signature, type, value, topic, url, time_ns, id FROM oops_reports WHERE "+cond), args...)
	if err != nil {
		return err
	}
	var rs []*row
	for rows.Next() {
		r := new(row)
		if err := rows.Scan(&r.signature, &r.typ, &r.value, &r.topic, &r.url, &r.timeNS, &r.id); err != nil {
			rows.Close()
			return err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return s.addCells(ctx, q, rs)
}

// backfill counts every stored report into the summaries, a day at a time
// (migration 0002 on a database that holds reports).
func (s *Store) backfill(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "SELECT MIN(time_ns), MAX(time_ns) FROM oops_reports")
	if err != nil {
		return err
	}
	var lo, hi sql.NullInt64
	if rows.Next() {
		err = rows.Scan(&lo, &hi)
	}
	rows.Close()
	if err != nil || !lo.Valid {
		return err
	}
	for d := floorTo(lo.Int64, dayNS); d <= hi.Int64; d += dayNS {
		if err := s.rebuildOne(ctx, q, rebuild{from: d, to: d + dayNS, all: true}); err != nil {
			return fmt.Errorf("sqlstore: counting the groups of the stored reports: %w", err)
		}
		if d > math.MaxInt64-dayNS {
			break
		}
	}
	return nil
}
