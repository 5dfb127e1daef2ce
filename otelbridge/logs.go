package otelbridge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope name of the logger LogPublisher
// emits with.
const ScopeName = "github.com/oops-go/oops/otelbridge"

// Attribute keys for report fields that have no semantic-conventions name.
const (
	IDKey        = attribute.Key("oops.id")        // the report's id, "OOPS-…"
	SignatureKey = attribute.Key("oops.signature") // the report's signature
	TopicKey     = attribute.Key("oops.topic")     // the route pattern or job name
	ReporterKey  = attribute.Key("oops.reporter")  // the service instance
	URLKey       = attribute.Key("oops.url")       // the request URL
	RevisionKey  = attribute.Key("oops.revision")  // the report's revision, when not 0

	// AttributesPanicKey holds what LogOptions.Attributes panicked with.
	AttributesPanicKey = attribute.Key("oops.attributes_panic")
)

// LogOptions configure a LogPublisher. The zero value is ready to use.
type LogOptions struct {
	// LoggerProvider gives the logger records are emitted with. Nil means the
	// global provider (otel.GetLoggerProvider), looked up once, when the
	// publisher is made; the global provider delegates to one set later.
	LoggerProvider log.LoggerProvider

	// SpanEvent makes Publish also record the report on the span in the ctx
	// it publishes with, when that span is recording and the report is a
	// failure (see ErrorSeverity): an "exception" event with the exception.*
	// attributes and the OOPS id, and the span's status set to Error.
	SpanEvent bool

	// ErrorSeverity is the lowest severity at which a report made without
	// an error (from a log record: its Type is its level name) counts as a
	// failure of the span with SpanEvent. A report about an error counts at
	// any level, as with otelslog and otelzap, which set a span's status to
	// Error from the error level up or when an error is present. Zero means
	// log.SeverityError1 (slog's ERROR, zap's ErrorLevel), so that a WARN
	// (a slow query, say) does not make its request a failed one in tracing
	// backends; it still becomes a log record in the span's trace. A value
	// above log.SeverityFatal4 keeps every report without an error off the
	// span; log.SeverityTrace1 puts them all on it.
	ErrorSeverity log.Severity

	// Attributes, if set, returns more attributes to put on each record (say,
	// from r.Extra). It is called from Publish and must be safe for
	// concurrent use. Strings in its keys and values that are not valid
	// UTF-8 are cleaned like the report's.
	Attributes func(r *oops.Report) []attribute.KeyValue

	// PendingDelay bounds how long the record of a report published with
	// Pending set (its maker will publish the same id again, completed) is
	// held back waiting for its final revision. Zero (or less) means
	// DefaultPendingDelay.
	PendingDelay time.Duration

	// NoPendingDelay turns the holding back off: the first revision of a
	// report is the one emitted.
	NoPendingDelay bool

	// MaxRemembered caps how many report ids the publisher remembers (held,
	// or recently emitted) to emit one record per id. Zero means
	// DefaultMaxRemembered. A revision that arrives after its id was
	// forgotten is emitted again.
	MaxRemembered int
}

// A LogPublisher is an oops.Publisher that emits each report as one
// OpenTelemetry log record. It composes with the module's other publishers
// (oops.ToMany, oops.WithFallback, oops.Async). It is safe for concurrent use.
//
// The record is made as follows:
//
//   - timestamp: r.Time (now when zero);
//   - severity: from r.Level, read the way log/slog prints levels ("ERROR",
//     "WARN+2"; zap's and python's names too): DEBUG is SeverityDebug, INFO
//     SeverityInfo, WARN SeverityWarn, ERROR SeverityError, FATAL, PANIC and
//     CRITICAL SeverityFatal, an offset moves within and across the ranges as
//     otelslog does; a report with no level (a panic, an error reported
//     directly) is SeverityError. The severity text is r.Level, or "ERROR";
//   - body: r.Value (r.Type when r.Value is empty);
//   - exception.type, exception.message, exception.stacktrace: r.Type,
//     r.Value, r.TBText, when the report is about an error. A report made
//     from a log record without an error (r.Type is the level name) carries
//     its stack as code.stacktrace instead;
//   - oops.id, and oops.revision, oops.signature, oops.topic, oops.reporter
//     and oops.url when set, then LogOptions.Attributes;
//   - trace context: the span in ctx, else r.TraceID, r.SpanID and
//     r.TraceFlags.
//
// Strings that are not valid UTF-8 have their bad bytes replaced by U+FFFD,
// whatever their source (the report, LogOptions.Attributes' keys and values,
// down into slices and maps), because OTLP cannot carry them and an exporter
// would refuse the whole batch, losing the good records with the bad.
// Length and count limits are the LoggerProvider's (sdklog's
// WithAttributeValueLengthLimit).
//
// # One record per report id
//
// A report may be published several times under its id (see the oops
// package documentation on revisions): a flight recorder publishes at the
// trigger and again, completed, when its trailing window closes. Log records
// cannot be taken back, so the publisher emits one record per id, carrying
// the last revision it could wait for:
//
//   - a report with Pending set is held back, up to LogOptions.PendingDelay
//     from its first publication, waiting for its final revision; a later
//     pending revision replaces the one held;
//   - a report with Pending unset is emitted at once, in place of any held;
//   - when the delay ends, the revision held is emitted as it is; a revision
//     of an id already emitted (late, or redelivered) is dropped;
//   - ForceFlush and Shutdown emit every record held: call one before the
//     LoggerProvider's own ForceFlush or Shutdown.
//
// The exception event on the span (SpanEvent) is recorded once per id, at
// the first publication that finds a recording span: it is not held back,
// because a request's span usually ends before a trailing window closes and
// an ended span takes no more events, and what it carries (the error, its
// stack, the id) does not change between revisions.
//
// The ids remembered are bounded by LogOptions.MaxRemembered; a record held
// for an id that must be forgotten to make room is emitted then.
//
// Publish returns r.ID as the id when the logger is enabled for the record's
// severity (also when the record is held, or dropped as a repeat), and no id
// (and no error) when it is not, for example after the provider shut down or
// while the global provider is still the no-op one, so that oops.WithFallback
// moves on to the next publisher.
type LogPublisher struct {
	logger    log.Logger
	spanEvent bool
	errorSev  log.Severity
	attrs     func(r *oops.Report) []attribute.KeyValue
	revs      *revisions
}

// NewLogPublisher returns a LogPublisher configured by opts; nil means the
// defaults.
func NewLogPublisher(o *LogOptions) *LogPublisher {
	var opts LogOptions
	if o != nil {
		opts = *o
	}
	lp := opts.LoggerProvider
	if lp == nil {
		lp = otel.GetLoggerProvider()
	}
	errorSev := opts.ErrorSeverity
	if errorSev == log.SeverityUndefined {
		errorSev = log.SeverityError1
	}
	p := &LogPublisher{
		logger:    lp.Logger(ScopeName),
		spanEvent: opts.SpanEvent,
		errorSev:  errorSev,
		attrs:     opts.Attributes,
	}
	delay := opts.PendingDelay
	if opts.NoPendingDelay {
		delay = -1 // newRevisions: hold nothing back
	} else if delay < 0 {
		delay = 0
	}
	p.revs = newRevisions(delay, opts.MaxRemembered, p.logger.Emit)
	return p
}

// Publish emits r as a log record, holds it or drops it as a repeat; see
// LogPublisher.
func (p *LogPublisher) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	if r == nil {
		return nil, errNilReport
	}
	if ctx == nil {
		ctx = context.Background()
	}
	sev, sevText := Severity(r.Level)
	if p.spanEvent && (isError(r) || sev >= p.errorSev) {
		if span := trace.SpanFromContext(ctx); span.IsRecording() && p.revs.firstOnSpan(r.ID) {
			recordOnSpan(span, r)
		}
	}
	if !p.logger.Enabled(ctx, log.EnabledParameters{Severity: sev}) {
		return nil, nil
	}

	var rec log.Record
	ts := r.Time
	if ts.IsZero() {
		ts = time.Now()
	}
	rec.SetTimestamp(ts)
	rec.SetObservedTimestamp(time.Now())
	rec.SetSeverity(sev)
	rec.SetSeverityText(clean(sevText))
	body := r.Value
	if body == "" {
		body = r.Type
	}
	rec.SetBody(attribute.StringValue(clean(body)))
	rec.AddAttributes(reportAttributes(r)...)
	if p.attrs != nil {
		rec.AddAttributes(p.extraAttributes(r)...)
	}

	if !trace.SpanContextFromContext(ctx).IsValid() {
		if sc, ok := reportSpanContext(r); ok {
			ctx = trace.ContextWithSpanContext(ctx, sc)
		}
	}
	p.revs.publish(ctx, r.ID, r.Revision, r.Pending, rec)
	if r.ID == "" {
		return nil, nil
	}
	return []string{r.ID}, nil
}

// ForceFlush emits the records held for pending reports now, without
// waiting for their final revision. It does not flush the LoggerProvider:
// call its ForceFlush after this one.
func (p *LogPublisher) ForceFlush(context.Context) error {
	p.revs.flush(false)
	return nil
}

// Shutdown emits the records held for pending reports, like ForceFlush,
// and from then on emits pending reports at once rather than hold them. It
// does not shut the LoggerProvider down: call its Shutdown after this one.
// The publisher stays usable.
func (p *LogPublisher) Shutdown(context.Context) error {
	p.revs.flush(true)
	return nil
}

// extraAttributes calls LogOptions.Attributes; a panic in it becomes an
// attribute that says so rather than a lost report.
func (p *LogPublisher) extraAttributes(r *oops.Report) (attrs []attribute.KeyValue) {
	defer func() {
		if v := recover(); v != nil {
			attrs = []attribute.KeyValue{AttributesPanicKey.String(clean(fmt.Sprint(v)))}
		}
	}()
	return cleanAttributes(p.attrs(r))
}

var errNilReport = errors.New("otelbridge: nil report")

// isError reports whether r is about an error rather than a bare log record,
// whose type is its level name.
func isError(r *oops.Report) bool {
	return r.Type != "" && r.Type != r.Level
}

func reportAttributes(r *oops.Report) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 9)
	if isError(r) {
		attrs = append(attrs,
			semconv.ExceptionTypeKey.String(clean(r.Type)),
			semconv.ExceptionMessageKey.String(clean(r.Value)))
		if r.TBText != "" {
			attrs = append(attrs, semconv.ExceptionStacktraceKey.String(clean(r.TBText)))
		}
	} else if r.TBText != "" {
		attrs = append(attrs, semconv.CodeStacktraceKey.String(clean(r.TBText)))
	}
	attrs = append(attrs, IDKey.String(clean(r.ID)))
	if r.Revision != 0 {
		attrs = append(attrs, RevisionKey.Int(r.Revision))
	}
	for _, kv := range [...]struct {
		k attribute.Key
		v string
	}{{SignatureKey, r.Signature}, {TopicKey, r.Topic}, {ReporterKey, r.Reporter}, {URLKey, r.URL}} {
		if kv.v != "" {
			attrs = append(attrs, kv.k.String(clean(kv.v)))
		}
	}
	return attrs
}

// recordOnSpan adds an exception event for r to span and sets its status
// to Error.
func recordOnSpan(span trace.Span, r *oops.Report) {
	attrs := make([]attribute.KeyValue, 0, 4)
	typ := r.Type
	if typ == "" {
		typ = r.Level
	}
	attrs = append(attrs,
		semconv.ExceptionTypeKey.String(clean(typ)),
		semconv.ExceptionMessageKey.String(clean(r.Value)))
	if r.TBText != "" {
		attrs = append(attrs, semconv.ExceptionStacktraceKey.String(clean(r.TBText)))
	}
	attrs = append(attrs, IDKey.String(clean(r.ID)))
	opts := []trace.EventOption{trace.WithAttributes(attrs...)}
	if !r.Time.IsZero() {
		opts = append(opts, trace.WithTimestamp(r.Time))
	}
	span.AddEvent(semconv.ExceptionEventName, opts...)
	span.SetStatus(codes.Error, clean(r.Value))
}

// reportSpanContext rebuilds the span context the report was made in from
// its hex ids.
func reportSpanContext(r *oops.Report) (trace.SpanContext, bool) {
	if r.TraceID == "" || r.SpanID == "" {
		return trace.SpanContext{}, false
	}
	tid, err := trace.TraceIDFromHex(r.TraceID)
	if err != nil {
		return trace.SpanContext{}, false
	}
	sid, err := trace.SpanIDFromHex(r.SpanID)
	if err != nil {
		return trace.SpanContext{}, false
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.TraceFlags(byte(r.TraceFlags)), Remote: true,
	})
	return sc, sc.IsValid()
}

// Severity returns the OpenTelemetry severity and severity text for a
// report's level name; see LogPublisher for the mapping. Unknown names are
// SeverityError with the name kept as the text.
func Severity(level string) (log.Severity, string) {
	if level == "" {
		return log.SeverityError, "ERROR"
	}
	name, off := level, 0
	if i := strings.IndexAny(level, "+-"); i > 0 {
		n, err := strconv.Atoi(level[i:])
		if err == nil {
			name, off = level[:i], n
		}
	}
	var base int // log/slog's level numbers
	switch strings.ToUpper(name) {
	case "TRACE":
		base = -8
	case "DEBUG":
		base = -4
	case "INFO":
		base = 0
	case "WARN", "WARNING":
		base = 4
	case "ERROR":
		base = 8
	case "FATAL", "PANIC", "DPANIC", "CRITICAL":
		base = 12
	default:
		return log.SeverityError, level
	}
	// otelslog's mapping: slog.Level + 9, so that each slog level starts
	// one OpenTelemetry range (INFO = 9 = SeverityInfo1).
	s := base + off + 9
	s = max(int(log.SeverityTrace1), min(s, int(log.SeverityFatal4)))
	return log.Severity(s), level
}

var _ oops.Publisher = (*LogPublisher)(nil)
