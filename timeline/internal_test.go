package timeline

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Stacks are kept as program counters until Entries renders them.
func TestStacksKeptAsPCs(t *testing.T) {
	tl := NewWithOptions(Options{Stacks: true})
	tl.Start("SQL-main", "SELECT 1").Finish()
	tl.mu.Lock()
	require.Len(t, tl.first, 1)
	pcs := tl.first[0].pcs
	tl.mu.Unlock()
	assert.NotEmpty(t, pcs)
	assert.LessOrEqual(t, len(pcs), 64)
}
