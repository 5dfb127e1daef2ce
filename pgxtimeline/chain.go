package pgxtimeline

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
)

// Chain returns one tracer that calls each of tracers in turn, for pgx's
// single ConnConfig.Tracer: a Tracer beside the one you have (otelpgx, say).
// Each tracer gets the context the previous one returned, and only the calls
// it implements (BatchTracer, pgxpool.AcquireTracer, …). Nil tracers are
// left out; with a single one left, Chain returns it. It is pgx's own
// multitracer.New.
func Chain(tracers ...pgx.QueryTracer) pgx.QueryTracer {
	kept := make([]pgx.QueryTracer, 0, len(tracers))
	for _, tr := range tracers {
		if tr != nil {
			kept = append(kept, tr)
		}
	}
	if len(kept) == 1 {
		return kept[0]
	}
	return multitracer.New(kept...)
}
