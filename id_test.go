package oops_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var idPattern = regexp.MustCompile(`^OOPS-[0-9a-f]{32}$`)

func TestNewIDFormat(t *testing.T) {
	for range 1000 {
		id := oops.NewID()
		require.Regexp(t, idPattern, id)
		require.True(t, oops.ValidID(id))
	}
}

func TestNewIDUnique(t *testing.T) {
	const n = 200_000
	seen := make(map[string]struct{}, n)
	for range n {
		seen[oops.NewID()] = struct{}{}
	}
	assert.Len(t, seen, n)
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"OOPS-0123456789abcdef0123456789abcdef":   true,
		"OOPS-0123456789ABCDEF0123456789abcdef":   false,
		"OOPS-0123456789abcdef0123456789abcde":    false,
		"OOPS-0123456789abcdef0123456789abcdef0":  false,
		"oops-0123456789abcdef0123456789abcdef":   false,
		"OOPS-0123456789abcdef0123456789abcdeg":   false,
		"OOPS-../../../etc/passwd/0123456789abcd": false,
		"OOPS-0123456789abcdef0123456789abcdé":    false,
		"":                                        false,
		"OOPS-":                                   false,
	} {
		assert.Equal(t, want, oops.ValidID(id), id)
	}
}

const idHelperEnv = "OOPS_TEST_PRINT_IDS"

// TestHelperPrintIDs is not a test: TestNewIDUniqueAcrossProcesses runs the
// test binary again with it to get ids from other processes.
func TestHelperPrintIDs(t *testing.T) {
	if os.Getenv(idHelperEnv) == "" {
		t.Skip("helper for TestNewIDUniqueAcrossProcesses")
	}
	w := bufio.NewWriter(os.Stdout)
	for range 2000 {
		w.WriteString(oops.NewID() + "\n")
	}
	require.NoError(t, w.Flush())
}

func TestNewIDUniqueAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	seen := make(map[string]int)
	for i := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPrintIDs$", "-test.count=1")
		cmd.Env = append(os.Environ(), idHelperEnv+"=1")
		out, err := cmd.Output()
		require.NoError(t, err)
		n := 0
		for line := range bytes.Lines(out) {
			id := string(bytes.TrimSpace(line))
			if !oops.ValidID(id) {
				continue // the test framework's own lines
			}
			n++
			if prev, dup := seen[id]; dup {
				t.Errorf("id %s from process %d repeats one from process %d", id, i, prev)
			}
			seen[id] = i
		}
		require.Equal(t, 2000, n, "process %d printed its ids", i)
	}
	// And none of them is one this process makes.
	for range 2000 {
		_, dup := seen[oops.NewID()]
		assert.False(t, dup)
	}
}
