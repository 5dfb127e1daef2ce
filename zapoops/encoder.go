package zapoops

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"go.uber.org/zap/zapcore"
)

// Bounds on what one record's attrs may hold, so that a marshaler that
// recurses forever or emits millions of values still gives a report of
// reasonable size. Strings are cut at flight.MaxValueLen and arrays at
// flight.MaxElements, as slogoops cuts them.
const (
	maxDepth  = 32    // nesting of objects, arrays and namespaces
	maxValues = 10000 // values of all kinds in one record's attrs
)

// DroppedKey is the attrs key that counts values left out because the report
// reached its bound of values.
const DroppedKey = "oops_attrs_dropped"

// mapEncoder is a zapcore.ObjectEncoder that turns fields into the plain
// values of Report.Attrs: nil, bool, string, int64, uint64, float64,
// time.Time, []any and map[string]any. It is used for one report at a time.
type mapEncoder struct {
	root   map[string]any
	cur    map[string]any
	budget *budget
	depth  int
	ctx    context.Context // the last Context field seen
}

// budget is shared by an encoder and every encoder nested in it.
type budget struct {
	left    int
	dropped int
}

func (b *budget) take() bool {
	if b.left <= 0 {
		b.dropped++
		return false
	}
	b.left--
	return true
}

func newMapEncoder() *mapEncoder {
	// The top-level encoder and its budget live and die together: one
	// allocation for both.
	top := &struct {
		enc mapEncoder
		b   budget
	}{b: budget{left: maxValues}}
	m := make(map[string]any)
	top.enc = mapEncoder{root: m, cur: m, budget: &top.b}
	return &top.enc
}

func (e *mapEncoder) child() *mapEncoder {
	m := make(map[string]any)
	return &mapEncoder{root: m, cur: m, budget: e.budget, depth: e.depth + 1}
}

// result returns the attributes, with DroppedKey when values were left out.
func (e *mapEncoder) result() map[string]any {
	if e.budget.dropped > 0 {
		e.root[DroppedKey] = int64(e.budget.dropped)
	}
	return e.root
}

// addFields adds top-level fields: those given to With and at the call. The
// fields Context makes are read for their context; those a Core's hook
// added are left out.
func (e *mapEncoder) addFields(fields []zapcore.Field) {
	for i := range fields {
		e.addField(&fields[i])
	}
}

func (e *mapEncoder) addField(f *zapcore.Field) {
	switch f.Type {
	case zapcore.SkipType:
		if ctx, ok := contextOf(f); ok {
			e.ctx = ctx
		}
		return
	case zapcore.ErrorType:
		err, _ := f.Interface.(error)
		e.put(f.Key, e.str(oops.ErrorText(err)))
		return
	case zapcore.ArrayMarshalerType:
		if errs, ok := errorSlice(f.Interface); ok {
			e.addErrors(f.Key, errs)
			return
		}
	case zapcore.StringerType:
		e.protect(f.Key, "String", func() { e.put(f.Key, e.str(stringerText(f.Interface))) })
		return
	case zapcore.StringType:
		if isOurs(f) {
			return
		}
		// The commonest types, as f.AddTo would add them, without the
		// closure and deferred recover a marshaler needs: these cannot
		// panic.
		e.AddString(f.Key, f.String)
		return
	case zapcore.Int64Type:
		e.AddInt64(f.Key, f.Integer)
		return
	case zapcore.BoolType:
		e.AddBool(f.Key, f.Integer == 1)
		return
	}
	e.protect(f.Key, "field", func() { f.AddTo(e) })
}

// addErrors maps zap.Errors: the texts of the non-nil errors, in order.
func (e *mapEncoder) addErrors(key string, errs []error) {
	texts := make([]any, 0, min(len(errs), flight.MaxElements))
	for _, err := range errs {
		if err == nil || len(texts) >= flight.MaxElements || !e.budget.take() {
			continue
		}
		texts = append(texts, e.str(oops.ErrorText(err)))
	}
	e.put(key, texts)
}

func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// stringerText calls String, giving "<nil>" for a nil pointer whose method
// panics (as zap does); other panics reach protect.
func stringerText(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
				s = "<nil>"
				return
			}
			panic(r)
		}
	}()
	if st, ok := v.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprint(v)
}

var errorType = reflect.TypeFor[error]()

// errorSlice recognizes the array zap.Errors makes (a named []error) without
// naming zap's unexported type.
func errorSlice(v any) ([]error, bool) {
	if errs, ok := v.([]error); ok {
		return errs, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || rv.Type().Elem() != errorType {
		return nil, false
	}
	return rv.Convert(reflect.TypeFor[[]error]()).Interface().([]error), true
}

// protect runs f, which writes key, and turns a panic into a placeholder
// under key: a marshaler or Stringer that panics costs its own value only.
func (e *mapEncoder) protect(key, what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			e.cur[e.key(key)] = fmt.Sprintf("<%s panicked: %v>", what, r)
		}
	}()
	f()
}

func (e *mapEncoder) key(k string) string { return oops.ValidUTF8(k) }

func (e *mapEncoder) put(k string, v any) {
	if !e.budget.take() {
		return
	}
	e.cur[e.key(k)] = v
}

// str makes s valid UTF-8 no longer than the byte bound, with a marker
// saying how long it was.
func (e *mapEncoder) str(s string) string { return text(s) }

func text(s string) string { return oops.ValidUTF8(flight.Truncate(s)) }

// AddArray implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddArray(key string, m zapcore.ArrayMarshaler) error {
	if e.depth >= maxDepth {
		e.put(key, "<too deep>")
		return nil
	}
	arr := &sliceEncoder{budget: e.budget, depth: e.depth + 1}
	var err error
	e.protect(key, "MarshalLogArray", func() {
		err = m.MarshalLogArray(arr)
		e.put(key, arr.result())
	})
	return err
}

// AddObject implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddObject(key string, m zapcore.ObjectMarshaler) error {
	if e.depth >= maxDepth {
		e.put(key, "<too deep>")
		return nil
	}
	sub := e.child()
	var err error
	e.protect(key, "MarshalLogObject", func() {
		err = m.MarshalLogObject(sub)
		e.put(key, sub.root)
	})
	return err
}

// AddBinary implements zapcore.ObjectEncoder: opaque bytes in base64, as
// zap's JSON encoder writes them.
func (e *mapEncoder) AddBinary(k string, v []byte) {
	e.put(k, e.str(base64.StdEncoding.EncodeToString(v)))
}

// AddByteString implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddByteString(k string, v []byte) { e.put(k, e.str(string(v))) }

// AddBool implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddBool(k string, v bool) { e.put(k, v) }

// AddComplex128 implements zapcore.ObjectEncoder; complex numbers are text.
func (e *mapEncoder) AddComplex128(k string, v complex128) { e.put(k, fmt.Sprint(v)) }

// AddComplex64 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddComplex64(k string, v complex64) { e.put(k, fmt.Sprint(v)) }

// AddDuration implements zapcore.ObjectEncoder; durations are text ("1.5s").
func (e *mapEncoder) AddDuration(k string, v time.Duration) { e.put(k, v.String()) }

// AddFloat64 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddFloat64(k string, v float64) { e.put(k, plainFloat(v)) }

// AddFloat32 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddFloat32(k string, v float32) { e.put(k, plainFloat(float64(v))) }

// AddInt implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddInt(k string, v int) { e.put(k, int64(v)) }

// AddInt64 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddInt64(k string, v int64) { e.put(k, v) }

// AddInt32 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddInt32(k string, v int32) { e.put(k, int64(v)) }

// AddInt16 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddInt16(k string, v int16) { e.put(k, int64(v)) }

// AddInt8 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddInt8(k string, v int8) { e.put(k, int64(v)) }

// AddString implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddString(k, v string) { e.put(k, e.str(v)) }

// AddTime implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddTime(k string, v time.Time) { e.put(k, v) }

// AddUint implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddUint(k string, v uint) { e.put(k, uint64(v)) }

// AddUint64 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddUint64(k string, v uint64) { e.put(k, v) }

// AddUint32 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddUint32(k string, v uint32) { e.put(k, uint64(v)) }

// AddUint16 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddUint16(k string, v uint16) { e.put(k, uint64(v)) }

// AddUint8 implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddUint8(k string, v uint8) { e.put(k, uint64(v)) }

// AddUintptr implements zapcore.ObjectEncoder.
func (e *mapEncoder) AddUintptr(k string, v uintptr) { e.put(k, uint64(v)) }

// AddReflected implements zapcore.ObjectEncoder with oops.Plain.
func (e *mapEncoder) AddReflected(k string, v any) error {
	e.protect(k, "value", func() { e.put(k, e.plain(v)) })
	return nil
}

// OpenNamespace implements zapcore.ObjectEncoder: later fields go into a
// nested document under k.
func (e *mapEncoder) OpenNamespace(k string) {
	if e.depth >= maxDepth || !e.budget.take() {
		return
	}
	ns := make(map[string]any)
	e.cur[e.key(k)] = ns
	e.cur = ns
	e.depth++
}

func (e *mapEncoder) plain(v any) any { return flight.Value(v) }

func plainFloat(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return f
}

// sliceEncoder is the zapcore.ArrayEncoder counterpart of mapEncoder.
type sliceEncoder struct {
	elems  []any
	left   int // elements past flight.MaxElements, left out
	budget *budget
	depth  int
}

func (s *sliceEncoder) result() []any {
	if s.left > 0 {
		s.elems = append(s.elems, "<"+strconv.Itoa(s.left)+" more elements left out>")
	}
	if s.elems == nil {
		return []any{}
	}
	return s.elems
}

func (s *sliceEncoder) add(v any) {
	if len(s.elems) >= flight.MaxElements {
		s.left++
		return
	}
	if s.budget.take() {
		s.elems = append(s.elems, v)
	}
}

func (s *sliceEncoder) str(v string) string { return text(v) }

// protect appends a placeholder when f panics.
func (s *sliceEncoder) protect(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			s.elems = append(s.elems, fmt.Sprintf("<%s panicked: %v>", what, r))
		}
	}()
	f()
}

// AppendArray implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendArray(m zapcore.ArrayMarshaler) error {
	if s.depth >= maxDepth {
		s.add("<too deep>")
		return nil
	}
	sub := &sliceEncoder{budget: s.budget, depth: s.depth + 1}
	var err error
	s.protect("MarshalLogArray", func() {
		err = m.MarshalLogArray(sub)
		s.add(sub.result())
	})
	return err
}

// AppendObject implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendObject(m zapcore.ObjectMarshaler) error {
	if s.depth >= maxDepth {
		s.add("<too deep>")
		return nil
	}
	root := make(map[string]any)
	sub := &mapEncoder{root: root, cur: root, budget: s.budget, depth: s.depth + 1}
	var err error
	s.protect("MarshalLogObject", func() {
		err = m.MarshalLogObject(sub)
		s.add(root)
	})
	return err
}

// AppendReflected implements zapcore.ArrayEncoder with oops.Plain.
func (s *sliceEncoder) AppendReflected(v any) error {
	s.protect("value", func() { s.add(flight.Value(v)) })
	return nil
}

// AppendBool implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendBool(v bool) { s.add(v) }

// AppendByteString implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendByteString(v []byte) { s.add(s.str(string(v))) }

// AppendComplex128 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendComplex128(v complex128) { s.add(fmt.Sprint(v)) }

// AppendComplex64 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendComplex64(v complex64) { s.add(fmt.Sprint(v)) }

// AppendDuration implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendDuration(v time.Duration) { s.add(v.String()) }

// AppendFloat64 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendFloat64(v float64) { s.add(plainFloat(v)) }

// AppendFloat32 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendFloat32(v float32) { s.add(plainFloat(float64(v))) }

// AppendInt implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendInt(v int) { s.add(int64(v)) }

// AppendInt64 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendInt64(v int64) { s.add(v) }

// AppendInt32 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendInt32(v int32) { s.add(int64(v)) }

// AppendInt16 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendInt16(v int16) { s.add(int64(v)) }

// AppendInt8 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendInt8(v int8) { s.add(int64(v)) }

// AppendString implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendString(v string) { s.add(s.str(v)) }

// AppendTime implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendTime(v time.Time) { s.add(v) }

// AppendUint implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendUint(v uint) { s.add(uint64(v)) }

// AppendUint64 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendUint64(v uint64) { s.add(v) }

// AppendUint32 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendUint32(v uint32) { s.add(uint64(v)) }

// AppendUint16 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendUint16(v uint16) { s.add(uint64(v)) }

// AppendUint8 implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendUint8(v uint8) { s.add(uint64(v)) }

// AppendUintptr implements zapcore.ArrayEncoder.
func (s *sliceEncoder) AppendUintptr(v uintptr) { s.add(uint64(v)) }

var (
	_ zapcore.ObjectEncoder = (*mapEncoder)(nil)
	_ zapcore.ArrayEncoder  = (*sliceEncoder)(nil)
)
