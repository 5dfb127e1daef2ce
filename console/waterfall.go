package console

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/oops-go/oops"
)

// The waterfall's geometry, in SVG user units. The SVG scales to the page's
// width; rows keep their height, so a long timeline scrolls.
const (
	wfWidth   = 1000
	wfLeft    = 44 // the row numbers' column
	wfRight   = 8
	wfTop     = 22 // the time axis
	wfRowH    = 12
	wfBarH    = 9
	wfMinBarW = 1.5 // a step too short to see still gets a visible bar
	wfColours = 8
)

// A waterfall is a report's timeline drawn as bars on a time axis.
type waterfall struct {
	Width, Height  int
	AxisY, BottomY int
	Total          time.Duration
	Bars           []bar
	Ticks          []tick
	Legend         []legendEntry
}

// A bar is one timeline entry.
type bar struct {
	N        int    // the entry's number, from 1
	X, W, Y  string // formatted, so the template writes short numbers
	LabelY   string
	Class    string // "bar k3", plus "failed", "nplus1", "longest"
	Category string
	Start    time.Duration
	Length   time.Duration
	Detail   string
	Failed   bool
	Error    string
	NPlusOne bool
	Longest  bool
}

type tick struct {
	X     string
	Label string
}

type legendEntry struct {
	Category string
	Class    string
	Count    int
}

// marks say which entries the analysis singled out, by index.
type marks struct {
	nPlusOne map[int]bool
	longest  map[int]bool
}

func newWaterfall(tl []oops.TimelineEntry, duration time.Duration, m marks) waterfall {
	var total time.Duration
	for _, e := range tl {
		total = max(total, e.End, e.Start)
	}
	total = max(total, duration)
	wf := waterfall{
		Width: wfWidth, AxisY: wfTop - 4, Total: total,
		Height: wfTop + len(tl)*wfRowH + 6,
	}
	wf.BottomY = wf.Height - 3
	span := float64(wfWidth - wfLeft - wfRight)
	scale := 0.0
	if total > 0 {
		scale = span / float64(total)
	}
	colour := map[string]int{}
	wf.Bars = make([]bar, len(tl))
	for i, e := range tl {
		k, ok := colour[e.Category]
		if !ok {
			k = len(colour) % wfColours
			colour[e.Category] = k
			wf.Legend = append(wf.Legend, legendEntry{Category: e.Category, Class: "k" + strconv.Itoa(k)})
		}
		wf.Legend[legendIndex(wf.Legend, e.Category)].Count++
		start, end := max(e.Start, 0), max(e.End, e.Start, 0)
		x := wfLeft + float64(start)*scale
		w := max(float64(end-start)*scale, wfMinBarW)
		if x+w > wfWidth-wfRight {
			w = max(wfWidth-wfRight-x, wfMinBarW)
		}
		y := wfTop + i*wfRowH
		b := bar{
			N: i + 1, X: num(x), W: num(w), Y: strconv.Itoa(y), LabelY: strconv.Itoa(y + wfBarH - 1),
			Category: e.Category, Start: start, Length: end - start, Detail: e.Detail,
			Failed: e.Error != "", Error: e.Error, NPlusOne: m.nPlusOne[i], Longest: m.longest[i],
		}
		var c strings.Builder
		c.WriteString("bar k")
		c.WriteString(strconv.Itoa(k))
		if b.Failed {
			c.WriteString(" failed")
		}
		if b.NPlusOne {
			c.WriteString(" nplus1")
		}
		if b.Longest {
			c.WriteString(" longest")
		}
		b.Class = c.String()
		wf.Bars[i] = b
	}
	for _, t := range axisTicks(total) {
		wf.Ticks = append(wf.Ticks, tick{X: num(wfLeft + float64(t)*scale), Label: tickLabel(t)})
	}
	return wf
}

func legendIndex(l []legendEntry, cat string) int {
	for i := range l {
		if l[i].Category == cat {
			return i
		}
	}
	return 0
}

// axisTicks returns round offsets from 0 to total, five or so.
func axisTicks(total time.Duration) []time.Duration {
	if total <= 0 {
		return []time.Duration{0}
	}
	raw := float64(total) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, f := range []float64{1, 2, 5, 10} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	var ticks []time.Duration
	for t := 0.0; t <= float64(total)+step/1000; t += step {
		ticks = append(ticks, time.Duration(t))
	}
	return ticks
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// formatMillis writes d in milliseconds, with as many decimals as make sense
// for its size.
func formatMillis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "0 ms"
	case ms >= 100 || ms <= -100:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	case ms >= 1 || ms <= -1:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 3, 64) + " ms"
}

// tickLabel writes a round offset of the axis with no needless decimals.
func tickLabel(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + " ms"
}
