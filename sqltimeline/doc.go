// Package sqltimeline records every database/sql statement in the timeline of
// the request that ran it, so that an OOPS report shows each statement the
// failing request ran, with its duration and error.
//
// Wrap the driver once:
//
//	db, err := sqltimeline.Open("sqlite", "app.db", nil)
//
// or wrap a connector (sql.OpenDB(sqltimeline.WrapConnector("main", c, nil))),
// a driver (WrapDriver), or register a wrapped driver under a name of its own
// (Register). From then on a statement run with a context that carries a
// timeline (see timeline.NewContext) becomes one entry of that timeline:
//
//   - the category is "SQL-<name>" (Options.Category changes it) and the
//     detail is the statement's text as written, not rewritten;
//   - Exec and Query on DB, Conn and Tx, and every run of a prepared
//     statement (whose detail is the prepared text) are one entry each;
//     preparing records nothing unless it fails;
//   - BEGIN (with its isolation level and READ ONLY), COMMIT and ROLLBACK are
//     entries of their own, recorded in the timeline of the context the
//     transaction began with;
//   - a Query's entry ends when its rows are closed, so iteration time counts,
//     and carries the first error met while reading rows, or the context's
//     error when the query's context ended before the rows reached their
//     end (database/sql then closes the rows and the application gets that
//     error, though most drivers' Close returns nil);
//   - when database/sql refuses a statement's arguments (a type it cannot
//     convert, a wrong count) for a statement it prepares (drivers without
//     ExecerContext or QueryerContext, or whose fast path answered
//     driver.ErrSkip) or one the application prepared, the entry records
//     the error the application got. (Arguments of a driver's fast path are
//     converted before the driver is called, with no context: a refusal
//     there leaves no entry.)
//   - errors are recorded on the entry. driver.ErrSkip is not an error but
//     database/sql's signal to prepare the statement and run it instead: the
//     entry the refused call started is finished by that run, so it is never
//     recorded as an error nor twice.
//
// A context without a timeline costs a context lookup per call: nothing is
// recorded or allocated, and query rows are the driver's own. With one, a
// statement costs the timeline's Start and Finish and little more: a
// connection reuses its statement and rows wrappers from one statement to the
// next (database/sql prepares a statement per call on drivers without
// ExecerContext or QueryerContext), so the wrapper allocates only for rows or
// statements still open when the next one starts on the same connection, and
// for prepared statements with a ColumnConverter. A closed wrapper kept for
// reuse still points at its last statement's context (and so its timeline)
// and at the driver's closed rows or statement until a later statement on
// that connection replaces them or the connection closes: writing fewer
// pointers per statement is cheaper while the garbage collector marks.
//
// Argument values are not recorded unless Options.Args is set; then each value
// goes through Options.Redact and is cut to Options.MaxArgLen bytes. A
// statement filter (Options.Filter) can leave statements out. Stacks are a
// property of the timeline: a timeline made with timeline.Options.Stacks gives
// every statement the stack of the code that ran it.
//
// # RedactError
//
// Turning Args off keeps argument values out of the statement text, but not
// out of the error: databases quote values in their messages (PostgreSQL's
// `invalid input syntax for type integer: "4111 1111 1111 1111"`, a unique
// violation's `Key (email)=(someone@example.com) already exists`), and the
// error text of each failed statement is recorded in the timeline, which
// every report of the request carries. Options.RedactError gives the text to
// record instead (for example the SQLSTATE alone, from *pgconn.PgError's
// Code); the error returned to the caller is the driver's, unchanged.
//
// # What the wrapper keeps of the driver
//
// The wrapper must not change what the driver does. The optional interfaces
// database/sql uses on every statement (ExecerContext, QueryerContext,
// NamedValueChecker, SessionResetter, Validator) are implemented by a wrapped
// connection exactly when the driver's connection implements them, and
// forwarded: the driver's own checker still decides which arguments pass
// (pgx's lets []string and []int64 through as arrays), and its
// SessionResetter and Validator still keep bad connections out of the pool.
// Pinger, ConnPrepareContext and ConnBeginTx are always there and forwarded,
// doing what database/sql does when the driver lacks them: ConnBeginTx passes
// isolation and read-only through, and without it the wrapper refuses them
// with database/sql's own errors. A wrapped driver implements
// driver.DriverContext, and a wrapped connector io.Closer, exactly when the
// original does. Wrapped statements have ColumnConverter exactly when the
// driver's do, and are always a NamedValueChecker that does what database/sql
// does: the driver's statement checker, else its connection's, then the
// column converter and database/sql's default conversion, so that the
// arguments the driver gets, and the errors the application gets, are the
// same as without the wrapper, and the wrapper sees a refused argument. Wrapped rows implement
// exactly the optional Rows interfaces the driver's rows implement (column
// types, scan types, NextResultSet), so ColumnTypes and multiple result sets
// behave as without the wrapper; built with Go 1.27 or later they also
// forward RowsColumnScanner when the driver's rows have it.
//
// # The driver's own connection
//
// sql.Conn.Raw hands its function the wrapped connection. Its Raw method
// (and RawConn, which also looks through wrappers of wrappers) returns the
// driver's own, for methods database/sql does not know, such as pgx's
// CopyFrom:
//
//	err := conn.Raw(func(dc any) error {
//		pc := sqltimeline.RawConn(dc).(*stdlib.Conn).Conn()
//		_, err := pc.CopyFrom(ctx, pgx.Identifier{"t"}, cols, src)
//		return err
//	})
//
// What runs there directly is not recorded.
//
// # sqlx
//
// sqlx chooses its placeholder style ("?", "$1", ":name") from the driver name
// given to sqlx.NewDb or sqlx.Open, looked up in a fixed table: "pgx" and
// "postgres" mean $1, "sqlite3" and "mysql" mean ?. It cannot see through the
// wrapper, so give it the real driver's name, not the name a wrapped driver
// was registered under:
//
//	db, err := sqltimeline.Open("pgx", dsn, nil)
//	x := sqlx.NewDb(db, "pgx")
//
// Under an unknown name Rebind and NamedExec produce "?" placeholders, which
// PostgreSQL rejects. (sqlx.BindDriver can teach sqlx a new name instead.)
//
// Package sqltimeline imports the standard library and package timeline only.
package sqltimeline
