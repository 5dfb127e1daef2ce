package spantimeline

import (
	"math/rand/v2"
	"testing"

	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

// TestPendingTableAgainstMap runs random puts and takes on the table and on
// a Go map, with keys that collide in their low bits as often as not, and
// checks they agree at every step.
func TestPendingTableAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tls := []*timeline.Timeline{timeline.New(), timeline.New(), timeline.New()}
	type val struct {
		tid trace.TraceID
		tl  *timeline.Timeline
	}
	for round := range 3 {
		var tab pendingTable
		model := map[uint64]val{}
		keys := []uint64{}
		for step := range 8000 {
			switch {
			case rng.IntN(100) < 55 || len(keys) == 0:
				// Few distinct low bits, many high bits: long probe runs.
				key := uint64(rng.IntN(64)+1) | uint64(rng.IntN(1<<20))<<32
				v := val{trace.TraceID{byte(rng.IntN(3))}, tls[rng.IntN(3)]}
				tab.put(key, v.tid, v.tl)
				if _, ok := model[key]; !ok {
					keys = append(keys, key)
				}
				model[key] = v
			default:
				i := rng.IntN(len(keys))
				key := keys[i]
				if rng.IntN(10) == 0 {
					key ^= 1 << 40 // most likely absent
				}
				want, present := model[key]
				tid := want.tid
				if rng.IntN(10) == 0 {
					tid = trace.TraceID{9} // wrong trace: not taken
				}
				got, ok := tab.take(key, tid)
				if present && tid == want.tid {
					require.True(t, ok, "round %d step %d", round, step)
					require.Same(t, want.tl, got)
					delete(model, key)
					keys[i] = keys[len(keys)-1]
					keys = keys[:len(keys)-1]
				} else {
					require.False(t, ok, "round %d step %d", round, step)
				}
			}
			require.Equal(t, len(model), tab.n)
		}
		for key, v := range model {
			got, ok := tab.take(key, v.tid)
			require.True(t, ok)
			require.Same(t, v.tl, got)
		}
		require.Equal(t, 0, tab.n)
		require.LessOrEqual(t, len(tab.slots), minPendingSlots, "shrinks when emptied")
	}
}
