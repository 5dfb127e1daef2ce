package zapoops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// DefaultIDKey is the key of the field that carries the report's id on the
// log line, when Options.IDKey is empty.
const DefaultIDKey = "oops_id"

// DefaultDroppedKey is the key of the field that says why an entry's report
// was not stored, when Options.DroppedKey is empty.
const DefaultDroppedKey = "oops_dropped"

// DefaultFlushTimeout bounds how long Sync, and an entry at DPanic level or
// above, wait for reports to be published, when Options.FlushTimeout is
// zero.
const DefaultFlushTimeout = 5 * time.Second

// Options configure a Core. The zero value (or a nil *Options) gives the
// defaults.
type Options struct {
	// ReportLevel decides which entries become reports; nil means
	// zapcore.WarnLevel. A zap.AtomicLevel may be given to change it at run
	// time.
	ReportLevel zapcore.LevelEnabler

	// RecordLevel decides which entries below the report level the flight
	// recorder keeps; nil means zapcore.DebugLevel. Kept entries are copied,
	// not encoded: they are rendered only if a report carries them.
	RecordLevel zapcore.LevelEnabler

	// NoRecording turns keeping entries below the report level off, and
	// makes Enabled follow the wrapped core alone below the report level.
	// Reports still go through the Recorder's rate limits and window.
	NoRecording bool

	// Recorder keeps the entries and decides, per signature, which reports
	// are published; nil means flight.Default(), shared with slogoops.
	Recorder *flight.Recorder

	// IDKey is the key of the string field that carries the report's id on
	// the log line; empty means DefaultIDKey. Under
	// an open zap.Namespace the field lands in the namespace, as any field
	// added at that point would: zap offers no way back to the top level.
	IDKey string
	// NoIDKey adds no id field.
	NoIDKey bool

	// DroppedKey is the key of the string field that says, instead of an
	// id, why an entry at the report level has no stored report (a
	// flight.Drop constant: "suppressed", "filtered", "queue_full", …);
	// empty means DefaultDroppedKey.
	DroppedKey string
	// NoDroppedKey adds no dropped field.
	NoDroppedKey bool

	// TopicKey, UsernameKey, URLKey and ResourceKey name the top-level
	// string fields that fill the report's topic, username, url and
	// resource (see flight.Recorder.Report for the precedence); "" means
	// "topic", "username", "url" and "resource". The fields stay in attrs.
	TopicKey, UsernameKey, URLKey, ResourceKey string
	// NoTopicKey, NoUsernameKey, NoURLKey and NoResourceKey turn one of
	// them off: no field fills that report field.
	NoTopicKey, NoUsernameKey, NoURLKey, NoResourceKey bool

	// FlushTimeout bounds how long Sync, and an entry at DPanic level or
	// above, wait for reports to be published; zero means
	// DefaultFlushTimeout.
	FlushTimeout time.Duration
}

// Core is a zapcore.Core that turns entries at or above the report level into
// OOPS reports and keeps the entries below it in the flight recorder (see the
// package documentation for what a report holds). Make one with NewCore to
// add beside the cores that write the log (zapcore.NewTee), or with Wrap or
// WrapCore around them.
//
// For an entry at or above the report level, the Core decides through the
// Recorder, before any core of the entry writes, whether it makes a report,
// and adds the report's id as a string field (Options.IDKey) to the fields
// every core of the entry receives. When two Cores share an entry (a Tee of
// two), each adds its own id field.
//
// A Core is safe for concurrent use; With returns a new Core and never
// changes the one it is called on.
type Core struct {
	inner zapcore.Core // nil when the Core stands beside the others in a Tee
	s     *settings
	with  []zapcore.Field // fields of With, never appended to in place
	ctx   context.Context // the last Context given to With
	hook  zapcore.CheckPreWriteHook
	// suppressed is the outcome every suppressed entry shares, so that an
	// entry of a storm allocates no pending of its own (see beforeWrite).
	suppressed *pending
}

// init finishes a Core made with its inner core, settings, fields and
// context: its hook and its shared suppressed outcome.
func (c *Core) init() *Core {
	c.hook = c.beforeWrite
	c.suppressed = &pending{core: c, out: flight.Outcome{Verdict: flight.VerdictSuppress, Dropped: flight.DropSuppressed}}
	return c
}

// settings are shared by a Core and every Core With makes from it.
type settings struct {
	cfg          *oops.Config
	rec          *flight.Recorder
	report       levelTest
	record       levelTest
	keep         bool
	idKey        string
	droppedKey   string
	keys         flight.Keys
	flushTimeout time.Duration
	// acts holds action(l) for every level, when report and record are
	// both fixed levels (dynamic is false): Enabled, Check and Write run
	// for every entry, and a load from it is cheaper than the tests.
	acts    [256]action
	dynamic bool
}

// An action is what a Core does with entries of a level: a set of actReport
// and actKeep, or none.
type action uint8

const (
	actReport action = 1 << iota // at or above the report level
	actKeep                      // below it, and kept
)

// action returns what the Core does with entries at level l.
func (s *settings) action(l zapcore.Level) action {
	if s.dynamic {
		return s.actionOf(l)
	}
	return s.acts[uint8(l)]
}

// actionOf works out action(l) from the levels.
func (s *settings) actionOf(l zapcore.Level) action {
	switch {
	case s.report.Enabled(l):
		return actReport
	case s.keep && s.record.Enabled(l):
		return actKeep
	}
	return 0
}

// NewCore returns a Core that writes no log itself: add it to a logger's
// cores with zapcore.NewTee. A nil cfg means the zero oops.Config (reports
// are made and published nowhere).
func NewCore(cfg *oops.Config, opts *Options) *Core {
	return Wrap(nil, cfg, opts)
}

// Wrap returns a Core around inner: every entry reaches inner as it would
// have without the wrapper (inner's own Check decides), and entries that
// become reports carry the report's id. A nil inner is NewCore.
func Wrap(inner zapcore.Core, cfg *oops.Config, opts *Options) *Core {
	if cfg == nil {
		cfg = new(oops.Config)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &settings{cfg: cfg, rec: o.Recorder, report: newLevelTest(o.ReportLevel, zapcore.WarnLevel),
		record: newLevelTest(o.RecordLevel, zapcore.DebugLevel), keep: !o.NoRecording, flushTimeout: o.FlushTimeout,
		idKey: keyOr(o.IDKey, DefaultIDKey, o.NoIDKey), droppedKey: keyOr(o.DroppedKey, DefaultDroppedKey, o.NoDroppedKey),
		keys: flight.Keys{
			Topic: keyOr(o.TopicKey, flight.DefaultKeys.Topic, o.NoTopicKey), Username: keyOr(o.UsernameKey, flight.DefaultKeys.Username, o.NoUsernameKey),
			URL: keyOr(o.URLKey, flight.DefaultKeys.URL, o.NoURLKey), Resource: keyOr(o.ResourceKey, flight.DefaultKeys.Resource, o.NoResourceKey),
		}}
	if s.rec == nil {
		s.rec = flight.Default()
	}
	if s.flushTimeout <= 0 {
		s.flushTimeout = DefaultFlushTimeout
	}
	s.dynamic = s.report.dyn != nil || s.record.dyn != nil
	if !s.dynamic {
		for l := range s.acts {
			s.acts[l] = s.actionOf(zapcore.Level(int8(l)))
		}
	}
	return (&Core{inner: inner, s: s}).init()
}

// keyOr returns k, or def when k is empty, or "" (no key) when off.
func keyOr(k, def string, off bool) string {
	switch {
	case off:
		return ""
	case k == "":
		return def
	}
	return k
}

// levelTest is a LevelEnabler with a fast path for a fixed level, the common
// case: Enabled runs for every log call, even disabled ones.
type levelTest struct {
	min zapcore.Level
	dyn zapcore.LevelEnabler // nil for a fixed level
}

func newLevelTest(e zapcore.LevelEnabler, def zapcore.Level) levelTest {
	switch l := e.(type) {
	case nil:
		return levelTest{min: def}
	case zapcore.Level:
		return levelTest{min: l}
	}
	return levelTest{dyn: e}
}

func (t levelTest) Enabled(l zapcore.Level) bool {
	if t.dyn != nil {
		return t.dyn.Enabled(l)
	}
	return l >= t.min
}

// WrapCore returns a zap.Option that wraps a logger's core with Wrap:
//
//	logger = logger.WithOptions(zapoops.WrapCore(cfg, nil))
func WrapCore(cfg *oops.Config, opts *Options) zap.Option {
	return zap.WrapCore(func(inner zapcore.Core) zapcore.Core { return Wrap(inner, cfg, opts) })
}

// Enabled reports whether entries at level l are written by the wrapped
// core, reported or kept.
func (c *Core) Enabled(l zapcore.Level) bool {
	// The Core's own levels first: they are the cheaper to test.
	return c.s.action(l) != 0 || (c.inner != nil && c.inner.Enabled(l))
}

// Level returns the lowest level Enabled reports as enabled (zapcore.LevelOf
// uses it).
func (c *Core) Level() zapcore.Level {
	for l := zapcore.DebugLevel; l < zapcore.FatalLevel; l++ {
		if c.Enabled(l) {
			return l
		}
	}
	if c.Enabled(zapcore.FatalLevel) {
		return zapcore.FatalLevel
	}
	return zapcore.InvalidLevel
}

// With returns a Core with fields added. Fields made by Context set the
// context used for reports and kept entries. c itself does not change.
func (c *Core) With(fields []zapcore.Field) zapcore.Core {
	n := &Core{inner: c.inner, s: c.s, ctx: c.ctx}
	n.with = make([]zapcore.Field, 0, len(c.with)+len(fields))
	n.with = append(append(n.with, c.with...), snapshotFields(nil, fields, true)...)
	if ctx := lastContext(fields); ctx != nil {
		n.ctx = ctx
	}
	if c.inner != nil {
		n.inner = c.inner.With(fields)
	}
	return n.init()
}

// Check adds the Core to ce when the entry is to be reported or kept, and
// lets the wrapped core add itself as its own Check decides.
func (c *Core) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	switch c.s.action(ent.Level) {
	case actReport:
		if c.inner != nil {
			ce = c.inner.Check(ent, ce)
		}
		return ce.AddCore(ent, c).Before(ent, c.hook)
	case actKeep:
		// The wrapped core first, as for a report.
		if c.inner != nil {
			ce = c.inner.Check(ent, ce)
		}
		return ce.AddCore(ent, c)
	}
	if c.inner != nil {
		ce = c.inner.Check(ent, ce)
	}
	return ce
}

// Write reports or keeps the entry. It is called by zap once the entry has
// been checked; the wrapped core is written by zap too, not from here.
func (c *Core) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	if c.s.action(ent.Level)&actReport == 0 {
		// Keep the entry, into the Context's timeline or the rings: what
		// newKept does, written out here to spare a call and a copy of
		// the entry.
		k := keptPool.Get()
		if !k.fill(c, &ent, fields, true) {
			k.fillSnapshot(c, &ent, fields)
		}
		ctx := lastContext(fields)
		if ctx == nil {
			ctx = c.ctx
		}
		c.s.rec.Keep(ctx, flightLevel(ent.Level), ent.Time, k)
		return nil
	}
	if findPending(c, fields) == nil {
		// Write without Check (or Check's hook bypassed): report now. A
		// report that was not stored is counted by the Recorder, not
		// returned: zap would write one line per failure to its error
		// output (see flight.Options.OnDrops).
		c.report(ent, fields, &pending{core: c})
	}
	if ent.Level > zapcore.ErrorLevel {
		// zap may panic or exit once the cores are written.
		return c.flush()
	}
	return nil
}

// Sync closes the Recorder's trailing window, waits for the publisher when it
// can be flushed, and syncs the wrapped core.
func (c *Core) Sync() error {
	err := c.flush()
	if c.inner != nil {
		err = errors.Join(err, c.inner.Sync())
	}
	return err
}

type flusher interface {
	Flush(ctx context.Context) error
}

func (c *Core) flush() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.s.flushTimeout)
	defer cancel()
	var errs []error
	if err := c.s.rec.Flush(ctx); err != nil {
		errs = append(errs, fmt.Errorf("zapoops: flushing the recorder: %w", err))
	}
	if f, ok := c.s.cfg.Publisher.(flusher); ok {
		if err := f.Flush(ctx); err != nil {
			errs = append(errs, fmt.Errorf("zapoops: flushing the publisher: %w", err))
		}
	}
	return errors.Join(errs...)
}

var _ zapcore.Core = (*Core)(nil)
