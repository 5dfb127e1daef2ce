package oops_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/errchain"
	"github.com/oops-go/oops/internal/stack"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAttachTime(t *testing.T) {
	r := &oops.Report{}
	at := time.Date(2026, 11, 21, 23, 59, 0, 0, time.FixedZone("CET", 3600))
	oops.AttachTime(context.Background(), r, &oops.Event{Time: at})
	assert.Equal(t, time.UTC, r.Time.Location())
	assert.True(t, r.Time.Equal(at))

	before := time.Now()
	oops.AttachTime(context.Background(), r, &oops.Event{})
	after := time.Now()
	assert.Equal(t, time.UTC, r.Time.Location())
	assert.False(t, r.Time.Before(before.Truncate(0)))
	assert.False(t, r.Time.After(after))
}

func TestAttachHostname(t *testing.T) {
	want, err := os.Hostname()
	require.NoError(t, err)
	r := &oops.Report{}
	oops.AttachHostname(context.Background(), r, &oops.Event{})
	assert.Equal(t, want, r.Hostname)

	r = &oops.Report{Hostname: "set-by-template"}
	oops.AttachHostname(context.Background(), r, &oops.Event{})
	assert.Equal(t, "set-by-template", r.Hostname)
}

// Error types for the tests.

type leafErr struct{ msg string }

func (e *leafErr) Error() string { return e.msg }

type wrapErr struct {
	msg   string
	inner error
}

func (e *wrapErr) Error() string { return e.msg + ": " + e.inner.Error() }
func (e *wrapErr) Unwrap() error { return e.inner }

type multiErr []error

func (m multiErr) Error() string   { return fmt.Sprint([]error(m)) }
func (m multiErr) Unwrap() []error { return m }

// loopErr unwraps to itself, forever.
type loopErr struct{}

func (e *loopErr) Error() string { return "I am my own cause" }
func (e *loopErr) Unwrap() error { return e }

// stackCarrier adds nothing to the text of the error it wraps, as
// github.com/pkg/errors' withStack does.
type stackCarrier struct{ inner error }

func (e *stackCarrier) Error() string { return e.inner.Error() }
func (e *stackCarrier) Unwrap() error { return e.inner }

// pingErr and pongErr unwrap to each other.
type pingErr struct{ next *pongErr }
type pongErr struct{ next *pingErr }

func (e *pingErr) Error() string { return "ping" }
func (e *pingErr) Unwrap() error { return e.next }
func (e *pongErr) Error() string { return "pong" }
func (e *pongErr) Unwrap() error { return e.next }

// nilPtrErr panics when Error or Unwrap is called on a nil pointer.
type nilPtrErr struct{ msg string }

func (e *nilPtrErr) Error() string { return e.msg }
func (e *nilPtrErr) Unwrap() error { return errors.New(e.msg) }

// panicErr's Error always panics.
type panicErr struct{}

func (panicErr) Error() string { panic("Error is broken") }

// stackErr carries a stack the way github.com/pkg/errors does: a
// StackTrace method returning a slice of a uintptr type.
type frame uintptr
type stackTrace []frame
type stackErr struct {
	msg string
	pcs []uintptr
}

func newStackErr(msg string) error {
	var pcs [32]uintptr
	n := runtime.Callers(2, pcs[:]) // from the caller of newStackErr
	return &stackErr{msg: msg, pcs: pcs[:n]}
}

func (e *stackErr) Error() string { return e.msg }
func (e *stackErr) StackTrace() stackTrace {
	st := make(stackTrace, len(e.pcs))
	for i, pc := range e.pcs {
		st[i] = frame(pc)
	}
	return st
}

// callersErr carries its stack through a Callers() []uintptr method.
type callersErr struct{ pcs []uintptr }

func (e *callersErr) Error() string      { return "with callers" }
func (e *callersErr) Callers() []uintptr { return e.pcs }

func failingOperation() error { return newStackErr("disk on fire") }

func TestErrorType(t *testing.T) {
	_, pathErr := os.Open("/nonexistent/oops/test")
	require.Error(t, pathErr)
	loop := &pingErr{next: &pongErr{}}
	loop.next.next = loop
	var typedNil *nilPtrErr
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain", errors.New("x"), "*errors.errorString"},
		{"path error", pathErr, "*fs.PathError"},
		{"wrapped by fmt", fmt.Errorf("loading: %w", pathErr), "*fs.PathError"},
		{"path error in fmt wrappers", fmt.Errorf("a: %w", fmt.Errorf("b: %w", pathErr)), "*fs.PathError"},
		{"own wrapper type names itself", &wrapErr{"outer", fmt.Errorf("mid: %w", &leafErr{"leaf"})}, "*oops_test.wrapErr"},
		{"fmt around own leaf", fmt.Errorf("mid: %w", &leafErr{"leaf"}), "*oops_test.leafErr"},
		{"same text is a wrapper", &stackCarrier{&leafErr{"leaf"}}, "*oops_test.leafErr"},
		{"errno", fmt.Errorf("x: %w", syscall.ENOENT), "syscall.Errno"},
		{"errors.Join", errors.Join(&leafErr{"a"}, pathErr), "*oops_test.leafErr"},
		{"join with nil first", multiErr{nil, fmt.Errorf("w: %w", fs.ErrNotExist)}, "*errors.errorString"},
		{"fmt with two %w", fmt.Errorf("%w and %w", pathErr, &leafErr{"b"}), "*fs.PathError"},
		{"multi of nothing", multiErr{}, "oops_test.multiErr"},
		{"self loop", &loopErr{}, "*oops_test.loopErr"},
		{"two-error loop", loop, "*oops_test.pingErr"},
		{"loop inside fmt", fmt.Errorf("w: %w", &loopErr{}), "*oops_test.loopErr"},
		{"typed nil", typedNil, "*oops_test.nilPtrErr"},
		{"wrapping a typed nil", fmt.Errorf("w: %w", typedNil), "*oops_test.nilPtrErr"},
		{"context", context.DeadlineExceeded, "context.deadlineExceededError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			require.NotPanics(t, func() { got = oops.ErrorType(tc.err) })
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestTypeChain(t *testing.T) {
	_, pathErr := os.Open("/nonexistent/oops/test")
	assert.Equal(t, []string{"*fmt.wrapError", "*fs.PathError", "syscall.Errno"},
		oops.TypeChain(fmt.Errorf("x: %w", pathErr)))
	assert.Nil(t, oops.TypeChain(nil))
	chain := oops.TypeChain(&loopErr{})
	assert.Len(t, chain, 100, "a looping chain is cut")
}

func TestErrorText(t *testing.T) {
	var typedNil *nilPtrErr
	assert.Equal(t, "<nil>", oops.ErrorText(nil))
	assert.Equal(t, "<nil>", oops.ErrorText(typedNil))
	assert.Equal(t, "x", oops.ErrorText(errors.New("x")))
	assert.Equal(t, "<Error method panicked: Error is broken>", oops.ErrorText(panicErr{}))
}

func TestStackOf(t *testing.T) {
	assert.Nil(t, errchain.StackOf(nil))
	assert.Nil(t, errchain.StackOf(errors.New("x")))
	var typedNil *stackErr
	assert.NotPanics(t, func() { assert.Nil(t, errchain.StackOf(typedNil)) })

	err := failingOperation()
	pcs := errchain.StackOf(fmt.Errorf("wrapped: %w", err))
	require.NotEmpty(t, pcs)
	f, _ := runtime.CallersFrames(pcs).Next()
	assert.Equal(t, "github.com/oops-go/oops_test.failingOperation", f.Function)

	mine := oops.Callers(0)
	assert.Equal(t, mine, errchain.StackOf(&wrapErr{"w", &callersErr{pcs: mine}}))
	assert.Nil(t, errchain.StackOf(&loopErr{}))
}

func TestAttachErrorFromError(t *testing.T) {
	_, pathErr := os.Open("/nonexistent/oops/test")
	r := &oops.Report{}
	oops.AttachError(context.Background(), r, &oops.Event{Err: fmt.Errorf("loading: %w", pathErr), Level: "ERROR", Msg: "load failed"})
	assert.Equal(t, "*fs.PathError", r.Type)
	assert.Equal(t, "loading: open /nonexistent/oops/test: no such file or directory", r.Value)
	assert.Equal(t, "ERROR", r.Level)
	assert.Equal(t, "load failed", r.Msg)
	assert.Empty(t, r.TBText, "no stack anywhere")
}

func TestAttachErrorFromLogRecord(t *testing.T) {
	r := &oops.Report{}
	oops.AttachError(context.Background(), r, &oops.Event{Level: "WARN", Msg: "disk almost full"})
	assert.Equal(t, "WARN", r.Type)
	assert.Equal(t, "disk almost full", r.Value)

	// Fields set earlier (by the template or an earlier hook) are kept.
	r = &oops.Report{Type: "Custom", Value: "kept", TBText: "kept\n"}
	oops.AttachError(context.Background(), r, &oops.Event{Err: errors.New("x"), Stack: oops.Callers(0)})
	assert.Equal(t, "Custom", r.Type)
	assert.Equal(t, "kept", r.Value)
	assert.Equal(t, "kept\n", r.TBText)
}

func TestAttachErrorNilAndTypedNil(t *testing.T) {
	r := &oops.Report{}
	require.NotPanics(t, func() { oops.AttachError(context.Background(), r, &oops.Event{Err: nil}) })
	assert.Empty(t, r.Type)

	var typedNil *nilPtrErr
	r = &oops.Report{}
	require.NotPanics(t, func() { oops.AttachError(context.Background(), r, &oops.Event{Err: typedNil}) })
	assert.Equal(t, "*oops_test.nilPtrErr", r.Type)
	assert.Equal(t, "<nil>", r.Value)

	r = &oops.Report{}
	require.NotPanics(t, func() {
		oops.AttachError(context.Background(), r, &oops.Event{Err: &wrapErr{"w", &loopErr{}}})
	})
	assert.Equal(t, "*oops_test.wrapErr", r.Type)
}

func TestAttachErrorStack(t *testing.T) {
	// The error's own stack wins over the event's.
	r := &oops.Report{}
	oops.AttachError(context.Background(), r, &oops.Event{
		Err:   fmt.Errorf("wrapped: %w", failingOperation()),
		Stack: oops.Callers(0),
	})
	lines := strings.Split(r.TBText, "\n")
	require.GreaterOrEqual(t, len(lines), 4, r.TBText)
	assert.Equal(t, "github.com/oops-go/oops_test.failingOperation(...)", lines[0])
	assert.Regexp(t, `^\t/.*/hooks_test\.go:\d+$`, lines[1])
	assert.Equal(t, "github.com/oops-go/oops_test.TestAttachErrorStack(...)", lines[2])

	// Without one, the event's stack is used.
	r = &oops.Report{}
	oops.AttachError(context.Background(), r, &oops.Event{Err: errors.New("x"), Stack: oops.Callers(0)})
	assert.True(t, strings.HasPrefix(r.TBText, "github.com/oops-go/oops_test.TestAttachErrorStack(...)\n\t"), r.TBText)
	assert.Equal(t, stack.Format(nil), "")
}

func TestAttachTimeline(t *testing.T) {
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 4, Stacks: true})
	ctx := timeline.NewContext(context.Background(), tl)
	t0 := tl.Started()
	tl.Add("log-INFO", t0.Add(1500*time.Microsecond), t0.Add(1500*time.Microsecond), "hello")
	tl.AddErr("SQL-main", t0.Add(2*time.Millisecond), t0.Add(7*time.Millisecond), "SELECT * FROM nope", errors.New("no such table: nope"))
	for i := range 5 {
		tl.Add("SQL-main", t0.Add(time.Duration(10+i)*time.Millisecond), t0.Add(time.Duration(11+i)*time.Millisecond), fmt.Sprint("SELECT ", i))
	}
	tl.Start("SQL-main", "SELECT pg_sleep(1)") // unfinished, with a stack

	r := &oops.Report{Timeline: []oops.TimelineEntry{{Category: "from-template"}}}
	oops.AttachTimeline(ctx, r, &oops.Event{})
	require.Len(t, r.Timeline, 5)
	assert.Equal(t, oops.TimelineEntry{Category: "from-template"}, r.Timeline[0], "entries already there come first")
	byDetail := map[string]oops.TimelineEntry{}
	for _, e := range r.Timeline[1:] {
		byDetail[e.Detail] = e
	}
	assert.Equal(t, oops.TimelineEntry{Start: 1500 * time.Microsecond, End: 1500 * time.Microsecond, Category: "log-INFO", Detail: "hello"}, byDetail["hello"])
	assert.Equal(t, oops.TimelineEntry{Start: 2 * time.Millisecond, End: 7 * time.Millisecond, Category: "SQL-main", Detail: "SELECT * FROM nope", Error: "no such table: nope"}, byDetail["SELECT * FROM nope"])
	assert.Equal(t, oops.TimelineEntry{Start: 14 * time.Millisecond, End: 15 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 4"}, byDetail["SELECT 4"])
	last, ok := byDetail["SELECT pg_sleep(1)"]
	require.True(t, ok, "the most recent entry is kept")
	assert.GreaterOrEqual(t, last.End, last.Start, "unfinished ends now")
	require.NotNil(t, last.Backtrace)
	assert.True(t, strings.HasPrefix(*last.Backtrace, "github.com/oops-go/oops_test.TestAttachTimeline(...)\n\t"), *last.Backtrace)
	for i := 2; i < len(r.Timeline); i++ {
		assert.GreaterOrEqual(t, r.Timeline[i].Start, r.Timeline[i-1].Start, "ordered by start")
	}
	assert.Equal(t, 4, r.TimelineDropped)

	// No timeline in ctx: nothing changes.
	r2 := &oops.Report{}
	oops.AttachTimeline(context.Background(), r2, &oops.Event{})
	assert.Nil(t, r2.Timeline)
	assert.Zero(t, r2.TimelineDropped)

	// Through Create with the default hooks.
	cfg := &oops.Config{}
	r3 := cfg.Create(ctx, oops.Event{Err: errors.New("x")})
	assert.Len(t, r3.Timeline, 4)
	assert.Equal(t, 4, r3.TimelineDropped)
	assert.Nil(t, oops.FlattenTimeline(timeline.New()))
}
