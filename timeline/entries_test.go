package timeline_test

import (
	"fmt"
	"testing"

	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Entries renders every lazy detail and stack of a timeline with more of
// them than it keeps room for on its stack, each in its own entry, also
// past details that panic.
func TestEntriesRendersManyLazyDetails(t *testing.T) {
	for _, stacks := range []bool{false, true} {
		tl := timeline.NewWithOptions(&timeline.Options{Stacks: stacks})
		const n = 50
		for i := range n {
			switch i % 4 {
			case 0:
				tl.StartLazy("c", panicky{}).Finish()
			case 1:
				tl.Start("c", fmt.Sprint(i)).Finish()
			default:
				tl.StartLazy("c", lazyText(fmt.Sprint(i))).Finish()
			}
		}
		es := tl.Entries()
		require.Len(t, es, n)
		for i, e := range es {
			if i%4 == 0 {
				assert.Equal(t, "<detail panicked: no detail for you>", e.Detail, "entry %d", i)
			} else {
				assert.Equal(t, fmt.Sprint(i), e.Detail)
			}
			assert.Equal(t, stacks, e.Stack != "", "stacks %v, entry %d", stacks, i)
		}
	}
}
