package flight_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: trailing windows
// publish on goroutines of their own, which Flush must wait for.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
