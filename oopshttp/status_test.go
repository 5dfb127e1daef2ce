package oopshttp

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestStatusValue: the status in Extra is the code's decimal text, the
// same value whether it comes from the table or not.
func TestStatusValue(t *testing.T) {
	for _, code := range []int{-1, 0, 99, 100, 200, 404, 500, 599, 600, 1000} {
		assert.Equal(t, strconv.Itoa(code), statusValue(code), "code %d", code)
	}
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = statusValue(503) }))
}
