// Package pgxtimeline records the statements a service runs through pgx's
// native API (pgx.Conn, pgxpool.Pool) in the timeline of the request that
// ran them, as sqltimeline does for database/sql.
//
// Set a Tracer as the connection's tracer:
//
//	cfg, err := pgxpool.ParseConfig(dsn)
//	cfg.ConnConfig.Tracer = pgxtimeline.New("main", nil)
//	pool, err := pgxpool.NewWithConfig(ctx, cfg)
//
// pgx takes one tracer; to keep one you already have (otelpgx, tracelog),
// chain them:
//
//	cfg.ConnConfig.Tracer = pgxtimeline.Chain(pgxtimeline.New("main", nil), otelpgx.NewTracer())
//
// From then on a statement run with a context that carries a timeline (see
// timeline.NewContext; oopshttp's middleware gives every request one)
// becomes one entry of that timeline, exactly as with sqltimeline:
//
//   - the category is "SQL-<name>" (Options.Category changes it) and the
//     detail is the statement's text as written;
//   - Exec, Query and QueryRow are one entry each; a query's entry ends when
//     its rows are closed, so iteration time counts, and carries the error
//     pgx reports then. QueryRow finding no row is not an error of the
//     statement (pgx.ErrNoRows comes from Scan) and is not recorded as one;
//   - transactions: pgx runs BEGIN, COMMIT and ROLLBACK as statements, so
//     they are entries of their own, with the text pgx sends ("begin
//     isolation level serializable", "commit");
//   - each query of a batch (SendBatch) is an entry, from when pgx finished
//     reading the previous query's result until its own was read, so a
//     batch's entries follow each other; a query whose result was never read
//     ends with the batch's error;
//   - CopyFrom is one entry, COPY "table" ("col", …) FROM STDIN; the rows
//     are not recorded;
//   - preparing is not an entry unless a Prepare called directly fails (its
//     entry has the statement and the error); pgx's own prepares for its
//     statement cache are part of the query's entry;
//   - a new connection made with a context that carries a timeline (pgxpool
//     makes them with the Acquire's context) is an entry CONNECT
//     user@host:port/database;
//   - a cancelled or timed-out statement ends with pgx's error for it, which
//     wraps the context's error.
//
// Argument values are not recorded unless Options.Args is set; then each
// value goes through Options.Redact (the same hook type as sqltimeline's)
// and is cut to Options.MaxArgLen bytes. Options.Filter leaves statements
// out; Options.Stacks captures the stack of the code that ran each one.
//
// A context without a timeline costs a context lookup in each of pgx's
// Start and End calls and nothing else: no allocation, the context passed
// on untouched. With one, a statement costs one small allocation (the
// context pgx carries from Start to End) and the timeline's Start and
// Finish.
//
// Package pgxtimeline imports the standard library, this module's timeline
// package and pgx.
package pgxtimeline
