package console

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

func TestWaterfallGeometry(t *testing.T) {
	tl := []oops.TimelineEntry{
		{Start: 0, End: 50 * time.Millisecond, Category: "SQL-main"},
		{Start: 50 * time.Millisecond, End: 50 * time.Millisecond, Category: "log-INFO"},
		{Start: 60 * time.Millisecond, End: 100 * time.Millisecond, Category: "SQL-main", Error: "boom"},
		{Start: 70 * time.Millisecond, End: 60 * time.Millisecond, Category: "http-GET"}, // ends before it starts
	}
	wf := newWaterfall(tl, 200*time.Millisecond, marks{nPlusOne: map[int]bool{1: true}, longest: map[int]bool{0: true}})
	assert.Equal(t, 200*time.Millisecond, wf.Total, "the duration, when longer than the timeline")
	require.Len(t, wf.Bars, 4)
	span := float64(wfWidth - wfLeft - wfRight)
	x := func(b bar) float64 { f, _ := strconv.ParseFloat(b.X, 64); return f }
	w := func(b bar) float64 { f, _ := strconv.ParseFloat(b.W, 64); return f }
	assert.InDelta(t, wfLeft, x(wf.Bars[0]), 0.1)
	assert.InDelta(t, span/4, w(wf.Bars[0]), 0.1, "50 of 200 ms")
	assert.InDelta(t, wfMinBarW, w(wf.Bars[1]), 0.01, "an instant still shows")
	assert.InDelta(t, wfMinBarW, w(wf.Bars[3]), 0.01, "a malformed step shows as an instant")
	assert.Equal(t, "bar k0 longest", wf.Bars[0].Class)
	assert.Equal(t, "bar k1 nplus1", wf.Bars[1].Class)
	assert.Equal(t, "bar k0 failed", wf.Bars[2].Class)
	assert.Equal(t, "bar k2", wf.Bars[3].Class)
	assert.Equal(t, []legendEntry{{"SQL-main", "k0", 2}, {"log-INFO", "k1", 1}, {"http-GET", "k2", 1}}, wf.Legend)
	for i, b := range wf.Bars {
		assert.Equal(t, strconv.Itoa(wfTop+i*wfRowH), b.Y)
		assert.LessOrEqual(t, x(b)+w(b), float64(wfWidth-wfRight)+0.05)
	}
	assert.Equal(t, wfTop+4*wfRowH+6, wf.Height)
}

func TestWaterfallColoursWrap(t *testing.T) {
	var tl []oops.TimelineEntry
	for i := range wfColours + 2 {
		tl = append(tl, oops.TimelineEntry{Category: "c" + strconv.Itoa(i), End: time.Millisecond})
	}
	wf := newWaterfall(tl, 0, marks{})
	assert.Equal(t, "bar k0", wf.Bars[wfColours].Class)
	assert.Len(t, wf.Legend, wfColours+2)
}

func TestAxisTicks(t *testing.T) {
	assert.Equal(t, []time.Duration{0}, axisTicks(0))
	ticks := axisTicks(90 * time.Millisecond)
	assert.Equal(t, 20*time.Millisecond, ticks[1]-ticks[0], "a round step")
	assert.LessOrEqual(t, ticks[len(ticks)-1], 90*time.Millisecond)
	assert.GreaterOrEqual(t, len(ticks), 4)
	assert.LessOrEqual(t, len(ticks), 11)
	assert.Equal(t, "20 ms", tickLabel(ticks[1]))
	ticks = axisTicks(37 * time.Microsecond)
	assert.Equal(t, "0.01 ms", tickLabel(ticks[1]))
	assert.Equal(t, 10*time.Microsecond, ticks[1])
}

func TestFormatMillis(t *testing.T) {
	assert.Equal(t, "0 ms", formatMillis(0))
	assert.Equal(t, "0.250 ms", formatMillis(250*time.Microsecond))
	assert.Equal(t, "12.5 ms", formatMillis(12500*time.Microsecond))
	assert.Equal(t, "1500 ms", formatMillis(1500*time.Millisecond))
	assert.Equal(t, "unknown", formatSeconds(-1))
	assert.Equal(t, "90.0 ms", formatSeconds(0.09))
	assert.Equal(t, "2.50 s", formatSeconds(2.5))
}
