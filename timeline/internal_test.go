package timeline

import (
	"fmt"
	"strconv"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Stacks are kept as program counters until Entries renders them.
func TestStacksKeptAsPCs(t *testing.T) {
	tl := NewWithOptions(&Options{Stacks: true})
	tl.Start("SQL-main", "SELECT 1").Finish()
	tl.mu.Lock()
	require.Equal(t, 1, tl.len())
	_, x := tl.inline[0].parts()
	require.NotNil(t, x)
	pcs := x.pcs
	tl.mu.Unlock()
	assert.NotEmpty(t, pcs)
	assert.LessOrEqual(t, len(pcs), 64)
}

// Entries are stored inline, then in chunks that about double; every position
// keeps its entry, whatever the cap, and finishing finds each one.
func TestStorageAcrossChunks(t *testing.T) {
	for _, limit := range []int{-1, 1, 2, 3, 16, 17, 31, 32, 33, 100, DefaultMaxEntries} {
		tl := NewWithOptions(&Options{MaxEntries: limit, NoMaxEntries: limit < 0})
		const n = 3000
		acts := make([]Action, n)
		for i := range acts {
			acts[i] = tl.Start("c", strconv.Itoa(i))
		}
		for i := n - 1; i >= 0; i-- {
			acts[i].FinishErr(fmt.Errorf("e%d", i))
		}
		es := tl.Entries()
		kept := n
		if limit > 0 {
			kept = limit
		}
		require.Len(t, es, kept, "max %d", limit)
		assert.Equal(t, n-kept, tl.Dropped(), "max %d", limit)
		assert.Equal(t, kept, tl.Len(), "max %d", limit)
		head := 0
		if limit > 0 {
			head = limit / 2
			if limit-head == 0 {
				head = 0
			}
		} else {
			head = n
		}
		seen := map[string]bool{}
		for _, e := range es {
			assert.False(t, e.Unfinished, "max %d: %s", limit, e.Detail)
			assert.EqualError(t, e.Err, "e"+e.Detail, "max %d", limit)
			seen[e.Detail] = true
		}
		for i := range n {
			want := i < head || i >= n-(kept-head)
			assert.Equal(t, want, seen[strconv.Itoa(i)], "max %d: entry %d", limit, i)
		}
		assert.LessOrEqual(t, unsafe.Sizeof(entry{}), uintptr(48), "entries stay 48 bytes")
		var chunkTotal int
		for k, c := range tl.chunks {
			chunkTotal += len(c)
			if k < len(tl.chunks)-1 {
				// 48-byte entries and the allocator's 8-byte header
				// fill 768 bytes, 1.5 KiB, 3 KiB...
				assert.Equal(t, chunkBase<<k-1, len(c), "max %d: chunk %d", limit, k)
			}
		}
		assert.LessOrEqual(t, inlineEntries+chunkTotal, 2*max(kept, inlineEntries), "max %d: storage at most doubles", limit)
	}
}

// Every position past the inline entries is in exactly one chunk, the
// chunks follow one another, and a Timeline with its inline entries fills
// 1 KiB, a size class of the allocator.
func TestChunkGeometry(t *testing.T) {
	assert.Equal(t, inlineEntries, chunkStart(0))
	for k := range 40 {
		assert.Equal(t, chunkStart(k)+chunkBase<<k-1, chunkStart(k+1), "chunk %d", k)
	}
	k := 0
	for pos := inlineEntries; pos < 1<<20; pos++ {
		if pos == chunkStart(k+1) {
			k++
		}
		require.Equal(t, k, chunkOf(pos), "position %d", pos)
	}
	const header = 8 // the allocator's, for a block of over 512 bytes with pointers
	assert.LessOrEqual(t, unsafe.Sizeof(Timeline{})+header, uintptr(1024))
	assert.Greater(t, unsafe.Sizeof(Timeline{})+header+unsafe.Sizeof(entry{}), uintptr(1024), "room for no more inline entries")
}
