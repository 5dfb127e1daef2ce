package oops_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/reporttest"
)

// TestSchemaCoversReport walks Report's fields by reflection: each must be in
// the schema with the right kind and pointer, in WireKeys, written by the
// JSON encoder, read back by its decoder, and shown by WriteText. (datedir's
// tests do the same for BSON.)
func TestSchemaCoversReport(t *testing.T) {
	r, names := reporttest.EveryField(t)
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
