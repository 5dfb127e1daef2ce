package oops_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// everyFieldSet returns a report with every field of Report but Extra set to
// a value that is not empty, found by walking Report by reflection (not the
// schema), and the names of those fields.
func everyFieldSet(t *testing.T) (*oops.Report, []string) {
	t.Helper()
	r := &oops.Report{}
	rv := reflect.ValueOf(r).Elem()
	var names []string
	bt := "main.f(...)\n\t/x.go:1\n"
	for i := range rv.NumField() {
		sf := rv.Type().Field(i)
		if sf.Name == "Extra" {
			continue
		}
		names = append(names, sf.Name)
		var v any
		switch sf.Type {
		case reflect.TypeFor[string]():
			v = "v-" + sf.Name
		case reflect.TypeFor[time.Time]():
			v = time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
		case reflect.TypeFor[float64]():
			v = 1.5
		case reflect.TypeFor[int]():
			v = 3
		case reflect.TypeFor[bool]():
			v = true
		case reflect.TypeFor[map[string]string]():
			v = map[string]string{"k": "v"}
		case reflect.TypeFor[map[string]any]():
			v = map[string]any{"n": int64(1) << 60}
		case reflect.TypeFor[[]oops.TimelineEntry]():
			v = []oops.TimelineEntry{{Start: time.Millisecond, End: 2500 * time.Microsecond, Category: "SQL-x", Detail: "SELECT 1", Backtrace: &bt, Error: "boom"}}
		case reflect.TypeFor[[]oops.LogRecord]():
			v = []oops.LogRecord{{Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Level: "INFO", Msg: "m", Attrs: map[string]any{"a": "b"}}}
		default:
			t.Fatalf("Report.%s is of type %s, which this test (and the schema) does not know", sf.Name, sf.Type)
		}
		rv.Field(i).Set(reflect.ValueOf(v))
	}
	return r, names
}

// TestSchemaCoversReport walks Report's fields by reflection: each must be in
// the schema with the right kind and pointer, in WireKeys, written by the
// JSON encoder, read back by its decoder, and shown by WriteText. (datedir's
// tests do the same for BSON.)
func TestSchemaCoversReport(t *testing.T) {
	r, names := everyFieldSet(t)
	fields := oops.WireFields()
	require.Len(t, fields, len(names), "one schema entry per Report field but Extra")
	rv := reflect.ValueOf(r).Elem()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	obj := decodeObject(t, b)
	var text strings.Builder
	require.NoError(t, r.WriteText(&text))
	for _, name := range names {
		i := slices.IndexFunc(fields, func(f oops.WireField) bool { return f.Name == name })
		if !assert.GreaterOrEqual(t, i, 0, "Report.%s is missing from the schema", name) {
			continue
		}
		f := fields[i]
		assert.Equal(t, rv.FieldByName(name).Addr().Interface(), f.Ptr(r), "the schema's pointer for %s", name)
		_, ok := oops.WireFieldOf(f.Key)
		assert.True(t, ok, f.Key)
		assert.Contains(t, oops.WireKeys(), f.Key)
		assert.Contains(t, obj, f.Key, "JSON writes %s", f.Key)
		assert.False(t, f.IsZero(r), f.Key)
		label := f.Key
		switch f.Key {
		case "id", "type", "value":
			label = rv.FieldByName(name).String()
		case "tb_text":
			label = "traceback:"
		case "req_vars":
			label = "request variables:"
		case "timeline":
			label = "timeline (1 entries"
		case "log":
			label = "process log, logged without a request context (1 records)"
		}
		assert.Contains(t, text.String(), label, "WriteText shows %s", f.Key)
	}
	var back oops.Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *r, back, "JSON round trip of every field")
	assert.Len(t, obj, len(names), "no key besides the schema's")
}
