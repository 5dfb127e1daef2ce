// Package analysis holds the rules a person reads OOPS reports by, so that
// the console command (cmd/oops) and the web console show the same things.
//
// For one report, Of computes what oops-tools showed beside a report: the
// total time, the time spent in SQL against the rest, the statement count,
// the longest statements, the statements that repeated (grouped by their
// normalised text, with the time one query would have saved) and N+1 runs.
// Entries maps the result back onto the timeline, index by index, for a
// waterfall that marks them.
//
// For groups of reports, Rules.Classify sorts a problem into one of the
// classes of oops-tools' daily summary (time-outs, soft time-outs, not
// found, client errors, exceptions) and Rules.Sections sorts groups into
// those sections.
//
// # SQL statements
//
// A timeline entry is a SQL statement when its category is "SQL" or starts
// with "SQL-" (what package sqltimeline writes). Statements are normalised
// (see Normalize) from the tokens of github.com/DataDog/go-sqllexer, a
// maintained SQL lexer that knows the quoting, comment and parameter
// syntaxes of PostgreSQL, MySQL, SQLite and SQL Server: literals (numbers,
// strings, booleans, NULL) and parameters ($1, ?, :name) become "?", lists
// of them ("IN (1, 2, 3)") become "(?)", comments are dropped and keywords
// upper-cased. Identifiers are kept, so that users2 and users3 stay two
// tables. Regular expressions of our own would get quoting wrong. A
// statement without text (a viewer's copy of a report, see store.ForRole,
// keeps the timeline's shape without statement texts) counts in the times
// and the statement count but is never grouped with another.
//
// # Time
//
// Total is the report's duration when known, else the end of its last
// timeline entry (and never less than that end). SQL is the sum of the
// statements' durations, as the store's summaries count it. Other is Total
// less the wall time during which at least one statement ran, so that
// statements run in parallel do not make it negative.
//
// # N+1
//
// An N+1 run is, after Sentry's detector, a run of consecutive statements
// (other kinds of entries between them, such as log records, are ignored)
// with one normalised text, following a "source" statement of another text
// that ended before the run began. It is reported when it has at least
// NPlusOneRule.MinRepeats statements (default 5, as Sentry) taking at least
// NPlusOneRule.MinTotal together (default 0). Sentry's 50 ms time threshold
// suits production sampling, where only costly runs are worth an issue; a
// console reading one failed request wants to see the pattern before it
// costs that much (a development database answers a per-row query in
// microseconds), so the default reports every run of five; set MinTotal to
// 50*time.Millisecond for Sentry's behaviour. A run without a source
// statement before it (the first statements of a request) is not reported:
// nothing shows where the rows came from. Repeats may overlap each other
// (a fan-out over goroutines is still one query per row).
//
// # Classification
//
// DefaultRules, tried in order, the first that matches deciding:
//
//	soft time-out  type SoftRequestTimeout (what oopshttp reports)
//	time-out       type RequestExpired, TimeoutError, context.deadlineExceededError
//	               (with or without "*"); value containing "context deadline
//	               exceeded", "i/o timeout" or "statement timeout"; status 504
//	not found      type NotFound or NotFoundError; status 404 or 410
//	client error   status 400 to 499
//	exception      everything else
//
// A Rule matches when any of its criteria does. Rules are plain data with
// JSON tags, so that a command can read them from a file.
//
// Package analysis imports the oops core and the SQL lexer only. Its
// functions are safe for concurrent use.
package analysis
