package testenv_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/internal/testenv"
)

// runs makes a variable name of its own for each run of a test, since the
// counts of skips last as long as the test binary (-count=2).
var runs atomic.Int32

func TestRequireSkipsAndCounts(t *testing.T) {
	name := fmt.Sprintf("OOPS_TEST_TESTENV_UNSET_%d", runs.Add(1))
	t.Setenv(name, "")
	var sub *testing.T
	t.Run("unset", func(t *testing.T) {
		sub = t
		testenv.Require(t, name)
		t.Error("Require returned with the variable unset")
	})
	assert.True(t, sub.Skipped())
	assert.Contains(t, testenv.Summary(), "internal/testenv: 1 test skipped: set "+name+" to run it\n")

	t.Setenv(name, "value")
	assert.Equal(t, "value", testenv.Require(t, name))
}

func TestRequirePostgresNamesItsVariable(t *testing.T) {
	t.Setenv(testenv.PostgresDSN, "")
	before := testenv.Summary()
	var sub *testing.T
	t.Run("unset", func(t *testing.T) {
		sub = t
		testenv.RequirePostgres(t)
	})
	require.True(t, sub.Skipped())
	assert.NotEqual(t, before, testenv.Summary())
	assert.Regexp(t, `internal/testenv: \d+ tests? skipped: set OOPS_TEST_POSTGRES_DSN to run (it|them) \(eval "\$\(bash \.ci/postgres\.sh\)" starts a server and sets it\)`, testenv.Summary())
}

// TestGoTestPrintsTheSummary runs go test on a package of skipping tests,
// as go test ./... would, and finds the summary among the go command's
// lines, although the go command hides the output of a passing package.
func TestGoTestPrintsTheSummary(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH")
	}
	for _, verbose := range []bool{false, true} {
		args := []string{"test", "-count=1"}
		if verbose {
			args = append(args, "-v")
		}
		cmd := exec.Command(goCmd, append(args, "./testdata/skipper")...)
		cmd.Env = append(os.Environ(), "OOPS_TEST_TESTENV_DEMO=")
		out, err := cmd.Output()
		require.NoError(t, err, "%s", out)
		lines := strings.Split(string(out), "\n")
		assert.Equal(t, 1, strings.Count(string(out), "tests skipped"), "verbose=%v:\n%s", verbose, out)
		assert.Contains(t, lines, "github.com/oops-go/oops/internal/testenv/testdata/skipper: 2 tests skipped: set OOPS_TEST_TESTENV_DEMO to run them",
			"verbose=%v:\n%s", verbose, out)
	}
}
