package pgxtimeline

import (
	"context"
	"database/sql/driver"

	"github.com/oops-go/oops/internal/sqlrec"
)

// DefaultMaxArgLen is how many bytes of each argument value are recorded when
// Options.MaxArgLen is zero. It is sqltimeline's.
const DefaultMaxArgLen = sqlrec.DefaultMaxArgLen

// Options configure a Tracer. They are sqltimeline's options, with the same
// meaning, so that one policy (and one redaction hook) serves both. The zero
// value (or a nil *Options) records every statement run with a context that
// carries a timeline, under the category "SQL-<name>", without argument
// values.
type Options struct {
	// Category is the timeline category of the entries. The default is
	// "SQL-" followed by the name given to New ("SQL" for an empty name).
	Category string

	// Args records the statement's argument values after its text. Off by
	// default: values often hold personal data or secrets.
	Args bool

	// Redact, when Args is on, is called with each argument and returns the
	// value to record in its place (for example "<hidden>"). Positional
	// arguments have Ordinal 1, 2, …; the entries of pgx.NamedArgs and
	// pgx.StrictNamedArgs have their Name. pgx's query options
	// (pgx.QueryExecMode, result formats, a QueryRewriter) are not
	// arguments and are not recorded. A nil Redact records values as they
	// are. It runs on the query's goroutine; a Redact that panics records a
	// placeholder. The same function serves sqltimeline.Options.Redact.
	Redact func(query string, arg driver.NamedValue) any

	// MaxArgLen is how many bytes of each recorded value are kept; longer
	// values are cut (at a character boundary) and their length noted.
	// Zero means DefaultMaxArgLen.
	MaxArgLen int

	// Stacks captures, with each statement, the stack of the code that ran
	// it (program counters, rendered only when a report is made), whatever
	// the timeline's own Options.Stacks says.
	Stacks bool

	// Filter, when set, is asked about every statement (and COPY and
	// CONNECT entries, by their detail) before it is recorded; false leaves
	// it out of the timeline. It is called only when ctx carries a timeline.
	Filter func(ctx context.Context, query string) bool

	// RedactError, when set, gives the text recorded in place of the error
	// a recorded statement ended with. PostgreSQL's error texts can quote
	// argument values ("invalid input syntax for type integer: \"…\""), even
	// with Args off. The caller still gets pgx's error unchanged. It is
	// called when a report reads the entry, never for a statement run
	// without a timeline; one that panics records a placeholder. The same
	// function serves sqltimeline.Options.RedactError.
	RedactError func(err error) string
}

func newConfig(name string, opts *Options) sqlrec.Config {
	c := sqlrec.Config{Category: sqlrec.CategoryFor(name), MaxArgLen: DefaultMaxArgLen}
	if opts == nil {
		return c
	}
	if opts.Category != "" {
		c.Category = opts.Category
	}
	c.Args = opts.Args
	c.Redact = opts.Redact
	if opts.MaxArgLen > 0 {
		c.MaxArgLen = opts.MaxArgLen
	}
	c.Filter = opts.Filter
	c.Stacks = opts.Stacks
	c.RedactError = opts.RedactError
	return c
}
