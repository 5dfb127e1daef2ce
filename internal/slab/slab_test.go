package slab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSlab(t *testing.T) {
	var s Slab[[4]int]
	seen := map[*[4]int]bool{}
	for range 1000 {
		p := s.New()
		require.False(t, seen[p], "a slot is handed out once")
		require.Equal(t, [4]int{}, *p)
		p[0] = 1
		seen[p] = true
	}
	allocs := testing.AllocsPerRun(1000, func() { s.New() })
	assert.Less(t, allocs, 0.5)
}
