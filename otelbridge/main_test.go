package otelbridge_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: exporters,
// processors and observers are all shut down by what started them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
