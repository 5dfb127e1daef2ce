package datedir

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
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

// TestReadWhatPythonWrites: a report python's bson library writes with a
// malformed req_vars pair (as old python tools wrote them) reads whole, the
// good pairs and the rest of the report kept.
func TestReadWhatPythonWrites(t *testing.T) {
	py := python(t)
	path := filepath.Join(t.TempDir(), "OOPS-py")
	script := `
import bson, datetime, sys
doc = {
    "id": "OOPS-py", "type": "KeyError", "value": "'x'",
    "time": datetime.datetime(2024, 5, 6, 7, 8, 9),
    "req_vars": [["HTTP_HOST", "example.com"], ["lonely"], ["a", "b", "c"], "junk"],
    "timeline": [[0, 1.5, "SQL-main", "SELECT 1", None]],
    "duration": 0.5,
    "big": 2**62,
}
open(sys.argv[1], "wb").write(bson.encode(doc))
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	require.NoError(t, err, string(out))
	r, err := ReadFile(path)
	require.NoError(t, err, "a bad pair hides nothing else")
	assert.Equal(t, "KeyError", r.Type)
	assert.Equal(t, map[string]string{"HTTP_HOST": "example.com", "#1": `["lonely"]`, "#2": `["a","b","c"]`, "#3": "junk"}, r.ReqVars)
	assert.Equal(t, int64(1)<<62, r.Extra["big"])
	assert.Equal(t, 0.5, r.Duration)
	require.Len(t, r.Timeline, 1)

	// And the same document as python's json module writes it reads the same.
	jsonScript := strings.Replace(script, "bson.encode(doc)", "json.dumps(doc, default=str).encode()", 1)
	jsonScript = strings.Replace(jsonScript, "import bson,", "import bson, json,", 1)
	out, err = exec.Command(py, "-c", jsonScript, path).CombinedOutput()
	require.NoError(t, err, string(out))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var j oops.Report
	require.NoError(t, json.Unmarshal(data, &j))
	assert.Equal(t, r.ReqVars, j.ReqVars, "one rule for BSON and JSON")
	assert.Equal(t, r.Extra["big"], j.Extra["big"])
}
