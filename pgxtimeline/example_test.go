package pgxtimeline_test

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oops-go/oops/pgxtimeline"
	"github.com/oops-go/oops/timeline"
)

// A pool whose statements land in the timeline of the request that ran them.
// (It needs a PostgreSQL server: set OOPS_TEST_POSTGRES_DSN to run it.)
func Example() {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(os.Getenv("OOPS_TEST_POSTGRES_DSN"))
	if err != nil {
		panic(err)
	}
	// To keep a tracer you have: pgxtimeline.Chain(pgxtimeline.New("main", nil), yours).
	cfg.ConnConfig.Tracer = pgxtimeline.New("main", nil)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	// Each request gets a timeline in its context (oopshttp does this).
	tl := timeline.New()
	ctx = timeline.NewContext(ctx, tl)

	var n int
	err = pool.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relkind = $1`, "r").Scan(&n)
	if err != nil {
		panic(err)
	}
	for _, e := range tl.Entries() {
		if e.Detail[:7] != "CONNECT" { // the pool may connect for this request
			fmt.Println(e.Category, e.Detail)
		}
	}
}

// Argument values are recorded only when asked, through a redaction hook
// (the same hook type as sqltimeline's). pgx calls the tracer's hooks around
// every query; here they are called by hand, as pgx would, to show the entry
// without a server.
func ExampleOptions() {
	tracer := pgxtimeline.New("main", &pgxtimeline.Options{
		Args: true,
		Redact: func(query string, arg driver.NamedValue) any {
			if arg.Name == "password" {
				return "<hidden>"
			}
			return arg.Value
		},
	})
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)

	// conn.Exec(ctx, sql, pgx.NamedArgs{...}) does this:
	sql := `UPDATE users SET password = @password WHERE name = @name`
	qctx := tracer.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: sql, Args: []any{pgx.NamedArgs{"name": "ann", "password": "hunter2"}}})
	tracer.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{})

	for _, e := range tl.Entries() {
		fmt.Println(e.Category, e.Detail)
	}
	// Output:
	// SQL-main UPDATE users SET password = @password WHERE name = @name -- args: @name="ann", @password="<hidden>"
}
