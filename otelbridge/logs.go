package otelbridge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// it publishes with, when that span is recording: an "exception" event
	// with the exception.* attributes and the OOPS id, and the span's status
	// set to Error.
	SpanEvent bool

	// Attributes, if set, returns more attributes to put on each record (say,
	// from r.Extra). It is called from Publish and must be safe for
	// concurrent use.
	Attributes func(r *oops.Report) []attribute.KeyValue
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
//   - oops.id, and oops.signature, oops.topic, oops.reporter and oops.url
//     when set, then LogOptions.Attributes;
//   - trace context: the span in ctx, else r.TraceID and r.SpanID.
//
// Strings that are not valid UTF-8 have their bad bytes replaced by U+FFFD,
// because OTLP cannot carry them and an exporter would drop the whole batch.
// Length and count limits are the LoggerProvider's (sdklog's
// WithAttributeValueLengthLimit).
//
// Publish returns r.ID as the id when the logger is enabled for the record's
// severity, and no id (and no error) when it is not, for example after the
// provider shut down or while the global provider is still the no-op one, so
// that oops.WithFallback moves on to the next publisher.
type LogPublisher struct {
	logger    log.Logger
	spanEvent bool
	attrs     func(r *oops.Report) []attribute.KeyValue
}

// NewLogPublisher returns a LogPublisher configured by opts.
func NewLogPublisher(opts LogOptions) *LogPublisher {
	lp := opts.LoggerProvider
	if lp == nil {
		lp = otel.GetLoggerProvider()
	}
	return &LogPublisher{
		logger:    lp.Logger(ScopeName),
		spanEvent: opts.SpanEvent,
		attrs:     opts.Attributes,
	}
}

// Publish emits r as a log record; see LogPublisher.
func (p *LogPublisher) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	if r == nil {
		return nil, errNilReport
	}
	if ctx == nil {
		ctx = context.Background()
	}
	sev, sevText := Severity(r.Level)
	if p.spanEvent {
		recordOnSpan(ctx, r)
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
	rec.SetSeverityText(sevText)
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
	p.logger.Emit(ctx, rec)
	if r.ID == "" {
		return nil, nil
	}
	return []string{r.ID}, nil
}

// extraAttributes calls LogOptions.Attributes; a panic in it becomes an
// attribute that says so rather than a lost report.
func (p *LogPublisher) extraAttributes(r *oops.Report) (attrs []attribute.KeyValue) {
	defer func() {
		if v := recover(); v != nil {
			attrs = []attribute.KeyValue{AttributesPanicKey.String(clean(fmt.Sprint(v)))}
		}
	}()
	return p.attrs(r)
}

var errNilReport = errors.New("otelbridge: nil report")

// isError reports whether r is about an error rather than a bare log record,
// whose type is its level name.
func isError(r *oops.Report) bool {
	return r.Type != "" && r.Type != r.Level
}

func reportAttributes(r *oops.Report) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
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

// recordOnSpan adds an exception event for r to the recording span in ctx
// and sets its status to Error.
func recordOnSpan(ctx context.Context, r *oops.Report) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
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
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, Remote: true})
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

// clean makes s valid UTF-8, as OTLP requires.
func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

var _ oops.Publisher = (*LogPublisher)(nil)
