package oops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

func TestWriteTextShowsTimelineAsTable(t *testing.T) {
	bt := "main.handler(...)\n\t/app/main.go:12\n"
	r := &oops.Report{
		ID:       "OOPS-0123456789abcdef0123456789abcdef",
		Type:     "*fs.PathError",
		Value:    "open /nope: no such file",
		Time:     time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		Duration: 0.25,
		ReqVars:  map[string]string{"Cookie": "<hidden>", "REQUEST_METHOD": "GET"},
		Timeline: []oops.TimelineEntry{
			{Start: 0, End: 3 * time.Millisecond, Category: "SQL-sqlite", Detail: "SELECT 1", Backtrace: &bt},
			{Start: 4 * time.Millisecond, End: 9 * time.Millisecond, Category: "SQL-sqlite", Detail: "INSERT INTO t\nVALUES (1)", Error: "constraint failed"},
		},
		TBText: bt,
	}
	var b strings.Builder
	require.NoError(t, r.WriteText(&b))
	out := b.String()
	assert.True(t, strings.HasPrefix(out, r.ID+"\n*fs.PathError: open /nope: no such file\n"), out)
	assert.Contains(t, out, "duration    250ms")
	assert.Contains(t, out, "Cookie: <hidden>")
	assert.Regexp(t, `(?m)^  0ms +3ms +SQL-sqlite +SELECT 1$`, out)
	assert.Regexp(t, `(?m)^  4ms +5ms +SQL-sqlite +INSERT INTO t\\nVALUES \(1\)  !! constraint failed$`, out)
	assert.Contains(t, out, "traceback:\n  main.handler(...)\n  \t/app/main.go:12\n")
	assert.NotContains(t, out, "username", "empty fields are left out")
}

func TestWriteTextCutsLongValuesOnRuneBoundary(t *testing.T) {
	r := &oops.Report{ID: "OOPS-x", Value: strings.Repeat("é", 300)}
	var b strings.Builder
	require.NoError(t, r.WriteText(&b))
	line := strings.Split(b.String(), "\n")[1]
	assert.Contains(t, line, "… (600 bytes)")
	assert.True(t, strings.ToValidUTF8(line, "?") == line, "rendering cut a rune in two: %q", line)
}
