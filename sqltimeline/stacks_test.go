package sqltimeline_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/sqltimeline"
	"github.com/oops-go/oops/timeline"
)

// TestStacksFromTimeline: a timeline made with Options.Stacks gives every
// statement the stack of the code that ran it, the frames of this library and
// database/sql left out.
func TestStacksFromTimeline(t *testing.T) {
	db, err := sqltimeline.Open("sqlite", filepath.Join(t.TempDir(), "s.db"), nil)
	require.NoError(t, err)
	defer db.Close()
	tl := timeline.NewWithOptions(&timeline.Options{Stacks: true})
	ctx := timeline.NewContext(context.Background(), tl)
	_, err = db.ExecContext(ctx, "CREATE TABLE t (x)")
	require.NoError(t, err)
	es := tl.Entries()
	require.Len(t, es, 1)
	first, _, _ := strings.Cut(es[0].Stack, "\n")
	assert.Equal(t, "github.com/oops-go/oops/sqltimeline_test.TestStacksFromTimeline(...)", first)
}

// TestStacksOption: Options.Stacks gives every statement its stack on a
// timeline whose own Stacks option is off; without it, no stack is taken.
func TestStacksOption(t *testing.T) {
	for _, on := range []bool{true, false} {
		db, err := sqltimeline.Open("sqlite", filepath.Join(t.TempDir(), "s.db"), &sqltimeline.Options{Stacks: on})
		require.NoError(t, err)
		tl := timeline.New()
		ctx := timeline.NewContext(context.Background(), tl)
		_, err = db.ExecContext(ctx, "CREATE TABLE t (x)")
		require.NoError(t, err)
		rows, err := db.QueryContext(ctx, "SELECT x FROM t")
		require.NoError(t, err)
		require.NoError(t, rows.Close())
		require.NoError(t, db.Close())

		es := tl.Entries()
		require.Len(t, es, 2)
		for _, e := range es {
			if !on {
				assert.Empty(t, e.Stack, e.Detail)
				continue
			}
			first, _, _ := strings.Cut(e.Stack, "\n")
			assert.Equal(t, "github.com/oops-go/oops/sqltimeline_test.TestStacksOption(...)", first, e.Detail)
		}
	}
}
