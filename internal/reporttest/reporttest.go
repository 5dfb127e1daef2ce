// Package reporttest gives the module's tests a report with every field of
// oops.Report set, found by walking the struct by reflection rather than by
// the schema, so that a field missing from an encoding is caught.
package reporttest

import (
	"reflect"
	"testing"
	"time"

	"github.com/oops-go/oops"
)

// EveryField returns a report with every field of oops.Report but Extra set
// to a value that is not empty, and the names of those fields. It fails t for
// a field of a type it does not know, so that a new kind of field is not
// silently left out.
func EveryField(t testing.TB) (*oops.Report, []string) {
	t.Helper()
	bt := "main.f(...)\n\t/x.go:1\n"
	r := &oops.Report{}
	rv := reflect.ValueOf(r).Elem()
	var names []string
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
