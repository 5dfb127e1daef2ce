package stack_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/oops-go/oops/internal/stack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

//go:noinline
func sharedTop() []uintptr { return stack.Callers(0) }

//go:noinline
func callerA() []uintptr { return sharedTop() }

//go:noinline
func callerB() []uintptr { return sharedTop() }

func TestFormatCacheKeyedByWholeStack(t *testing.T) {
	a, b := callerA(), callerB()
	require.Equal(t, a[0], b[0], "both stacks start at the same frame")
	for range 3 { // the second and third rounds come from the cache
		fa, fb := stack.Format(a), stack.Format(b)
		assert.Contains(t, fa, "stack_test.callerA(")
		assert.NotContains(t, fa, "stack_test.callerB(")
		assert.Contains(t, fb, "stack_test.callerB(")
		assert.NotContains(t, fb, "stack_test.callerA(")
	}
	// A prefix of a cached stack is a stack of its own.
	short := stack.Format(a[:1])
	assert.Equal(t, 1, strings.Count(short, "(...)"), short)
}

func TestCacheComputesOncePerSequence(t *testing.T) {
	var c stack.Cache[string]
	calls := 0
	compute := func(pcs []uintptr) string { calls++; return fmt.Sprint(pcs) }
	assert.Equal(t, "[1 2 3]", c.Get([]uintptr{1, 2, 3}, compute))
	assert.Equal(t, "[1 2 3]", c.Get([]uintptr{1, 2, 3}, compute))
	assert.Equal(t, 1, calls)
	assert.Equal(t, "[1 2]", c.Get([]uintptr{1, 2}, compute), "a prefix is another key")
	assert.Equal(t, "[3 2 1]", c.Get([]uintptr{3, 2, 1}, compute), "order matters")
	assert.Equal(t, "[]", c.Get(nil, compute))
	assert.Equal(t, 4, calls)
}

// TestCacheEvictionStaysCorrect fills the cache far past its size: every
// answer must still be the one for its own key.
func TestCacheEvictionStaysCorrect(t *testing.T) {
	var c stack.Cache[string]
	compute := func(pcs []uintptr) string { return fmt.Sprint(pcs) }
	for round := range 2 {
		for i := range 5000 {
			pcs := []uintptr{uintptr(i), uintptr(i % 7), 42}
			if got := c.Get(pcs, compute); got != fmt.Sprint(pcs) {
				t.Fatalf("round %d: Get(%v) = %q", round, pcs, got)
			}
		}
	}
}

func TestCacheConcurrent(t *testing.T) {
	var c stack.Cache[string]
	compute := func(pcs []uintptr) string { return fmt.Sprint(pcs) }
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				pcs := []uintptr{uintptr(i % 600), uintptr(g % 2)}
				if got := c.Get(pcs, compute); got != fmt.Sprint(pcs) {
					t.Errorf("Get(%v) = %q", pcs, got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkFormat(b *testing.B) {
	pcs := callerA()
	b.ReportAllocs()
	for b.Loop() {
		_ = stack.Format(pcs)
	}
}
