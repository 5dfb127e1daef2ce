package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJobReportCarriesTheRingsRecords(t *testing.T) {
	var reports, logs bytes.Buffer
	require.NoError(t, run(context.Background(), &reports, &logs))

	// The log shows only the error line, quoting the report.
	line := strings.TrimSpace(logs.String())
	require.NotContains(t, line, "\n", "debug and info records are not written")
	assert.Contains(t, line, "msg=\"import failed\"")
	assert.Contains(t, line, "oops_id=OOPS-")

	out := reports.String()
	id := line[strings.Index(line, "oops_id=")+len("oops_id="):]
	id = strings.Fields(id)[0]
	assert.True(t, strings.HasPrefix(out, id+"\n"), "the report has the id the log line quotes:\n%s", out)
	assert.Contains(t, out, "*errors.errorString: row 2 (bob): duplicate key")
	assert.Contains(t, out, "topic       nightly-import")
	assert.Contains(t, out, "process log, logged without a request context (6 records):")
	for _, want := range []string{"INFO  import started", "DEBUG importing row", "INFO  row imported"} {
		assert.Contains(t, out, want)
	}
	assert.Contains(t, out, "traceback:\n  github.com/oops-go/oops/examples/job.run(...)\n", "the traceback starts at the log call")
}
