package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// line is the part of a stdout exporter's span or log record we check.
type line struct {
	Name        string
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ SpanID string }
	SpanKind    int
	Severity    int
	Body        struct{ Value string }
	TraceID     string
	SpanID      string
	Attributes  []struct {
		Key   string
		Value struct{ Value any }
	}
	Events []struct{ Name string }
	Status struct{ Code string }
}

func (l line) attr(key string) string {
	for _, a := range l.Attributes {
		if a.Key == key {
			s, _ := a.Value.Value.(string)
			return s
		}
	}
	return ""
}

func TestExampleWiresReportsTimelinesAndTelemetry(t *testing.T) {
	var out, logs bytes.Buffer
	require.NoError(t, run(context.Background(), &out, &logs))

	var spans = map[string]line{}
	var records []line
	dec := json.NewDecoder(&out)
	for dec.More() {
		var l line
		require.NoError(t, dec.Decode(&l))
		if l.Name != "" {
			spans[l.Name] = l
		} else {
			records = append(records, l)
		}
	}
	require.Len(t, records, 1, "one log record: the report")
	require.Contains(t, spans, "GET /items/{id}")
	require.Contains(t, spans, "SELECT")
	server, sel := spans["GET /items/{id}"], spans["SELECT"]
	traceID := server.SpanContext.TraceID

	// The statement became a database span under the request's span.
	assert.Equal(t, traceID, sel.SpanContext.TraceID)
	assert.Equal(t, server.SpanContext.SpanID, sel.Parent.SpanID)
	assert.Equal(t, 3, sel.SpanKind, "CLIENT")
	assert.Equal(t, "SELECT name FROM items WHERE id = ?", sel.attr("db.query.text"))
	assert.Equal(t, "sqlite", sel.attr("db.system.name"))

	// The log line quotes the report's id; the log record carries it, in
	// the request's trace; the request span has the exception event.
	text := logs.String()
	i := strings.Index(text, "oops_id=")
	require.GreaterOrEqual(t, i, 0, text)
	id := strings.Fields(text[i+len("oops_id="):])[0]
	rec := records[0]
	assert.Equal(t, id, rec.attr("oops.id"))
	assert.Equal(t, traceID, rec.TraceID)
	assert.Equal(t, server.SpanContext.SpanID, rec.SpanID)
	assert.Equal(t, 17, rec.Severity, "ERROR")
	assert.Equal(t, "item 42: sql: no rows in result set", rec.Body.Value)
	assert.Equal(t, "*errors.errorString", rec.attr("exception.type"))
	assert.Equal(t, "Error", server.Status.Code)
	require.Len(t, server.Events, 1)
	assert.Equal(t, "exception", server.Events[0].Name)

	// The report shows the trace and both steps: the statement (from
	// sqltimeline) and the outgoing call (from its span).
	assert.True(t, strings.HasPrefix(text, id+"\n"), text)
	assert.Contains(t, text, "trace_id    "+traceID)
	assert.Contains(t, text, "SQL-sqlite  SELECT name FROM items WHERE id = ?")
	assert.Contains(t, text, "http-GET    http://prices.internal/items/42")
}
