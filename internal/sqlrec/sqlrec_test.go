package sqlrec

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops/timeline"
)

func TestStart(t *testing.T) {
	assert.Equal(t, "SQL", CategoryFor(""))
	assert.Equal(t, "SQL-main", CategoryFor("main"))

	c := &Config{Category: "SQL-main", Args: true, Filter: func(_ context.Context, q string) bool { return q != "skip" }}
	tl := timeline.New()
	ctx := context.Background()
	assert.Nil(t, c.Start(ctx, nil, "q", nil).Timeline(), "no timeline, no entry")
	assert.Nil(t, c.Start(ctx, tl, "skip", nil).Timeline(), "filtered")
	c.Start(ctx, tl, "q $1", []driver.NamedValue{{Ordinal: 1, Value: "x"}}).Finish()
	c.Stacks = true
	c.StartDetail(tl, "with stack").Finish()
	es := tl.Entries()
	assert.Len(t, es, 2)
	assert.Equal(t, `q $1 -- args: $1="x"`, es[0].Detail)
	assert.Empty(t, es[0].Stack)
	assert.NotEmpty(t, es[1].Stack)
	assert.True(t, c.Records(ctx, tl, "q"))
	assert.False(t, c.Records(ctx, tl, "skip"))
	assert.False(t, c.Records(ctx, nil, "q"))
}
