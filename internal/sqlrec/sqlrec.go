// Package sqlrec is the recording policy shared by the packages that put
// database statements in a timeline (sqltimeline for database/sql,
// pgxtimeline for pgx's native API): the category, which statements are
// recorded, argument values through the redaction hook, and stacks.
package sqlrec

import (
	"context"
	"database/sql/driver"

	"github.com/oops-go/oops/timeline"
)

// DefaultMaxArgLen is how many bytes of each argument value are recorded when
// Config.MaxArgLen is zero.
const DefaultMaxArgLen = 64

// maxArgs bounds how many arguments of one statement are recorded.
const maxArgs = 32

// Config is the resolved form of the public Options of sqltimeline and
// pgxtimeline; their documentation describes each field.
type Config struct {
	Category  string
	Args      bool
	Redact    func(query string, arg driver.NamedValue) any
	MaxArgLen int
	Filter    func(ctx context.Context, query string) bool
	Stacks    bool
	// RedactError, when set, gives the text recorded in place of a
	// statement's error (see Recorded).
	RedactError func(err error) string
}

// CategoryFor returns the category of statements of the database called
// name: "SQL-<name>", or "SQL" for an empty name.
func CategoryFor(name string) string {
	if name == "" {
		return "SQL"
	}
	return "SQL-" + name
}

// Start begins the entry of one statement in tl, or returns the zero Action
// (whose Finish does nothing) when tl is nil or the filter says no. Argument
// values are added to the detail only when c.Args is set.
//
// Start is small enough to inline, so that a statement recorded with the
// default options costs the timeline's Start and little else.
func (c *Config) Start(ctx context.Context, tl *timeline.Timeline, query string, args []driver.NamedValue) timeline.Action {
	if tl == nil {
		return timeline.Action{}
	}
	if c.Filter == nil && !c.Args && !c.Stacks {
		return tl.Start(c.Category, query)
	}
	return c.start(ctx, tl, query, args)
}

// start is Start with a filter, arguments or stacks to handle.
func (c *Config) start(ctx context.Context, tl *timeline.Timeline, query string, args []driver.NamedValue) timeline.Action {
	if c.Filter != nil && !c.Filter(ctx, query) {
		return timeline.Action{}
	}
	if c.Args && len(args) > 0 {
		query = c.WithArgs(query, args)
	}
	return c.StartDetail(tl, query)
}

// StartDetail begins an entry of c's category with the detail as given,
// capturing the stack when c.Stacks is set, without asking the filter. tl
// must not be nil.
func (c *Config) StartDetail(tl *timeline.Timeline, detail string) timeline.Action {
	if c.Stacks {
		return tl.StartStack(c.Category, detail)
	}
	return tl.Start(c.Category, detail)
}

// Records says whether a statement run with ctx, whose timeline is tl, is
// recorded: tl is not nil and the filter, if any, agrees.
func (c *Config) Records(ctx context.Context, tl *timeline.Timeline, query string) bool {
	return tl != nil && (c.Filter == nil || c.Filter(ctx, query))
}
