package datedir

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// python returns a python interpreter that can import bson (python3-bson,
// or pymongo's), or skips the test: OOPS_TEST_PYTHON names one, else
// /usr/bin/python3 and python3 on PATH are tried.
func python(t *testing.T) string {
	t.Helper()
	pythonOnce.Do(func() {
		cands := []string{os.Getenv("OOPS_TEST_PYTHON"), "/usr/bin/python3", "python3"}
		for _, c := range cands {
			if c == "" {
				continue
			}
			if err := exec.Command(c, "-c", "import bson; bson.decode").Run(); err == nil {
				pythonPath = c
				return
			}
		}
	})
	if pythonPath == "" {
		t.Skip("no python with the bson module (install python3-bson, or set OOPS_TEST_PYTHON to such a python): skipping what python reads")
	}
	return pythonPath
}

var (
	pythonOnce sync.Once
	pythonPath string
)

// pyRead is what python's bson library saw in the file at path (see
// testdata/pyread.py); the test fails when python cannot read it.
type pyRead struct {
	Keys            []string       `json:"keys"`
	DurationPlusOne float64        `json:"duration_plus_one"`
	Values          map[string]any `json:"values"`
}

func pythonRead(t *testing.T, path string) pyRead {
	t.Helper()
	out, err := exec.Command(python(t), "testdata/pyread.py", path).Output()
	var ee *exec.ExitError
	if err != nil && errors.As(err, &ee) {
		t.Fatalf("python cannot read %s: %s", path, strings.TrimSpace(string(ee.Stderr)))
	}
	require.NoError(t, err)
	var r pyRead
	require.NoError(t, json.Unmarshal(out, &r), string(out))
	return r
}
