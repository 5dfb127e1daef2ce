//go:build !race

package slogoops

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A record made into a report without a window is copied and released at
// once (see Handler.handleReport): its copy, attributes past the slots
// included, is reused, so that an error storm allocates none for it. (The
// race detector makes pools drop what they are given.)
func TestReleasedRecordIsReusedWhole(t *testing.T) {
	r := slog.NewRecord(time.Now(), slog.LevelError, "query failed", 0)
	r.AddAttrs(slog.Any("err", errors.New("no such row")), slog.String("table", "orders"),
		slog.Int("a", 1), slog.Int("b", 2))
	var sc *scope
	k := newKept()
	k.set(&r, sc, false)
	k.Release()
	allocs := testing.AllocsPerRun(1000, func() {
		k := newKept()
		k.set(&r, sc, false)
		if k.findError() == nil {
			t.Fatal("the error is not found")
		}
		k.Release()
	})
	assert.Zero(t, allocs)
}
