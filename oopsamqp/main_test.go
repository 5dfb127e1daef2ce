package oopsamqp_test

import (
	"testing"

	"github.com/oops-go/oops/internal/testenv"
)

// TestMain says how many tests were skipped for lack of a broker.
func TestMain(m *testing.M) { testenv.Main(m) }
