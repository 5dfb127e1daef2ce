package otelbridge

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/attribute"
)

// validValue reports whether every string in v is valid UTF-8.
func validValue(v attribute.Value) bool {
	switch v.Type() {
	case attribute.STRING:
		return utf8.ValidString(v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			if !utf8.ValidString(s) {
				return false
			}
		}
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			if !validValue(e) {
				return false
			}
		}
	case attribute.MAP:
		for _, kv := range v.AsMap() {
			if !utf8.ValidString(string(kv.Key)) || !validValue(kv.Value) {
				return false
			}
		}
	}
	return true
}

func FuzzCleanAttributes(f *testing.F) {
	f.Add("key", "value")
	f.Add("k\xff", "v\xc3\x28")
	f.Add("", "\xed\xa0\x80") // a surrogate half
	f.Fuzz(func(t *testing.T, k, s string) {
		in := []attribute.KeyValue{
			{Key: attribute.Key(k), Value: attribute.StringValue(s)},
			attribute.StringSlice(k, []string{s, "ok"}),
			{Key: attribute.Key(s), Value: attribute.MapValue(
				attribute.KeyValue{Key: attribute.Key(k), Value: attribute.SliceValue(attribute.StringValue(s), attribute.BoolValue(true))},
			)},
		}
		before := append([]attribute.KeyValue(nil), in...)
		out := cleanAttributes(in)
		assert.Len(t, out, len(in))
		for _, kv := range out {
			assert.True(t, utf8.ValidString(string(kv.Key)), "key %q", kv.Key)
			assert.True(t, validValue(kv.Value), "value of %q", kv.Key)
		}
		assert.Equal(t, before, in, "the caller's slice is not written to")
		if utf8.ValidString(k) && utf8.ValidString(s) {
			assert.Equal(t, in, out, "valid attributes are kept as they are")
		}
	})
}
