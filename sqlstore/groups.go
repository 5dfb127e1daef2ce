package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oops-go/oops/store"
)

// summarized reports whether the group summaries can answer q: they count
// reports by time, group, topic and URL, so a filter on anything else (or on
// the topic, since the URL counts do not hold it) needs the reports.
func summarized(q store.Query) bool {
	return q.Type == "" && q.Topic == "" && q.Reporter == "" && q.Resource == "" && q.Text == ""
}

// A tallyKey is a count with the latest key of what it counts.
type tallyKey struct {
	n    int
	last string
}

func (t *tallyKey) add(n int, last string) {
	t.n += n
	t.last = max(t.last, last)
}

// A groupAcc is a group being counted from cells.
type groupAcc struct {
	k      gkey
	n      int
	first  int64
	last   string
	topics map[string]*tallyKey
}

// timeOfKey returns the time a lastKey holds.
func timeOfKey(key string) time.Time {
	var ns int64
	if len(key) >= 19 {
		for _, c := range key[:19] {
			ns = ns*10 + int64(c-'0')
		}
	}
	return time.Unix(0, ns-4611686018427387904).UTC()
}

// groupsOfSummaries answers Groups from the group summaries (see Groups).
func (s *Store) groupsOfSummaries(ctx context.Context, q store.Query) ([]store.Group, error) {
	// Unbounded is the whole range a time column holds (timeNS).
	from, to := int64(-1<<62), int64(1<<62)+1
	if !q.From.IsZero() {
		from = timeNS(q.From)
	}
	if !q.To.IsZero() {
		to = timeNS(q.To)
	}
	if from >= to {
		return []store.Group{}, nil
	}
	sig := ""
	if q.Signature != "" {
		sig = column(q.Signature)
	}
	accs := map[gkey]*groupAcc{}
	add := func(k gkey, topic string, n int, first int64, last string) {
		a := accs[k]
		if a == nil {
			a = &groupAcc{k: k, first: first, topics: map[string]*tallyKey{}}
			accs[k] = a
		}
		a.n += n
		a.first = min(a.first, first)
		a.last = max(a.last, last)
		if topic != "" {
			t := a.topics[topic]
			if t == nil {
				t = &tallyKey{}
				a.topics[topic] = t
			}
			t.add(n, last)
		}
	}
	hlo, hhi := ceilTo(from, hourNS), floorTo(to, hourNS)
	if hlo < hhi {
		query := "SELECT unsigned, gkey, topic, CAST(SUM(n) AS BIGINT), MIN(first_ns), MAX(last_key) FROM oops_group_hours WHERE hour_ns >= ? AND hour_ns < ?"
		args := []any{hlo, hhi}
		if sig != "" {
			query += " AND unsigned = 0 AND gkey = ?"
			args = append(args, sig)
		}
		rows, err := s.db.QueryContext(ctx, s.rebind(query+" GROUP BY unsigned, gkey, topic"), args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: grouping: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k gkey
			var topic, last string
			var n int
			var first int64
			if err := rows.Scan(&k.unsigned, &k.key, &topic, &n, &first, &last); err != nil {
				return nil, fmt.Errorf("sqlstore: grouping: %w", err)
			}
			add(k, topic, n, first, last)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: grouping: %w", err)
		}
		rows.Close()
	} else {
		hlo, hhi = to, to // the whole range from the reports
	}
	for _, edge := range [][2]int64{{from, hlo}, {hhi, to}} {
		if edge[0] >= edge[1] {
			continue
		}
		err := s.rawCells(ctx, edge[0], edge[1], sig, "topic", func(k gkey, v string, n int, first int64, last string) {
			add(k, v, n, first, last)
		})
		if err != nil {
			return nil, err
		}
	}

	groups := make([]store.Group, 0, len(accs))
	keys := make(map[string]gkey, len(accs)) // example id → group
	for _, a := range accs {
		g := store.Group{Count: a.n, First: time.Unix(0, a.first).UTC(), Last: timeOfKey(a.last), ExampleID: idOfKey(a.last)}
		if a.k.unsigned == 0 {
			g.Signature = a.k.key
		}
		g.Topics = topOf(a.topics)
		groups = append(groups, g)
		keys[g.ExampleID] = a.k
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
	if err := s.urlsOfGroups(ctx, groups, keys, from, to, sig); err != nil {
		return nil, err
	}
	return groups, nil
}

// rawCells counts the reports in [from, to) (of signature sig, if set) by
// group and col (topic or url; empty URLs left out) from the reports.
func (s *Store) rawCells(ctx context.Context, from, to int64, sig, col string,
	f func(k gkey, v string, n int, first int64, last string)) error {
	query := "SELECT signature, type, value, " + col + ", COUNT(*), MIN(time_ns), MAX(" + s.latestKey() +
		") FROM oops_reports WHERE time_ns >= ? AND time_ns < ?"
	args := []any{from, to}
	if sig != "" {
		query += " AND signature = ?"
		args = append(args, sig)
	}
	if col == "url" {
		query += " AND url <> ''"
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(query+" GROUP BY signature, type, value, "+col), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: grouping: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sg, typ, value, v, last string
		var n int
		var first int64
		if err := rows.Scan(&sg, &typ, &value, &v, &n, &first, &last); err != nil {
			return fmt.Errorf("sqlstore: grouping: %w", err)
		}
		f(keyOf(sg, typ, value), v, n, first, last)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: grouping: %w", err)
	}
	return nil
}

// urlsOfGroups fills each group's most common URLs: for a range of exactly
// one UTC day, the top of each group's URL counts of the day, which the
// index oops_group_day_urls_top holds in order; else the sums of the whole
// days' counts and of the reports of the rest of the range.
func (s *Store) urlsOfGroups(ctx context.Context, groups []store.Group, keys map[string]gkey, from, to int64, sig string) error {
	dlo, dhi := ceilTo(from, dayNS), floorTo(to, dayNS)
	if dlo == from && dhi == to && dhi-dlo == dayNS {
		for i := range groups {
			k := keys[groups[i].ExampleID]
			// The URLs seen more than once from the partial index, in
			// order; then, if fewer than MaxTop, those seen once, by URL.
			cs, err := s.topURLs(ctx, nil, `SELECT url, n, last_key FROM oops_group_day_urls
	WHERE day_ns = ? AND unsigned = ? AND gkey = ? AND n > 1 ORDER BY n DESC, url LIMIT ?`, dlo, k.unsigned, k.key, store.MaxTop)
			if err == nil && len(cs) < store.MaxTop {
				cs, err = s.topURLs(ctx, cs, `SELECT url, n, last_key FROM oops_group_day_urls
	WHERE day_ns = ? AND unsigned = ? AND gkey = ? AND n = 1 ORDER BY url LIMIT ?`, dlo, k.unsigned, k.key, store.MaxTop-len(cs))
			}
			if err != nil {
				return err
			}
			groups[i].URLs = cs
		}
		return nil
	}
	index := make(map[gkey]int, len(groups))
	for i, g := range groups {
		index[keys[g.ExampleID]] = i
	}
	urls := make([]map[string]*tallyKey, len(groups))
	add := func(k gkey, url string, n int, _ int64, last string) {
		i, ok := index[k]
		if !ok {
			return
		}
		if urls[i] == nil {
			urls[i] = map[string]*tallyKey{}
		}
		t := urls[i][url]
		if t == nil {
			t = &tallyKey{}
			urls[i][url] = t
		}
		t.add(n, last)
	}
	if dlo < dhi {
		for k := range index {
			rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT url, CAST(SUM(n) AS BIGINT), MAX(last_key) FROM oops_group_day_urls
	WHERE day_ns >= ? AND day_ns < ? AND unsigned = ? AND gkey = ? GROUP BY url`), dlo, dhi, k.unsigned, k.key)
			if err != nil {
				return fmt.Errorf("sqlstore: grouping: %w", err)
			}
			for rows.Next() {
				var url, last string
				var n int
				if err := rows.Scan(&url, &n, &last); err != nil {
					rows.Close()
					return fmt.Errorf("sqlstore: grouping: %w", err)
				}
				add(k, url, n, 0, last)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("sqlstore: grouping: %w", err)
			}
		}
	} else {
		dlo, dhi = to, to
	}
	for _, edge := range [][2]int64{{from, dlo}, {dhi, to}} {
		if edge[0] >= edge[1] {
			continue
		}
		if err := s.rawCells(ctx, edge[0], edge[1], sig, "url", add); err != nil {
			return err
		}
	}
	for i := range groups {
		groups[i].URLs = topOf(urls[i])
	}
	return nil
}

// topURLs appends to cs the counts query returns.
func (s *Store) topURLs(ctx context.Context, cs []store.Count, query string, args ...any) ([]store.Count, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: grouping: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c store.Count
		var last string
		if err := rows.Scan(&c.Value, &c.N, &last); err != nil {
			return nil, fmt.Errorf("sqlstore: grouping: %w", err)
		}
		c.ExampleID = idOfKey(last)
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: grouping: %w", err)
	}
	return cs, nil
}

// topOf returns the store.MaxTop largest counts of m, ties by value, or nil.
func topOf(m map[string]*tallyKey) []store.Count {
	if len(m) == 0 {
		return nil
	}
	cs := make([]store.Count, 0, len(m))
	for v, t := range m {
		cs = append(cs, store.Count{Value: v, N: t.n, ExampleID: idOfKey(t.last)})
	}
	return topCounts(cs)
}
