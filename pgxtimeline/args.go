package pgxtimeline

import (
	"database/sql/driver"
	"slices"

	"github.com/jackc/pgx/v5"
)

// namedValues turns pgx's arguments into the form the redaction hook takes:
// positional arguments numbered from 1, named arguments by name (sorted, so
// the detail does not change from run to run), query options left out.
func namedValues(args []any) []driver.NamedValue {
	out := make([]driver.NamedValue, 0, len(args))
	for _, a := range args {
		// NamedArgs are QueryRewriters too: they come first.
		switch v := a.(type) {
		case pgx.NamedArgs:
			out = appendMap(out, v)
		case pgx.StrictNamedArgs:
			out = appendMap(out, v)
		case pgx.QueryExecMode, pgx.QueryResultFormats, pgx.QueryResultFormatsByOID, pgx.QueryRewriter:
			// Options of the query, not arguments.
		default:
			out = append(out, driver.NamedValue{Ordinal: len(out) + 1, Value: v})
		}
	}
	return out
}

func appendMap[M ~map[string]any](out []driver.NamedValue, m M) []driver.NamedValue {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, driver.NamedValue{Name: k, Ordinal: len(out) + 1, Value: m[k]})
	}
	return out
}
