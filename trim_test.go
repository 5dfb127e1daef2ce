package oops_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

func TestTrimCutsTheLargestValues(t *testing.T) {
	big := strings.Repeat("é", 10<<20) // 20 MiB
	bt := strings.Repeat("b", 5000)
	r := &oops.Report{
		ID:       "OOPS-1",
		Value:    "small",
		Attrs:    map[string]any{"payload": big, "n": 1},
		Timeline: []oops.TimelineEntry{{Detail: "SELECT 1", Backtrace: &bt}},
	}
	before, err := json.Marshal(r)
	require.NoError(t, err)
	c := oops.Trim(r, len(before)-(1<<20))
	assert.Equal(t, big, r.Attrs["payload"], "r itself is not changed")
	after, err := json.Marshal(c)
	require.NoError(t, err)
	assert.Less(t, len(after), 1<<20)
	assert.Equal(t, "small", c.Value, "small values stay")
	assert.Equal(t, bt, *c.Timeline[0].Backtrace)
	p := c.Attrs["payload"].(string)
	assert.True(t, strings.HasPrefix(big, strings.Split(p, "…[cut ")[0]), "the start is kept")
	assert.Regexp(t, `…\[cut \d+ bytes\]$`, p)
	cut := c.Extra[oops.CutKey].(map[string]any)
	assert.Contains(t, cut, "attrs.payload")
	assert.Greater(t, cut["attrs.payload"].(int64), int64(19<<20))
	assert.Same(t, r, oops.Trim(r, 0))
}

func TestTrimDropsContainersWhenStringsAreNotEnough(t *testing.T) {
	r := &oops.Report{ID: "OOPS-1", Time: time.Now()}
	for i := range 100_000 {
		r.Timeline = append(r.Timeline, oops.TimelineEntry{Category: "SQL", Detail: "SELECT " + strings.Repeat("x", i%50)})
	}
	before, err := json.Marshal(r)
	require.NoError(t, err)
	c := oops.Trim(r, len(before)/2)
	assert.Empty(t, c.Timeline)
	assert.Equal(t, 100_000, c.TimelineDropped)
	assert.Contains(t, c.Extra[oops.CutKey], "timeline")
}
