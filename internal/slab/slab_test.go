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

func TestPoolReusesWhatWasPut(t *testing.T) {
	var p Pool[[4]int]
	a := p.Get()
	require.Equal(t, [4]int{}, *a)
	a[0] = 7
	p.Put(a)
	// sync.Pool may drop what it holds (a collection, or another P): Get
	// returns the value put or a fresh one, never a slot handed out twice.
	b := p.Get()
	if b == a {
		assert.Equal(t, 7, b[0], "a value comes back as it was put")
	} else {
		assert.Equal(t, [4]int{}, *b)
	}
	c := p.Get()
	assert.NotSame(t, b, c)
}

func TestPoolEmptyCostsNoAllocation(t *testing.T) {
	var p Pool[[4]int]
	allocs := testing.AllocsPerRun(1000, func() { p.Get() })
	assert.Less(t, allocs, 0.5)
}
