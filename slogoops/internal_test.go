package slogoops

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops"
)

func TestKeptRecordSharesNothing(t *testing.T) {
	h := NewHandler(nil, nil, nil)
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
	// Past the five attributes a Record holds inline, the rest live in a
	// slice with room to grow, which a plain copy would share.
	for i := range 8 {
		r.AddAttrs(slog.Int("a", i))
	}
	k := h.keep(r)
	// An attribute added to r past the kept ones may land in the room
	// left in its slice: the kept record must not see it.
	r.AddAttrs(slog.String("caller", "reused"))

	var got []string
	k.eachAttr(func(a slog.Attr) bool { got = append(got, a.String()); return true })
	assert.Equal(t, []string{"a=0", "a=1", "a=2", "a=3", "a=4", "a=5", "a=6", "a=7"}, got,
		"no !BUG attribute, none of the caller's")
	var keys []string
	r.Attrs(func(a slog.Attr) bool { keys = append(keys, a.Key); return true })
	assert.Equal(t, "caller", keys[len(keys)-1])
}

// probe is a handler that checks, from inside Handle, that the record's PC
// is one of the frames of the stack Handle runs on.
type probe struct{ skipped *int }

func (p probe) Enabled(context.Context, slog.Level) bool { return true }
func (p probe) Handle(_ context.Context, r slog.Record) error {
	pcs := oops.Callers(0)
	*p.skipped = len(pcs) - len(fromCallSite(pcs, r.PC))
	return nil
}
func (p probe) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p probe) WithGroup(string) slog.Handler      { return p }

func TestFromCallSiteFindsTheLogCall(t *testing.T) {
	var skipped int
	slog.New(probe{&skipped}).Error("x")
	// Handle itself and log/slog's Logger.log and Logger.Error.
	assert.GreaterOrEqual(t, skipped, 3)

	pcs := []uintptr{1, 2, 3}
	assert.Equal(t, []uintptr{2, 3}, fromCallSite(pcs, 2))
	assert.Equal(t, pcs, fromCallSite(pcs, 0))
	assert.Equal(t, pcs, fromCallSite(pcs, 9))
}
