package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var reports, logs bytes.Buffer
	require.NoError(t, run(&reports, &logs))

	var lines []map[string]any
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		lines = append(lines, m)
	}
	require.Len(t, lines, 2, "the debug entries are kept, not written")
	assert.Equal(t, "checkout done", lines[0]["msg"])
	assert.Equal(t, "checkout failed", lines[1]["msg"])
	id, _ := lines[1]["oops_id"].(string)
	require.True(t, strings.HasPrefix(id, "OOPS-"), "the error's line quotes the report: %v", lines[1])

	text := reports.String()
	assert.True(t, strings.HasPrefix(text, id+"\n"), "one report, under the id the log line quotes:\n%s", text)
	assert.Equal(t, 1, strings.Count(text, "OOPS-"))
	for _, want := range []string{
		"*errors.errorString: charging card 4000: card declined",
		"topic       POST /checkout",
		"reporter    shop-api",
		"SQL-main",
		"http-POST",
		"!! charging card 4000: card declined",
		"log-DEBUG",
		"cart loaded card=4000 items=3",
		"zap.serve(...)",
	} {
		assert.Contains(t, text, want)
	}
}
