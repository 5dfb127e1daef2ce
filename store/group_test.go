package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/store"
)

func TestGrouper(t *testing.T) {
	var g store.Grouper
	assert.Empty(t, g.Groups(0), "the zero Grouper is empty")
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		g.Add(store.Summary{ID: fmt.Sprintf("OOPS-a%02d", i), Time: t0.Add(time.Duration(i) * time.Minute),
			Signature: "a", Type: "T", Value: fmt.Sprint("v", i), Topic: fmt.Sprint("topic", i%7), URL: "/a"})
	}
	// Python reports have no signature: grouped by type and value.
	g.Add(store.Summary{ID: "OOPS-p1", Time: t0, Type: "NotFound", Value: "x", Status: 404})
	g.Add(store.Summary{ID: "OOPS-p2", Time: t0.Add(time.Hour), Type: "NotFound", Value: "x", Status: 404})
	g.Add(store.Summary{ID: "OOPS-p3", Time: t0, Type: "NotFound", Value: "y"})
	assert.Equal(t, 3, g.Len())

	gs := g.Groups(0)
	require.Len(t, gs, 3)
	a := gs[0]
	assert.Equal(t, 10, a.Count)
	assert.Equal(t, "OOPS-a09", a.ExampleID)
	assert.Equal(t, "v9", a.Value, "the latest report's")
	assert.True(t, a.First.Equal(t0))
	assert.True(t, a.Last.Equal(t0.Add(9*time.Minute)))
	require.Len(t, a.Topics, store.MaxTop)
	assert.Equal(t, []store.Count{
		{Value: "topic0", N: 2, ExampleID: "OOPS-a07"}, {Value: "topic1", N: 2, ExampleID: "OOPS-a08"},
		{Value: "topic2", N: 2, ExampleID: "OOPS-a09"}, {Value: "topic3", N: 1, ExampleID: "OOPS-a03"},
		{Value: "topic4", N: 1, ExampleID: "OOPS-a04"},
	}, a.Topics, "the most common, then by value")
	assert.Equal(t, []store.Count{{Value: "/a", N: 10, ExampleID: "OOPS-a09"}}, a.URLs)

	assert.Equal(t, "", gs[1].Signature)
	assert.Equal(t, 2, gs[1].Count)
	assert.Equal(t, "OOPS-p2", gs[1].ExampleID)
	assert.Equal(t, 404, gs[1].Status)
	assert.Nil(t, gs[1].Topics)
	assert.Equal(t, 1, gs[2].Count)

	assert.Len(t, g.Groups(1), 1)
}

// Groupers merged count as one Grouper that saw every summary.
func TestGrouperMerge(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var all store.Grouper
	parts := make([]store.Grouper, 3)
	for i := range 500 {
		s := store.Summary{ID: fmt.Sprintf("OOPS-%04d", i), Time: t0.Add(time.Duration(i*7919%500) * time.Second),
			Signature: fmt.Sprint("sig", i%7), Type: "T", Value: fmt.Sprint("v", i), Status: i % 3,
			Topic: fmt.Sprint("topic", i%11), URL: fmt.Sprint("/u", i%13)}
		if i%5 == 0 {
			s.Signature, s.Type, s.Value = "", "NotFound", fmt.Sprint("x", i%2)
		}
		all.Add(s)
		parts[i*31%3].Add(s)
	}
	var merged store.Grouper
	for i := range parts {
		merged.Merge(&parts[i])
	}
	assert.Equal(t, all.Len(), merged.Len())
	assert.Equal(t, all.Groups(store.MaxLimit), merged.Groups(store.MaxLimit))

	var empty store.Grouper
	merged.Merge(&empty)
	assert.Equal(t, all.Groups(store.MaxLimit), merged.Groups(store.MaxLimit), "merging an empty Grouper changes nothing")
}
