package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	err = s.db.QueryRowContext(ctx, s.rebind("SELECT report FROM oops_reports WHERE id = ?"), canon).Scan(&b)
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

// Groups returns the reports q matches grouped by signature, the most
// frequent first (then the most recent, then by signature), at most
// q.PageSize() groups. Each group's type, value, status and example are its
// latest report's; its topics and URLs are the most common non-empty ones
// (ties by value), each with its latest report as the example.
func (s *Store) Groups(ctx context.Context, q store.Query) ([]store.Group, error) {
	w, args := s.where(q)
	args = append(args, q.PageSize())
	rows, err := s.db.QueryContext(ctx, s.rebind("SELECT signature, COUNT(*), MIN(time_ns), MAX(time_ns) FROM oops_reports"+w+
		" GROUP BY signature ORDER BY COUNT(*) DESC, MAX(time_ns) DESC, signature LIMIT ?"), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: grouping: %w", err)
	}
	var groups []store.Group
	for rows.Next() {
		var g store.Group
		var first, last int64
		if err := rows.Scan(&g.Signature, &g.Count, &first, &last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: grouping: %w", err)
		}
		g.First, g.Last = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: grouping: %w", err)
	}
	for i := range groups {
		if err := s.fillGroup(ctx, q, &groups[i]); err != nil {
			return nil, err
		}
	}
	return groups, nil
}

func (s *Store) fillGroup(ctx context.Context, q store.Query, g *store.Group) error {
	// The group's own signature, "" included (where skips an empty filter).
	q.Signature = ""
	sig := cond{"signature = ?", []any{g.Signature}}
	w, args := s.where(q, sig)
	var status int64
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT id, type, value, status FROM oops_reports"+w+
		" ORDER BY time_ns DESC, id DESC LIMIT 1"), args...).Scan(&g.ExampleID, &g.Type, &g.Value, &status)
	if err != nil {
		return fmt.Errorf("sqlstore: grouping %q: %w", g.Signature, err)
	}
	g.Status = int(status)
	if g.Topics, err = s.top(ctx, q, sig, "topic"); err != nil {
		return err
	}
	g.URLs, err = s.top(ctx, q, sig, "url")
	return err
}

// top returns the most common non-empty values of col among the reports q
// matches, with the latest report of each.
func (s *Store) top(ctx context.Context, q store.Query, sig cond, col string) ([]store.Count, error) {
	w, args := s.where(q, sig, cond{sql: col + " <> ''"})
	args = append(args, store.MaxTop)
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT v, n, id FROM (
	SELECT `+col+` AS v, id, COUNT(*) OVER (PARTITION BY `+col+`) AS n,
		ROW_NUMBER() OVER (PARTITION BY `+col+` ORDER BY time_ns DESC, id DESC) AS rn
	FROM oops_reports`+w+`) t WHERE rn = 1 ORDER BY n DESC, v LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: grouping by %s: %w", col, err)
	}
	defer rows.Close()
	var out []store.Count
	for rows.Next() {
		var c store.Count
		if err := rows.Scan(&c.Value, &c.N, &c.ExampleID); err != nil {
			return nil, fmt.Errorf("sqlstore: grouping by %s: %w", col, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
