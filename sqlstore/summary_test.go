package sqlstore_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

// spread publishes n varied reports over three days from day, at times
// that fall anywhere in their hours, some without a signature, from
// several goroutines (so that they are written in batches), and returns
// them by id.
func spread(t *testing.T, s *sqlstore.Store, n int) map[string]*oops.Report {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	var reports []*oops.Report
	for i := range n {
		r := report(i)
		r.Time = day.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
		if i%7 == 0 {
			r.Time = r.Time.Truncate(time.Hour) // on a bucket's edge
		}
		r.Signature = []string{"sig-a", "sig-b", "sig-c", "", ""}[rng.IntN(5)]
		r.Type = []string{"*pq.Error", "ERROR"}[rng.IntN(2)]
		r.Value = []string{"deadlock", "timeout", "refused"}[rng.IntN(3)]
		r.Topic = []string{"POST /orders", "GET /orders/{id}", "job:invoice", ""}[rng.IntN(4)]
		r.URL = []string{"https://a/x", "https://a/y", "https://a/z", "https://a/w", "https://a/v", "https://a/u", ""}[rng.IntN(7)]
		if rng.IntN(3) == 0 {
			r.URL = fmt.Sprintf("https://a/once/%d", i) // URLs seen once: the top ones by URL
		}
		r.Extra = map[string]any{store.StatusKey: []string{"500", "404"}[rng.IntN(2)]}
		reports = append(reports, r)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(reports); i += 8 {
				_, err := s.Publish(context.Background(), reports[i])
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	byID := make(map[string]*oops.Report, n)
	for _, r := range reports {
		byID[r.ID] = r
	}
	return byID
}

// summaryQueries are queries the summaries answer, and some they do not.
func summaryQueries() []store.Query {
	d1 := day.Add(24 * time.Hour)
	return []store.Query{
		{},
		{Limit: 3},
		{From: d1, To: d1.Add(24 * time.Hour)}, // one day
		{From: d1, To: d1.Add(24 * time.Hour), Limit: 2},         // one day, the top groups
		{From: day, To: day.Add(48 * time.Hour)},                 // two days
		{From: d1.Add(3 * time.Hour), To: d1.Add(9 * time.Hour)}, // whole hours
		{From: d1.Add(-90 * time.Minute), To: d1.Add(26*time.Hour + 7*time.Second)},
		{From: d1.Add(17 * time.Minute), To: d1.Add(43 * time.Minute)}, // within an hour
		{From: d1.Add(17 * time.Minute)},
		{To: d1.Add(17 * time.Minute)},
		{From: d1, To: d1},
		{From: d1, To: d1.Add(24 * time.Hour), Signature: "sig-b"},
		{From: d1.Add(5 * time.Hour), To: d1.Add(30 * time.Hour), Signature: "sig-a"},
		{Signature: "no such signature"},
		{From: d1, To: d1.Add(24 * time.Hour), Topic: "POST /orders"}, // read from the reports
		{From: d1, To: d1.Add(24 * time.Hour), Text: "dead"},
		{Type: "ERROR", Reporter: "shop"},
	}
}

func assertGroups(t *testing.T, s *sqlstore.Store, byID map[string]*oops.Report, what string) {
	t.Helper()
	reports := slices.Collect(maps.Values(byID))
	for i, q := range summaryQueries() {
		got, err := s.Groups(context.Background(), q)
		require.NoError(t, err)
		want := expectedGroups(reports, q)
		if len(want) == 0 {
			assert.Empty(t, got, "%s: query %d: %+v", what, i, q)
			continue
		}
		assert.Equal(t, want, got, "%s: query %d: %+v", what, i, q)
	}
}

// TestGroupsOfSummaries holds the groups the summaries answer to
// store.Grouper's, over ranges that do and do not fall on hours and days,
// after republished revisions that move reports between groups, hours,
// topics and URLs, and after a prune that cuts an hour.
func TestGroupsOfSummaries(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		byID := spread(t, s, 400)
		assertGroups(t, s, byID, "published")

		// Later revisions move some reports; older ones, redelivered,
		// change nothing.
		rng := rand.New(rand.NewPCG(5, 6))
		ids := slices.Sorted(maps.Keys(byID))
		for i, id := range ids[:120] {
			r := byID[id].Clone()
			r.Revision = 2
			switch i % 5 {
			case 0:
				r.Signature = "sig-moved"
			case 1:
				r.Time = r.Time.Add(time.Duration(rng.Int64N(int64(30 * time.Hour))))
			case 2:
				r.Topic, r.URL = "GET /moved", "https://a/moved"
			case 3:
				r.Signature, r.Value = "", "moved away"
			case 4:
				r.Value = "same group, new value" // a signed report's group does not change
			}
			_, err := s.Publish(ctx, r)
			require.NoError(t, err)
			old := byID[id].Clone()
			old.Revision = 1
			old.Signature = "sig-stale"
			_, err = s.Publish(ctx, old)
			require.NoError(t, err)
			byID[id] = r
		}
		assertGroups(t, s, byID, "republished")

		cut := day.Add(30*time.Hour + 20*time.Minute)
		n, err := s.Prune(ctx, cut)
		require.NoError(t, err)
		pruned := 0
		for id, r := range byID {
			if r.Time.Before(cut) {
				delete(byID, id)
				pruned++
			}
		}
		assert.Equal(t, pruned, n)
		assertGroups(t, s, byID, "pruned")
	})
}

// TestConcurrentRepublishCountsOnce publishes the same reports from many
// goroutines at once, so that batches written concurrently hold the same
// ids: each report is counted once in the summaries.
func TestConcurrentRepublishCountsOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t, nil)
		var reports []*oops.Report
		for i := range 60 {
			r := report(i)
			r.Signature = fmt.Sprintf("sig-%d", i%3)
			r.URL = fmt.Sprintf("https://a/%d", i%7)
			reports = append(reports, r)
		}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 1))
				for _, i := range rng.Perm(len(reports)) {
					_, err := s.Publish(context.Background(), reports[i])
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		for _, q := range []store.Query{{}, {From: day, To: day.Add(24 * time.Hour)}} {
			got, err := s.Groups(context.Background(), q)
			require.NoError(t, err)
			assert.Equal(t, expectedGroups(reports, q), got)
		}
	})
}
