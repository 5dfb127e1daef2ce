package otelbridge

import (
	"slices"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// clean makes s valid UTF-8, as OTLP requires.
func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// cleanAttributes returns kvs with every key and every string inside the
// values valid UTF-8. It copies kvs before changing it (the function that
// returned it may hand the same slice to every call) and returns kvs itself
// when all is valid, as it nearly always is.
func cleanAttributes(kvs []attribute.KeyValue) []attribute.KeyValue {
	copied := false
	for i, kv := range kvs {
		if c, ok := cleanKeyValue(kv); ok {
			if !copied {
				kvs, copied = slices.Clone(kvs), true
			}
			kvs[i] = c
		}
	}
	return kvs
}

func cleanKeyValue(kv attribute.KeyValue) (attribute.KeyValue, bool) {
	changed := false
	if k := string(kv.Key); !utf8.ValidString(k) {
		kv.Key, changed = attribute.Key(clean(k)), true
	}
	if v, ok := cleanValue(kv.Value); ok {
		kv.Value, changed = v, true
	}
	return kv, changed
}

// cleanValue returns v with its strings valid UTF-8, and whether that is a
// new value. Attribute values are trees without cycles, so the recursion
// ends.
func cleanValue(v attribute.Value) (attribute.Value, bool) {
	switch v.Type() {
	case attribute.STRING:
		if s := v.AsString(); !utf8.ValidString(s) {
			return attribute.StringValue(clean(s)), true
		}
	case attribute.STRINGSLICE:
		ss := v.AsStringSlice() // a copy
		changed := false
		for i, s := range ss {
			if !utf8.ValidString(s) {
				ss[i], changed = clean(s), true
			}
		}
		if changed {
			return attribute.StringSliceValue(ss), true
		}
	case attribute.SLICE:
		vs := v.AsSlice() // a copy
		changed := false
		for i, e := range vs {
			if c, ok := cleanValue(e); ok {
				vs[i], changed = c, true
			}
		}
		if changed {
			return attribute.SliceValue(vs...), true
		}
	case attribute.MAP:
		kvs := v.AsMap() // a copy
		changed := false
		for i, kv := range kvs {
			if c, ok := cleanKeyValue(kv); ok {
				kvs[i], changed = c, true
			}
		}
		if changed {
			return attribute.MapValue(kvs...), true
		}
	}
	return v, false
}
