// Package skipper is run by testenv's tests: two of its three tests need a
// server named by OOPS_TEST_TESTENV_DEMO.
package skipper

import (
	"testing"

	"github.com/oops-go/oops/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestNeedsServer(t *testing.T) { testenv.Require(t, "OOPS_TEST_TESTENV_DEMO") }

func TestNeedsServerToo(t *testing.T) {
	t.Run("sub", func(t *testing.T) { testenv.Require(t, "OOPS_TEST_TESTENV_DEMO") })
}

func TestNeedsNothing(t *testing.T) {}
