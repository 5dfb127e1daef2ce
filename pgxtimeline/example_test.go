package pgxtimeline_test

import (
	"context"
	"fmt"
	"os"

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
