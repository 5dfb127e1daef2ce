package spantimeline

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/oops-go/oops/timeline"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// DefaultMaxPending is the number of started spans a Processor made
// with a zero Options.MaxPending remembers at once.
const DefaultMaxPending = 1 << 16

// Options configure a Processor. The zero value is ready to
// use.
type Options struct {
	// Describe names the timeline entry of an ended span; ok false leaves the
	// span out. Nil means DescribeSpan. It is called from OnEnd and must be
	// safe for concurrent use; a span it panics on is left out.
	Describe func(s sdktrace.ReadOnlySpan) (category, detail string, ok bool)

	// MaxPending caps how many started, unended spans the processor
	// remembers; spans started past it are not recorded (see Skipped). Zero
	// (or less) means DefaultMaxPending.
	MaxPending int

	// NoMaxPending turns the cap off: every started span is remembered.
	NoMaxPending bool
}

// A Processor is an sdktrace.SpanProcessor that records each span
// started under a context carrying a timeline into that timeline when the
// span ends, from its start to its end, with the error of a span whose status
// is Error. Register it with sdktrace.WithSpanProcessor; it exports nothing.
// See the package documentation for how it finds a span's timeline. It is
// safe for concurrent use.
type Processor struct {
	describe func(s sdktrace.ReadOnlySpan) (category, detail string, ok bool) // nil: DescribeSpan
	max      int

	// waiting is false only while spans is empty, read without the lock so
	// that OnEnd of a span outside any timeline costs no lock while no span
	// is waiting. It is set by OnStart and cleared lazily, by the OnEnd of a
	// span not waited for that finds spans empty, so that a run of spans
	// under timelines stores nothing into it (an atomic store costs as much
	// as a lock).
	waiting atomic.Bool
	skipped atomic.Uint64
	mu      sync.Mutex
	spans   pendingTable
}

func spanKey(id trace.SpanID) uint64 { return binary.LittleEndian.Uint64(id[:]) }

// NewProcessor returns a Processor configured by opts; nil means the
// defaults.
func NewProcessor(o *Options) *Processor {
	var opts Options
	if o != nil {
		opts = *o
	}
	p := &Processor{
		describe: opts.Describe,
		max:      opts.MaxPending,
	}
	switch {
	case opts.NoMaxPending:
		p.max = -1
	case p.max <= 0:
		p.max = DefaultMaxPending
	}
	return p
}

// OnStart remembers s when parent carries a timeline.
func (p *Processor) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	tl := timeline.FromContext(parent)
	if tl == nil {
		return
	}
	sc := s.SpanContext()
	if !sc.SpanID().IsValid() {
		return
	}
	p.mu.Lock()
	if p.max > 0 && p.spans.n >= p.max {
		p.mu.Unlock()
		p.skipped.Add(1)
		return
	}
	// Span ids are random per span; should two pending spans of different
	// traces share one, the later wins and the earlier is not recorded.
	p.spans.put(spanKey(sc.SpanID()), sc.TraceID(), tl)
	if !p.waiting.Load() {
		p.waiting.Store(true)
	}
	p.mu.Unlock()
}

// OnEnd records s in the timeline it was started under, if any.
func (p *Processor) OnEnd(s sdktrace.ReadOnlySpan) {
	if !p.waiting.Load() {
		return
	}
	sc := s.SpanContext()
	p.mu.Lock()
	tl, ok := p.spans.take(spanKey(sc.SpanID()), sc.TraceID())
	if !ok && p.spans.n == 0 {
		p.waiting.Store(false)
	}
	p.mu.Unlock()
	if !ok {
		return
	}
	var category, detail string
	if p.describe == nil {
		// DescribeSpan does not panic: no need for describeSafely's
		// deferred recover on the common path.
		category, detail, ok = DescribeSpan(s)
	} else {
		category, detail, ok = p.describeSafely(s)
	}
	if !ok {
		return
	}
	if st := s.Status(); st.Code == codes.Error {
		msg := st.Description
		if msg == "" {
			msg = "span status Error"
		}
		tl.AddErr(category, s.StartTime(), s.EndTime(), detail, errors.New(msg))
		return
	}
	tl.Add(category, s.StartTime(), s.EndTime(), detail)
}

// describeSafely calls the Describe option; a panic in it leaves the span
// out rather than crashing the span's End.
func (p *Processor) describeSafely(s sdktrace.ReadOnlySpan) (category, detail string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return p.describe(s)
}

// Shutdown forgets the spans that have not ended.
func (p *Processor) Shutdown(context.Context) error {
	p.mu.Lock()
	p.spans.clear()
	p.waiting.Store(false)
	p.mu.Unlock()
	return nil
}

// ForceFlush does nothing: entries are recorded as spans end.
func (p *Processor) ForceFlush(context.Context) error { return nil }

// Pending returns how many started spans the processor is waiting for.
func (p *Processor) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.spans.n
}

// Skipped returns how many spans under a timeline were not recorded because
// MaxPending spans were already waiting.
func (p *Processor) Skipped() uint64 { return p.skipped.Load() }

var _ sdktrace.SpanProcessor = (*Processor)(nil)

// Legacy (pre-1.26 semantic conventions) keys that instrumentation such as
// otelsql still sets.
const (
	legacyDBSystem   = attribute.Key("db.system")
	legacyDBStmt     = attribute.Key("db.statement")
	legacyHTTPMethod = attribute.Key("http.method")
	legacyHTTPURL    = attribute.Key("http.url")
)

// DescribeSpan is the default Options.Describe. It names a span's
// timeline entry the way this module names its own steps:
//
//   - a database span (db.system.name, or the older db.system): category
//     "SQL-<system>" for a relational database, "DB-<system>" for others;
//     detail db.query.text (or db.statement), else the span name;
//   - an HTTP client span (http.request.method, or http.method): category
//     "http-<METHOD>"; detail url.full (or http.url), else the span name;
//   - an RPC or messaging span: "rpc-<rpc.system.name>",
//     "messaging-<messaging.system>"; detail the span name;
//   - any other span: "span-<kind>" ("span-internal", "span-client"); detail
//     the span name.
//
// It records every span.
func DescribeSpan(s sdktrace.ReadOnlySpan) (category, detail string, ok bool) {
	var dbSystem, query, method, url, rpc, messaging string
	attrs := s.Attributes()
	for i := range attrs {
		kv := &attrs[i] // not a copy: a KeyValue is 64 bytes
		switch kv.Key {
		case semconv.DBSystemNameKey:
			dbSystem = kv.Value.AsString()
		case legacyDBSystem:
			if dbSystem == "" {
				dbSystem = kv.Value.AsString()
			}
		case semconv.DBQueryTextKey:
			query = kv.Value.AsString()
		case legacyDBStmt:
			if query == "" {
				query = kv.Value.AsString()
			}
		case semconv.HTTPRequestMethodKey:
			method = kv.Value.AsString()
		case legacyHTTPMethod:
			if method == "" {
				method = kv.Value.AsString()
			}
		case semconv.URLFullKey:
			url = kv.Value.AsString()
		case legacyHTTPURL:
			if url == "" {
				url = kv.Value.AsString()
			}
		case semconv.RPCSystemNameKey, "rpc.system":
			rpc = kv.Value.AsString()
		case semconv.MessagingSystemKey:
			messaging = kv.Value.AsString()
		}
	}
	switch {
	case dbSystem != "":
		category = dbCategory(dbSystem)
		if query != "" {
			return category, query, true
		}
	case method != "" && s.SpanKind() != trace.SpanKindServer:
		category = "http-" + strings.ToUpper(method)
		if url != "" {
			return category, url, true
		}
	case rpc != "":
		category = "rpc-" + rpc
	case messaging != "":
		category = "messaging-" + messaging
	default:
		category = "span-" + s.SpanKind().String()
	}
	return category, s.Name(), true
}

// dbCategory is "SQL-<system>" for a relational database, else
// "DB-<system>", made once per known system.
func dbCategory(system string) string {
	switch system { // the common ones without hashing
	case "postgresql":
		return "SQL-postgresql"
	case "mysql":
		return "SQL-mysql"
	case "sqlite":
		return "SQL-sqlite"
	case "mariadb":
		return "SQL-mariadb"
	}
	if c, ok := sqlCategories[system]; ok {
		return c
	}
	return "DB-" + system
}

var sqlCategories = func() map[string]string {
	m := make(map[string]string, len(sqlSystems))
	for _, s := range sqlSystems {
		m[s] = "SQL-" + s
	}
	return m
}()

// sqlSystems are the db.system.name values (current and older) of relational
// databases.
var sqlSystems = []string{
	"other_sql", "postgresql", "mysql", "mariadb", "sqlite",
	"microsoft.sql_server", "mssql", "oracle.db", "oracle",
	"ibm.db2", "db2", "ibm.informix", "informix", "ibm.netezza",
	"cockroachdb", "derby", "firebirdsql", "h2database", "h2",
	"hsqldb", "intersystems.cache", "cache", "sap.hana", "hanadb",
	"sap.maxdb", "maxdb", "teradata", "trino", "aws.redshift",
	"redshift", "gcp.spanner", "spanner", "clickhouse", "hive",
	"actian.ingres", "ingres", "instantdb", "tidb", "yugabytedb",
}
