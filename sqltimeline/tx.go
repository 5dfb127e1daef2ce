package sqltimeline

import (
	"context"
	"database/sql/driver"
	"strings"

	"github.com/oops-go/oops/timeline"
)

// wrappedTx records COMMIT and ROLLBACK in the timeline of the context the
// transaction began with (driver.Tx methods take no context).
type wrappedTx struct {
	inner driver.Tx
	ctx   context.Context
	tl    *timeline.Timeline // ctx's, looked up once at BEGIN
	cfg   *config
}

func (t *wrappedTx) Commit() error {
	a := t.cfg.startIn(t.ctx, t.tl, "COMMIT", nil)
	err := t.inner.Commit()
	a.FinishErr(t.cfg.recorded(err))
	return err
}

func (t *wrappedTx) Rollback() error {
	a := t.cfg.startIn(t.ctx, t.tl, "ROLLBACK", nil)
	err := t.inner.Rollback()
	a.FinishErr(t.cfg.recorded(err))
	return err
}

// beginDetails holds the BEGIN entry's detail for each isolation level
// database/sql defines (index = level), without and with read-only, made once
// so that beginning a transaction does not allocate.
var beginDetails = func() (d [8][2]string) {
	levels := []string{"", "READ UNCOMMITTED", "READ COMMITTED", "WRITE COMMITTED", "REPEATABLE READ", "SNAPSHOT", "SERIALIZABLE", "LINEARIZABLE"}
	for i, l := range levels {
		s := "BEGIN"
		if l != "" {
			s += " ISOLATION LEVEL " + l
		}
		d[i][0] = s
		d[i][1] = s + " READ ONLY"
	}
	return d
}()

// beginDetail names a transaction's start with its options:
// "BEGIN", "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY".
func beginDetail(opts driver.TxOptions) string {
	ro := 0
	if opts.ReadOnly {
		ro = 1
	}
	if l := int(opts.Isolation); l >= 0 && l < len(beginDetails) {
		return beginDetails[l][ro]
	}
	var b strings.Builder
	b.WriteString("BEGIN ISOLATION LEVEL ")
	b.WriteString(strings.ToUpper(isolationName(opts.Isolation)))
	if opts.ReadOnly {
		b.WriteString(" READ ONLY")
	}
	return b.String()
}
