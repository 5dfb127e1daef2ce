package stack

import (
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// both captures the stack with Fill and with runtime.Callers from the same
// function: all but their first entries (two lines of one function) must be
// equal.
//
//go:noinline
func both(skip int) (fill, callers []uintptr) {
	var a, b [MaxDepth]uintptr
	n := Fill(skip, a[:])
	m := runtime.Callers(skip+1, b[:])
	return a[:n], b[:m]
}

func assertSameStack(t *testing.T, fill, callers []uintptr) {
	t.Helper()
	require.NotEmpty(t, fill)
	require.Equal(t, len(callers), len(fill))
	f1, _ := runtime.CallersFrames(fill[:1]).Next()
	f2, _ := runtime.CallersFrames(callers[:1]).Next()
	assert.Equal(t, f2.Function, f1.Function)
	assert.Equal(t, callers[1:], fill[1:])
}

type receiver struct{ n int }

//go:noinline
func (r receiver) value() ([]uintptr, []uintptr) { return both(0) }

func (r *receiver) inlined() ([]uintptr, []uintptr) { return both(0) }

type iface interface{ value() ([]uintptr, []uintptr) }

func generic[T any](v T, f func(T) ([]uintptr, []uintptr)) ([]uintptr, []uintptr) { return f(v) }

//go:noinline
func recurse(n int, f func() ([]uintptr, []uintptr)) ([]uintptr, []uintptr) {
	if n == 0 {
		return f()
	}
	return recurse(n-1, f)
}

func inlinedRecurse(n int) ([]uintptr, []uintptr) {
	return recurse(n, func() ([]uintptr, []uintptr) { return both(0) })
}

func TestFillEqualsRuntimeCallers(t *testing.T) {
	for name, capture := range map[string]func() ([]uintptr, []uintptr){
		"direct": func() ([]uintptr, []uintptr) { return both(0) },
		"skip": func() ([]uintptr, []uintptr) {
			f, c := both(1)
			return append([]uintptr{0}, f...), append([]uintptr{0}, c...)
		},
		"method":      receiver{}.value,
		"inlined":     (&receiver{}).inlined,
		"interface":   func() ([]uintptr, []uintptr) { var i iface = receiver{}; return i.value() },
		"generic":     func() ([]uintptr, []uintptr) { return generic(receiver{}, receiver.value) },
		"recursion":   func() ([]uintptr, []uintptr) { return inlinedRecurse(10) },
		"deeper":      func() ([]uintptr, []uintptr) { return inlinedRecurse(MaxDepth - 5) },
		"beyond":      func() ([]uintptr, []uintptr) { return inlinedRecurse(3 * MaxDepth) },
		"method expr": func() ([]uintptr, []uintptr) { return (*receiver).inlined(&receiver{}) },
	} {
		t.Run(name, func(t *testing.T) {
			fill, callers := capture()
			if name == "skip" {
				fill, callers = fill[1:], callers[1:]
			}
			assertSameStack(t, fill, callers)
		})
	}
}

func TestFillOnOtherGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				fill, callers := recurse(5, func() ([]uintptr, []uintptr) { return both(0) })
				assertSameStack(t, fill, callers)
			}
		})
	}
	wg.Wait()
}

func TestFillThroughRuntimeFrames(t *testing.T) {
	// A panic's deferred call and a reflect call put runtime frames on the
	// stack: Fill leaves those to runtime.Callers, with the same result.
	t.Run("panic", func(t *testing.T) {
		var fill, callers []uintptr
		func() {
			defer func() {
				_ = recover()
				fill, callers = both(0)
			}()
			s := []int{1}
			i := len(s) + 1
			s[i]++ // out of range: a runtime panic
		}()
		assertSameStack(t, fill, callers)
	})
	t.Run("nil pointer", func(t *testing.T) {
		var fill, callers []uintptr
		func() {
			defer func() {
				_ = recover()
				fill, callers = both(0)
			}()
			var r *receiver
			r.n++ // a signal
		}()
		assertSameStack(t, fill, callers)
	})
	t.Run("reflect", func(t *testing.T) {
		out := reflect.ValueOf(func() ([]uintptr, []uintptr) { return both(0) }).Call(nil)
		assertSameStack(t, out[0].Interface().([]uintptr), out[1].Interface().([]uintptr))
	})
	t.Run("makefunc", func(t *testing.T) {
		var f func() ([]uintptr, []uintptr)
		fn := reflect.MakeFunc(reflect.TypeOf(f), func([]reflect.Value) []reflect.Value {
			a, b := both(0)
			return []reflect.Value{reflect.ValueOf(a), reflect.ValueOf(b)}
		})
		reflect.ValueOf(&f).Elem().Set(fn)
		fill, callers := f()
		assertSameStack(t, fill, callers)
	})
}

func TestFillSmallBuffer(t *testing.T) {
	var a, b [3]uintptr
	n := Fill(0, a[:])
	m := runtime.Callers(1, b[:])
	require.Equal(t, m, n)
	assert.Equal(t, b[1:m], a[1:n])
	assert.Equal(t, 0, Fill(1000, a[:]))
}

func TestFillFormatsAsBefore(t *testing.T) {
	got := Format(Callers(0))
	disableFramePointers = true
	want := Format(Callers(0))
	disableFramePointers = false
	// Two lines of this function: the rest is the same text.
	cut := func(s string) string { return s[len("testing.tRunner"):] }
	assert.Equal(t, cut(want), cut(got))
}

func BenchmarkCallers(b *testing.B) {
	for _, impl := range []string{"runtime", "fill"} {
		b.Run("impl="+impl, func(b *testing.B) {
			disableFramePointers = impl == "runtime"
			defer func() { disableFramePointers = false }()
			recurse(10, func() ([]uintptr, []uintptr) {
				b.ReportAllocs()
				for b.Loop() {
					_ = Callers(0)
				}
				return nil, nil
			})
		})
	}
}
