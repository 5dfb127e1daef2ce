package datedir

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// pythonWithBSON returns a python that can import bson (Debian's
// python3-bson, pymongo's), or skips the test.
func pythonWithBSON(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3", "python"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import bson; bson.decode").Run() == nil {
			return path
		}
	}
	t.Skip("no python with the bson module (install python3-bson) to read our files with")
	return ""
}

// Python's tools read sub-millisecond offsets as numbers: whole
// milliseconds stay integers, the others are doubles with microsecond
// precision.
func TestPythonReadsSubMillisecondOffsets(t *testing.T) {
	py := pythonWithBSON(t)
	root := t.TempDir()
	id := oops.NewID()
	us := time.Microsecond
	_, err := New(root).Publish(context.Background(), &oops.Report{
		ID: id, Type: "E", Value: "v", Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Duration: 0.01,
		Timeline: []oops.TimelineEntry{
			{Start: 0, End: 250 * us, Category: "SQL-main", Detail: "SELECT 1"},
			{Start: 250 * us, End: 1375 * us, Category: "SQL-main", Detail: "SELECT 2"},
			{Start: 2 * time.Millisecond, End: 3 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 3"},
			{Start: 3*time.Millisecond + 1*us, End: 10*time.Millisecond + 999*us, Category: "http-GET", Detail: "x"},
		},
	})
	require.NoError(t, err)
	// What a python tool does with a timeline: types, and the time spent.
	script := `
import bson, json, sys
doc = bson.decode(open(sys.argv[1], 'rb').read())
print(json.dumps({
    "types": [[type(e[0]).__name__, type(e[1]).__name__] for e in doc["timeline"]],
    "offsets": [[e[0], e[1]] for e in doc["timeline"]],
    "spent": sum(e[1] - e[0] for e in doc["timeline"]),
}))
`
	out, err := exec.Command(py, "-c", script, filepath.Join(root, "2026-12-01", id)).CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got struct {
		Types   [][]string
		Offsets [][]float64
		Spent   float64
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	assert.Equal(t, [][]string{{"int", "float"}, {"float", "float"}, {"int", "int"}, {"float", "float"}}, got.Types)
	assert.Equal(t, [][]float64{{0, 0.25}, {0.25, 1.375}, {2, 3}, {3.001, 10.999}}, got.Offsets)
	assert.InDelta(t, 0.25+1.125+1+7.998, got.Spent, 1e-9)
}
