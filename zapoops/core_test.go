package zapoops_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/timeline"
	"github.com/oops-go/oops/zapoops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestWrapReportsAndTagsTheLogLine(t *testing.T) {
	f := newFixture(t, nil)
	_, statErr := os.Stat("/does/not/exist")
	require.Error(t, statErr)

	f.logger.Error("cannot read config", zap.Error(statErr), zap.Int("attempt", 3))

	r := f.only(t)
	assert.True(t, oops.ValidID(r.ID), r.ID)
	assert.Equal(t, oops.ErrorType(statErr), r.Type, "the type as the core names it")
	assert.Equal(t, statErr.Error(), r.Value)
	assert.Equal(t, "ERROR", r.Level)
	assert.Equal(t, "cannot read config", r.Msg)
	assert.Equal(t, int64(3), r.Attrs["attempt"])
	assert.Equal(t, statErr.Error(), r.Attrs["error"])
	assert.NotContains(t, r.Attrs, "oops_id", "the id field is the log line's, not an attribute")
	assert.Contains(t, r.TBText, "zapoops_test.TestWrapReportsAndTagsTheLogLine(...)")
	assert.NotEmpty(t, r.Signature)

	entries := f.logs.All()
	require.Len(t, entries, 1, "the wrapped core writes the entry once")
	id, ok := fieldString(entries[0], "oops_id")
	require.True(t, ok, "the inner entry carries oops_id: %v", entries[0].Context)
	assert.Equal(t, r.ID, id)
	assert.Equal(t, statErr.Error(), entries[0].ContextMap()["error"])
}

func TestTeeReports(t *testing.T) {
	st := &store{}
	cfg := &oops.Config{Publisher: st}
	obs, logs := observer.New(zapcore.DebugLevel)
	core := zapoops.NewCore(cfg, &zapoops.Options{Recorder: flight.New(nil)})
	logger := zap.New(zapcore.NewTee(obs, core))

	logger.Info("fine")
	logger.Warn("disk low", zap.Int64("free_mb", 12))

	require.Equal(t, 1, st.len())
	r := st.all()[0]
	assert.Equal(t, "WARN", r.Type, "no error: the type is the level name")
	assert.Equal(t, "disk low", r.Value)
	assert.Equal(t, int64(12), r.Attrs["free_mb"])
	require.Equal(t, 2, logs.Len(), "the sibling core writes both entries")
	_, tagged := fieldString(logs.All()[0], "oops_id")
	assert.False(t, tagged, "an entry below the report level carries no id")
	id, _ := fieldString(logs.All()[1], "oops_id")
	assert.Equal(t, r.ID, id, "in a Tee the sibling's entry carries the id too")
}

func TestReportLevelAndIDKeyOptions(t *testing.T) {
	f := newFixture(t, &zapoops.Options{ReportLevel: zapcore.ErrorLevel, IDKey: "incident"})
	f.logger.Warn("only a warning")
	assert.Equal(t, 0, f.store.len())
	f.logger.Error("now it counts")
	r := f.only(t)
	id, ok := fieldString(f.logs.All()[1], "incident")
	require.True(t, ok)
	assert.Equal(t, r.ID, id)

	g := newFixture(t, &zapoops.Options{NoIDKey: true})
	g.logger.Error("no id on the line")
	require.Equal(t, 1, g.store.len())
	require.Equal(t, 1, g.logs.Len())
	assert.Empty(t, g.logs.All()[0].ContextMap(), "IDKey \"-\" adds nothing visible")
}

func TestErrorSelection(t *testing.T) {
	f := newFixture(t, nil)
	other := errors.New("first, but not named err")
	main := &quotaError{user: "ada"}
	f.logger.Error("two errors", zap.NamedError("cause", other), zap.NamedError("err", main))
	r := f.only(t)
	assert.Equal(t, "*zapoops_test.quotaError", r.Type, "key err wins over an earlier error")
	assert.Equal(t, other.Error(), r.Attrs["cause"])

	g := newFixture(t, nil)
	g.logger.Error("many", zap.Errors("problems", []error{nil, main, other}))
	r = g.only(t)
	assert.Equal(t, "*zapoops_test.quotaError", r.Type, "zap.Errors: the type of the first non-nil error")
	assert.Equal(t, main.Error()+"\n"+other.Error(), r.Value)
	assert.Equal(t, []any{main.Error(), other.Error()}, r.Attrs["problems"])

	h := newFixture(t, nil)
	h.logger.With(zap.Error(other)).Error("from With")
	assert.Equal(t, other.Error(), h.only(t).Value, "an error given to With counts")
}

type quotaError struct{ user string }

func (e *quotaError) Error() string { return "quota exceeded for " + e.user }

type nilErr struct{}

func (*nilErr) Error() string { panic("nil receiver") }

func TestTypedNilError(t *testing.T) {
	f := newFixture(t, nil)
	var e *nilErr
	f.logger.Error("typed nil", zap.Error(e))
	r := f.only(t)
	assert.Equal(t, "*zapoops_test.nilErr", r.Type)
	assert.Equal(t, "<nil>", r.Value)
	require.Equal(t, 1, f.logs.Len(), "the log line is still written")
}

// stackErr carries its own stack, as pkg/errors' errors do.
type stackErr struct{ pcs []uintptr }

func (e *stackErr) Error() string      { return "with a stack" }
func (e *stackErr) Callers() []uintptr { return e.pcs }

//go:noinline
func makeStackErr() error { return &stackErr{pcs: oops.Callers(0)} }

func TestStackSources(t *testing.T) {
	f := newFixture(t, nil, zap.AddStacktrace(zapcore.ErrorLevel))
	f.logger.Error("zap's stack")
	r := f.only(t)
	require.NotEmpty(t, f.logs.All()[0].Stack)
	assert.Equal(t, f.logs.All()[0].Stack, r.TBText, "Entry.Stack is used when the error has none")

	g := newFixture(t, nil, zap.AddStacktrace(zapcore.ErrorLevel))
	g.logger.Error("error's stack", zap.Error(makeStackErr()))
	r = g.only(t)
	assert.True(t, strings.HasPrefix(r.TBText, "github.com/oops-go/oops/zapoops_test.makeStackErr(...)"), r.TBText)

	h := newFixture(t, nil)
	h.logger.Error("our stack")
	r = h.only(t)
	assert.True(t, strings.HasPrefix(r.TBText, "github.com/oops-go/oops/zapoops_test.TestStackSources(...)"), r.TBText)
}

//go:noinline
func logAtSiteA(l *zap.Logger) { l.Error("same message") }

//go:noinline
func logAtSiteB(l *zap.Logger) { l.Error("same message") }

func TestSignatureFromCallSite(t *testing.T) {
	for _, caller := range []bool{false, true} {
		var opts []zap.Option
		if caller {
			opts = append(opts, zap.AddCaller())
		}
		f := newFixture(t, nil, opts...)
		logAtSiteA(f.logger)
		logAtSiteA(f.logger)
		logAtSiteB(f.logger)
		all := f.store.all()
		require.Len(t, all, 3)
		assert.Equal(t, all[0].Signature, all[1].Signature, "caller=%v: same site, same signature", caller)
		assert.NotEqual(t, all[0].Signature, all[2].Signature, "caller=%v: other site, other signature", caller)
		if caller {
			assert.True(t, f.logs.All()[0].Caller.Defined)
		}
	}
}

func TestTopicUsernameURL(t *testing.T) {
	f := newFixture(t, nil)
	f.logger.Named("billing").Error("by logger name")
	f.logger.Named("billing").Error("by field", zap.String("topic", "GET /invoices/{id}"),
		zap.String("username", "ada"), zap.String("url", "https://example.com/invoices/7"))
	all := f.store.all()
	require.Len(t, all, 2)
	assert.Equal(t, "billing", all[0].Topic)
	assert.Equal(t, "GET /invoices/{id}", all[1].Topic)
	assert.Equal(t, "ada", all[1].Username)
	assert.Equal(t, "https://example.com/invoices/7", all[1].URL)

	st := &store{}
	cfg := &oops.Config{Publisher: st, Template: oops.Report{Topic: "nightly-export"}}
	logger := zap.New(zapoops.NewCore(cfg, &zapoops.Options{Recorder: flight.New(nil)})).Named("db")
	logger.Error("template wins over the logger name")
	require.Equal(t, 1, st.len())
	assert.Equal(t, "nightly-export", st.all()[0].Topic)
}

func TestContextField(t *testing.T) {
	f := newFixture(t, nil)
	tl := timeline.New()
	tl.Start("SQL-main", "SELECT 1").Finish()
	ctx := timeline.NewContext(context.Background(), tl)

	f.logger.Error("per call", zapoops.Context(ctx))
	reqLogger := f.logger.With(zapoops.Context(ctx), zap.String("request_id", "r-1"))
	reqLogger.Error("from With")
	other := timeline.New()
	other.Start("SQL-other", "SELECT 2").Finish()
	reqLogger.Error("call wins", zapoops.Context(timeline.NewContext(context.Background(), other)))
	f.logger.Error("no context")
	//lint:ignore SA1012 a nil ctx must be harmless
	f.logger.Error("nil context", zapoops.Context(nil))

	all := f.store.all()
	require.Len(t, all, 5)
	categories := func(r *oops.Report) []string {
		var out []string
		for _, e := range r.Timeline {
			out = append(out, e.Category+" "+e.Detail)
		}
		return out
	}
	assert.Equal(t, []string{"SQL-main SELECT 1"}, categories(all[0]))
	assert.Equal(t, []string{"SQL-main SELECT 1"}, categories(all[1]))
	assert.Equal(t, "r-1", all[1].Attrs["request_id"])
	assert.Equal(t, []string{"SQL-other SELECT 2"}, categories(all[2]))
	assert.Empty(t, all[3].Timeline)
	assert.Empty(t, all[4].Timeline)
	for _, e := range f.logs.All() {
		for k := range e.ContextMap() {
			assert.NotContains(t, k, "oops.", "the context field writes nothing")
		}
	}
}

func TestStackWithoutTheDefaultHooks(t *testing.T) {
	st := &store{}
	cfg := &oops.Config{Publisher: st, Hooks: []oops.Hook{oops.AttachTime}}
	logger := zap.New(zapoops.NewCore(cfg, &zapoops.Options{Recorder: flight.New(nil)}))
	logger.Error("no AttachError")
	require.Equal(t, 1, st.len())
	assert.True(t, strings.HasPrefix(st.all()[0].TBText, "github.com/oops-go/oops/zapoops_test.TestStackWithoutTheDefaultHooks(...)"),
		st.all()[0].TBText)
}

//go:noinline
func logForStack(l *zap.Logger) { l.Error("where am I") }

// The report's stack starts at the log call, with zap's AddCaller or
// without, although it is captured only once the report is decided on.
func TestStackStartsAtTheLogCall(t *testing.T) {
	for _, caller := range []bool{false, true} {
		var opts []zap.Option
		if caller {
			opts = append(opts, zap.AddCaller())
		}
		f := newFixture(t, nil, opts...)
		logForStack(f.logger)
		r := f.only(t)
		assert.True(t, strings.HasPrefix(r.TBText, "github.com/oops-go/oops/zapoops_test.logForStack(...)\n"),
			"caller=%v: %s", caller, r.TBText)
		assert.Contains(t, r.TBText, "zapoops_test.TestStackStartsAtTheLogCall(...)", "caller=%v", caller)
	}
}
