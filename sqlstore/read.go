package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// Get returns the report stored under id, taken as people paste it (see
// oops.ParseID): an id that is no id wraps oops.ErrBadID, a missing report
// store.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*oops.Report, error) {
	canon, err := oops.ParseID(id)
	if err != nil {
		return nil, err
	}
	var b []byte
	err = s.db.QueryRowContext(ctx, s.rebind("SELECT b.report FROM oops_reports r JOIN oops_report_bodies b ON b.rid = r.rid WHERE r.id = ?"), canon).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: %s: %w", canon, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading %s: %w", canon, err)
	}
	return decode(canon, b)
}

func decode(id string, b []byte) (*oops.Report, error) {
	r := new(oops.Report)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("sqlstore: decoding %s: %w", id, err)
	}
	return r, nil
}

const summaryColumns = `id, time_ns, type, value, level, signature, topic, reporter, hostname, url, username,
	resource, trace_id, status, duration, statements, sql_time_ns`

func scanSummary(rows *sql.Rows) (store.Summary, error) {
	var s store.Summary
	var ns, status, statements, sqlTime int64
	err := rows.Scan(&s.ID, &ns, &s.Type, &s.Value, &s.Level, &s.Signature, &s.Topic, &s.Reporter,
		&s.Hostname, &s.URL, &s.Username, &s.Resource, &s.TraceID, &status, &s.Duration, &statements, &sqlTime)
	s.Time = time.Unix(0, ns).UTC()
	s.Status, s.Statements, s.SQLTime = int(status), int(statements), time.Duration(sqlTime)
	return s, err
}

// where returns the WHERE clause (with its leading " WHERE ", or "") and
// arguments of q's filters, with the meaning of store.Query.Matches.
func (s *Store) where(q store.Query, extra ...cond) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg ...any) {
		conds = append(conds, cond)
		args = append(args, arg...)
	}
	if !q.From.IsZero() {
		add("time_ns >= ?", timeNS(q.From))
	}
	if !q.To.IsZero() {
		add("time_ns < ?", timeNS(q.To))
	}
	for _, f := range []struct{ col, v string }{
		{"signature", q.Signature}, {"type", q.Type}, {"topic", q.Topic}, {"reporter", q.Reporter},
	} {
		if f.v != "" {
			add(f.col+" = ?", column(f.v))
		}
	}
	if q.Resource != "" {
		// "<> ''" lets both databases use the partial index.
		add("resource = ? AND resource <> ''", column(q.Resource))
	}
	if q.Text != "" {
		add(`value_fold LIKE ? ESCAPE '\'`, "%"+escapeLike(fold(column(q.Text)))+"%")
	}
	for _, c := range extra {
		add(c.sql, c.args...)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// A cond is a condition beyond a query's filters.
type cond struct {
	sql  string
	args []any
}

// escapeLike escapes LIKE's wildcards, so that user text matches as text.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, `\%_`) {
		return s
	}
	var b strings.Builder
	for _, c := range []byte(s) {
		if c == '\\' || c == '%' || c == '_' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// List returns the summaries of the reports q matches, newest first (then by
// id, descending), one page at a time.
func (s *Store) List(ctx context.Context, q store.Query) (store.Page, error) {
	var extra []cond
	if q.Cursor != "" {
		p, err := store.DecodeCursor(q.Cursor)
		if err != nil {
			return store.Page{}, err
		}
		ns := timeNS(p.Time)
		extra = append(extra, cond{"(time_ns < ? OR (time_ns = ? AND id < ?))", []any{ns, ns, p.ID}})
	}
	w, args := s.where(q, extra...)
	n := q.PageSize()
	args = append(args, n+1)
	rows, err := s.db.QueryContext(ctx, s.rebind("SELECT "+summaryColumns+" FROM oops_reports"+w+
		" ORDER BY time_ns DESC, id DESC LIMIT ?"), args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("sqlstore: listing: %w", err)
	}
	defer rows.Close()
	page := store.Page{Reports: make([]store.Summary, 0, min(n, 64))}
	for rows.Next() {
		sum, err := scanSummary(rows)
		if err != nil {
			return store.Page{}, fmt.Errorf("sqlstore: listing: %w", err)
		}
		page.Reports = append(page.Reports, sum)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, fmt.Errorf("sqlstore: listing: %w", err)
	}
	if len(page.Reports) > n {
		page.Reports = page.Reports[:n]
		last := page.Reports[n-1]
		page.Next = store.EncodeCursor(store.Position{Time: last.Time, ID: last.ID})
	}
	return page, nil
}

// Groups returns the reports q matches grouped as store.Grouper groups them:
// by signature, reports without one by type and value; the most frequent
// first (then the most recently seen, then by signature and example id), at
// most q.PageSize() groups. Each group's type, value, status and example
// are its latest report's (by time, then id); its topics and URLs are the
// most common non-empty ones (ties by value), each with its latest report as
// the example.
//
// A query that filters by time and signature only (the summaries of the
// console and of oops summary) is answered from the group summaries that
// Publish keeps: each whole hour of the range from its counts by group and
// topic, each whole UTC day from its counts by group and URL, and only the
// parts of the range before the first and after the last whole hour (or
// day, for the URLs of the groups returned) from the reports themselves. A
// query with another filter (type, topic, reporter, resource or text) is
// answered by reading the reports it matches, twice (by topic, by URL).
// "The latest of each" is the maximum of a key that sorts by time and then
// id (latestKey).
func (s *Store) Groups(ctx context.Context, q store.Query) ([]store.Group, error) {
	if summarized(q) {
		return s.groupsOfSummaries(ctx, q)
	}
	return s.groupsByScan(ctx, q)
}

// groupsByScan groups the reports q matches by reading them.
func (s *Store) groupsByScan(ctx context.Context, q store.Query) ([]store.Group, error) {
	type acc struct {
		g      store.Group
		key    string
		topics []store.Count
	}
	byKey := map[string]*acc{}
	err := s.groupPass(ctx, q, "topic", false, func(k groupKey, v string, n int, first, last int64, key string) {
		a := byKey[k.String()]
		if a == nil {
			a = &acc{g: store.Group{Signature: k.sig, First: time.Unix(0, first).UTC(), Last: time.Unix(0, last).UTC()}}
			byKey[k.String()] = a
		}
		a.g.Count += n
		if t := time.Unix(0, first).UTC(); t.Before(a.g.First) {
			a.g.First = t
		}
		if t := time.Unix(0, last).UTC(); t.After(a.g.Last) {
			a.g.Last = t
		}
		if key > a.key {
			a.key = key
		}
		if v != "" {
			a.topics = append(a.topics, store.Count{Value: v, N: n, ExampleID: idOfKey(key)})
		}
	})
	if err != nil {
		return nil, err
	}
	groups := make([]store.Group, 0, len(byKey))
	keys := make(map[string]string, len(byKey)) // example id → group key
	for k, a := range byKey {
		a.g.ExampleID = idOfKey(a.key)
		a.g.Topics = topCounts(a.topics)
		groups = append(groups, a.g)
		keys[a.g.ExampleID] = k
	}
	slices.SortFunc(groups, func(a, b store.Group) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.Last.Compare(a.Last),
			strings.Compare(a.Signature, b.Signature), strings.Compare(a.ExampleID, b.ExampleID))
	})
	groups = groups[:min(len(groups), q.PageSize())]
	if len(groups) == 0 {
		return groups, nil
	}
	if err := s.latestOfGroups(ctx, groups); err != nil {
		return nil, err
	}
	index := make(map[string]int, len(groups))
	for i, g := range groups {
		index[keys[g.ExampleID]] = i
	}
	urls := make([][]store.Count, len(groups))
	err = s.groupPass(ctx, q, "url", true, func(k groupKey, v string, n int, _, _ int64, key string) {
		if i, ok := index[k.String()]; ok && v != "" {
			urls[i] = append(urls[i], store.Count{Value: v, N: n, ExampleID: idOfKey(key)})
		}
	})
	if err != nil {
		return nil, err
	}
	for i, cs := range urls {
		groups[i].URLs = topCounts(cs)
	}
	return groups, nil
}

// A groupKey is what store.Grouper groups by: the signature, or for a
// report without one, its type and value.
type groupKey struct{ sig, typ, value string }

func (k groupKey) String() string {
	if k.sig != "" {
		return k.sig
	}
	return "\x00" + k.typ + "\x00" + k.value
}

// groupPass counts the reports q matches by group and col (topic or url),
// calling f for each pair with the count, the first and last times and the
// latest key: the signed reports from the time index, the unsigned ones by
// type and value from their rows.
//
// With top, only the store.MaxTop most common non-empty values of each
// group come back (the database ranks them), for a column such as url whose
// values are many.
func (s *Store) groupPass(ctx context.Context, q store.Query, col string, top bool,
	f func(k groupKey, v string, n int, first, last int64, key string)) error {
	agg := ", COUNT(*) AS n, MIN(time_ns) AS first, MAX(time_ns) AS last, MAX(" + s.latestKey() + ") AS k"
	query := func(keys, part, extra string) (string, []any) {
		conds := []cond{{sql: extra}}
		if top {
			conds = append(conds, cond{sql: col + " <> ''"})
		}
		w, args := s.where(q, conds...)
		index := ""
		if extra == "signature <> ''" {
			index = s.groupIndex(q)
		}
		sel := "SELECT " + keys + ", " + col + " AS v" + agg
		group := " GROUP BY " + part + ", " + col
		if !top {
			return sel + " FROM oops_reports" + index + w + group, args
		}
		return "SELECT * FROM (" + sel + ", ROW_NUMBER() OVER (PARTITION BY " + part +
			" ORDER BY COUNT(*) DESC, " + col + ") AS rn FROM oops_reports" + index + w + group +
			") t WHERE rn <= " + strconv.Itoa(store.MaxTop), args
	}
	sq, args := query("signature, '', ''", "signature", "signature <> ''")
	if err := s.groupQuery(ctx, sq, args, top, f); err != nil {
		return err
	}
	if q.Signature != "" {
		return nil
	}
	sq, args = query("'', type, value", "type, value", "signature = ''")
	return s.groupQuery(ctx, sq, args, top, f)
}

func (s *Store) groupQuery(ctx context.Context, query string, args []any, ranked bool,
	f func(k groupKey, v string, n int, first, last int64, key string)) error {
	rows, err := s.db.QueryContext(ctx, s.rebind(query), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: grouping: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k groupKey
		var v, key string
		var n int
		var first, last int64
		dst := []any{&k.sig, &k.typ, &k.value, &v, &n, &first, &last, &key}
		if ranked {
			dst = append(dst, new(int64))
		}
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("sqlstore: grouping: %w", err)
		}
		f(k, v, n, first, last, key)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: grouping: %w", err)
	}
	return nil
}

// topCounts returns the store.MaxTop largest of cs, ties by value, or nil.
func topCounts(cs []store.Count) []store.Count {
	if len(cs) == 0 {
		return nil
	}
	slices.SortFunc(cs, func(a, b store.Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Value, b.Value))
	})
	return cs[:min(len(cs), store.MaxTop):min(len(cs), store.MaxTop)]
}

// latestKey is an SQL expression that sorts as (time_ns, id): the time made
// non-negative (timeNS keeps it within ±2⁶²) in 19 digits, then the id.
// idOfKey reads the id back.
func (s *Store) latestKey() string {
	if s.dialect == PostgreSQL {
		return `(lpad((time_ns + 4611686018427387904)::text, 19, '0') || id) COLLATE "C"`
	}
	// A number's text sorts as the number when all have 19 digits, as
	// lastKey makes them.
	return `printf('%019d', time_ns + 4611686018427387904) || id`
}

// groupIndex names, for SQLite, the index that groupsByScan reads when q
// filters by time or text only: the day's reports by time, rather than a
// skip-scan of the signature index that SQLite's planner, seeing few
// signatures, would choose.
func (s *Store) groupIndex(q store.Query) string {
	if s.dialect != SQLite || q.Signature != "" || q.Type != "" || q.Topic != "" || q.Reporter != "" || q.Resource != "" {
		return ""
	}
	return " INDEXED BY oops_reports_time"
}

func idOfKey(key string) string {
	if len(key) < 19 {
		return ""
	}
	return key[19:]
}

// latestOfGroups fills each group's type, value and status from its latest
// report.
func (s *Store) latestOfGroups(ctx context.Context, groups []store.Group) error {
	byID := make(map[string]*store.Group, len(groups))
	ph := make([]string, 0, len(groups))
	args := make([]any, 0, len(groups))
	for i := range groups {
		byID[groups[i].ExampleID] = &groups[i]
		ph = append(ph, "?")
		args = append(args, groups[i].ExampleID)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind("SELECT id, type, value, status FROM oops_reports WHERE id IN ("+
		strings.Join(ph, ", ")+")"), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: grouping: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, typ, value string
		var status int64
		if err := rows.Scan(&id, &typ, &value, &status); err != nil {
			return fmt.Errorf("sqlstore: grouping: %w", err)
		}
		if g := byID[id]; g != nil {
			g.Type, g.Value, g.Status = typ, value, int(status)
		}
	}
	return rows.Err()
}
