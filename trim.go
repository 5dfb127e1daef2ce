package oops

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// CutKey is the Extra key under which Trim lists what it cut: a document
// from each value's path ("attrs.payload", "timeline[3].detail", "log") to
// the number of bytes cut from it.
const CutKey = "cut"

// trimKeep is how much of a long string Trim keeps at the least, before it
// turns to whole containers.
const trimKeep = 1024

// Trim returns a copy of r whose encoding is at least about excess bytes
// smaller, for a store or transport with a size limit: the largest values
// are cut first. A long string keeps its first bytes (at least 1 KiB, on a
// rune boundary) and ends with a marker saying how many bytes were cut
// ("…[cut 20971008 bytes]"); when that is not enough, the timeline, the log
// records, the attributes, the request variables and Extra's keys go, largest
// first. Every cut is listed in Extra[CutKey]. r itself is not changed; Trim
// returns r when excess <= 0.
//
// Sizes are estimated, so a caller that must fit a limit measures the
// encoding again and calls Trim once more if needed; each call cuts more.
func Trim(r *Report, excess int) *Report {
	if excess <= 0 {
		return r
	}
	c := r.Clone()
	c.Attrs = plainMap(c.Attrs)
	if len(c.Log) > 0 {
		for i := range c.Log {
			c.Log[i].Attrs = plainMap(c.Log[i].Attrs)
		}
	}
	if c.Timeline != nil {
		for i := range c.Timeline {
			if bt := c.Timeline[i].Backtrace; bt != nil {
				s := *bt
				c.Timeline[i].Backtrace = &s
			}
		}
	}
	c.ReqVars = maps.Clone(c.ReqVars)
	cut := map[string]any{}
	if prev, ok := c.Extra[CutKey].(map[string]any); ok {
		maps.Copy(cut, prev)
	}
	if c.Extra != nil {
		for k, v := range c.Extra {
			if isWireKey(k) || k == CutKey {
				delete(c.Extra, k)
			} else {
				c.Extra[k] = Plain(v)
			}
		}
	}
	note := func(path string, n int) {
		old, _ := cut[path].(int64)
		cut[path] = old + int64(n)
	}
	need := excess + 64 // the list of cuts itself

	// First the long strings, largest first.
	leaves := c.stringLeaves()
	slices.SortStableFunc(leaves, func(a, b leaf) int { return cmp.Compare(len(b.get()), len(a.get())) })
	for _, l := range leaves {
		if need <= 0 {
			break
		}
		s := l.get()
		if n, cs := cutString(s, max(trimKeep, len(s)-need-cutMarkerLen)); n > 0 {
			l.set(cs)
			note(l.path, n)
			need -= n - cutMarkerLen
		}
	}
	// Then whole containers, largest first.
	if need > 0 {
		boxes := c.containers()
		slices.SortStableFunc(boxes, func(a, b box) int { return cmp.Compare(b.size, a.size) })
		for _, b := range boxes {
			if need <= 0 {
				break
			}
			b.drop()
			note(b.path, b.size)
			need -= b.size
		}
	}
	if c.Extra == nil {
		c.Extra = map[string]any{}
	}
	c.Extra[CutKey] = cut
	return c
}

// cutMarkerLen is about the length of the marker cutString appends.
var cutMarkerLen = len("…[cut 12345678 bytes]")

// cutString cuts s to about keep bytes, on a rune boundary, with the marker
// appended, and returns how many bytes it cut (0 when it would not save any)
// and the result.
func cutString(s string, keep int) (int, string) {
	keep = max(keep, 0)
	if len(s) <= keep+cutMarkerLen {
		return 0, s
	}
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	n := len(s) - keep
	return n, s[:keep] + "…[cut " + strconv.Itoa(n) + " bytes]"
}

// A leaf is a string of a report Trim may cut.
type leaf struct {
	path string
	get  func() string
	set  func(string)
}

func ptrLeaf(path string, p *string) leaf {
	return leaf{path, func() string { return *p }, func(s string) { *p = s }}
}

// stringLeaves lists the strings of c that Trim may cut, with their paths.
func (c *Report) stringLeaves() []leaf {
	var out []leaf
	for _, f := range wireFields {
		if p, ok := f.ptr(c).(*string); ok && f.Key != "id" {
			out = append(out, ptrLeaf(f.Key, p))
		}
	}
	for i := range c.Timeline {
		e := &c.Timeline[i]
		p := "timeline[" + strconv.Itoa(i) + "]."
		out = append(out, ptrLeaf(p+"detail", &e.Detail), ptrLeaf(p+"error", &e.Error))
		if e.Backtrace != nil {
			out = append(out, ptrLeaf(p+"backtrace", e.Backtrace))
		}
	}
	for k := range c.ReqVars {
		m := c.ReqVars
		out = append(out, leaf{"req_vars." + k, func() string { return m[k] }, func(s string) { m[k] = s }})
	}
	out = append(out, anyLeaves("attrs.", c.Attrs)...)
	for i := range c.Log {
		l := &c.Log[i]
		p := "log[" + strconv.Itoa(i) + "]."
		out = append(out, ptrLeaf(p+"msg", &l.Msg))
		out = append(out, anyLeaves(p+"attrs.", l.Attrs)...)
	}
	return append(out, anyLeaves("", c.Extra)...)
}

// anyLeaves lists the strings among m's values (Plain's kinds), however
// deep, with their paths.
func anyLeaves(prefix string, m map[string]any) []leaf {
	var out []leaf
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out = append(out, leaf{prefix + k, func() string { return m[k].(string) }, func(s string) { m[k] = s }})
		case map[string]any:
			out = append(out, anyLeaves(prefix+k+".", x)...)
		case []any:
			for i, e := range x {
				path := prefix + k + "[" + strconv.Itoa(i) + "]"
				switch y := e.(type) {
				case string:
					out = append(out, leaf{path, func() string { return x[i].(string) }, func(s string) { x[i] = s }})
				case map[string]any:
					out = append(out, anyLeaves(path+".", y)...)
				}
			}
		}
	}
	return out
}

// A box is a container Trim may drop whole.
type box struct {
	path string
	size int
	drop func()
}

// containers lists what Trim drops when cutting strings is not enough.
func (c *Report) containers() []box {
	var out []box
	if n := len(c.Timeline); n > 0 {
		size := 0
		for _, e := range c.Timeline {
			size += 32 + len(e.Category) + len(e.Detail) + len(e.Error)
			if e.Backtrace != nil {
				size += len(*e.Backtrace)
			}
		}
		out = append(out, box{"timeline", size, func() { c.Timeline = nil; c.TimelineDropped += n }})
	}
	if len(c.Log) > 0 {
		size := 0
		for _, l := range c.Log {
			size += 48 + len(l.Level) + len(l.Msg) + sizeOf(l.Attrs)
		}
		out = append(out, box{"log", size, func() { c.Log = nil }})
	}
	if len(c.Attrs) > 0 {
		out = append(out, box{"attrs", sizeOf(c.Attrs), func() { c.Attrs = nil }})
	}
	if len(c.ReqVars) > 0 {
		size := 0
		for k, v := range c.ReqVars {
			size += len(k) + len(v) + 8
		}
		out = append(out, box{"req_vars", size, func() { c.ReqVars = nil }})
	}
	for k, v := range c.Extra {
		out = append(out, box{k, len(k) + sizeOf(v), func() { delete(c.Extra, k) }})
	}
	return out
}

// sizeOf estimates the encoded size of a value of Plain's kinds.
func sizeOf(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) + 6
	case map[string]any:
		n := 5
		for k, e := range x {
			n += len(k) + 2 + sizeOf(e)
		}
		return n
	case []any:
		n := 5
		for _, e := range x {
			n += 4 + sizeOf(e)
		}
		return n
	}
	return 9
}

func plainMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return Plain(m).(map[string]any)
}
