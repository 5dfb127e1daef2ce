// Command oops is the console for OOPS reports: look a report up by the id
// a user quoted, list reports, read the daily summary of problems, and look
// after a store.
//
//	go install github.com/oops-go/oops/cmd/oops@latest
//	go run ./cmd/oops show OOPS-3f2a…              (from the repository)
//
// # Stores
//
// Every command reads the store named by --store (-s) or, without it, by the
// OOPS_STORE environment variable:
//
//	/var/lib/oops              a date directory (package datedir)
//	sqlite:/var/lib/oops.db    a SQLite database (package sqlstore)
//	postgres://host/db         a PostgreSQL database (package sqlstore)
//
// # Commands
//
//	show ID…        a report as text, its analysis (SQL against other time,
//	                repeated statements, N+1 runs) and its timeline drawn as
//	                a waterfall; --json prints the report's JSON
//	list            reports, newest first, with filters; --json: one per line
//	summary         reports grouped by signature, in sections by class
//	                (time-outs, soft time-outs, not found, client errors,
//	                exceptions); text, --json, or --html FILE
//	import DIR      copies a date directory into a SQL store
//	prune           deletes reports older than --older-than
//	serve           the web console (package console), on loopback unless
//	                --listen says otherwise; tokens from OOPS_VIEWER_TOKEN
//	                and OOPS_ADMIN_TOKEN
//	forward SPOOL   sends a spool directory's reports to RabbitMQ (package
//	                oopsamqp), removing each once the broker confirmed it
//	receive         stores the reports RabbitMQ delivers in the store,
//	                until interrupted
//
// forward and receive take the broker's URL from --amqp or OOPS_AMQP_URL.
//
// Run "oops help COMMAND" for each command's flags and examples. Ids are
// taken as people paste them: with or without "OOPS-", in any case, with
// spaces around, or a URL that ends in one.
//
// Time flags take a duration back from now (--since 24h, 90m, 7d, 2w) or a
// time (--from 2026-12-01, --to "2026-12-01 15:04", RFC 3339); times
// without a zone are UTC.
//
// # Output
//
// Colour is used only when standard output is a terminal and NO_COLOR is
// not set. Tables fit the terminal's width (COLUMNS, or 160 columns, when
// standard output is no terminal). Import shows a progress bar when
// standard error is a terminal; import and prune end with a count
// everywhere. Every character a report holds is printed as
// text: control characters (terminal escapes among them) are replaced.
//
// # Exit codes
//
//	0  everything was done
//	1  the work was done, but some of it failed: an id not found or not an
//	   id, a garbage or unreadable file skipped (each named on stderr)
//	2  usage: an unknown command or flag, a bad flag value
//	3  the store (or the broker) could not be opened or read: it does not
//	   exist, or is unreachable
//
// Errors are one line on standard error, starting "oops: ".
//
// # Libraries
//
// github.com/spf13/cobra parses the command line: it is the most used Go
// CLI library, gives each subcommand its own --help with examples, and
// shell completion for free. golang.org/x/term tells a terminal from a file
// and gives its width, from the Go project itself.
// github.com/schollz/progressbar draws the progress bars, a maintained
// library that adapts to the terminal's width and stays quiet when told to.
// The report analysis is package analysis, shared with the web console.
package main
