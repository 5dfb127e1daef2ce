package sqlstore

import (
	"fmt"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// shrink returns a copy of r cut down to fit about limit bytes encoded:
// every string longer than a share of the limit is cut (with "…"), values
// that are neither strings nor numbers are replaced by their cut text, and
// a timeline longer than keep entries loses its middle (counted in
// TimelineDropped), as the timeline's own cap does.
func shrink(r *oops.Report, limit int) *oops.Report {
	c := r.Clone()
	long := max(limit/16, 1024)
	cut := func(s string) string { return store.Cut(s, long) }
	c.Value, c.TBText, c.Msg, c.URL = cut(c.Value), cut(c.TBText), cut(c.Msg), cut(c.URL)
	for k, v := range c.ReqVars {
		c.ReqVars[k] = cut(v)
	}
	c.Attrs = shrinkMap(c.Attrs, long)
	c.Extra = shrinkMap(c.Extra, long)
	const keep = 1000
	if len(c.Timeline) > 2*keep {
		dropped := len(c.Timeline) - 2*keep
		tl := make([]oops.TimelineEntry, 0, 2*keep)
		tl = append(tl, c.Timeline[:keep]...)
		tl = append(tl, c.Timeline[len(c.Timeline)-keep:]...)
		c.Timeline = tl
		c.TimelineDropped += dropped
	}
	detail := max(long/(len(c.Timeline)+1), 256)
	for i := range c.Timeline {
		e := &c.Timeline[i]
		e.Detail = store.Cut(e.Detail, detail)
		e.Error = store.Cut(e.Error, detail)
		if e.Backtrace != nil {
			bt := store.Cut(*e.Backtrace, detail)
			e.Backtrace = &bt
		}
	}
	if len(c.Log) > 2*keep {
		c.Log = append(c.Log[:keep:keep], c.Log[len(c.Log)-keep:]...)
	}
	for i := range c.Log {
		c.Log[i].Msg = store.Cut(c.Log[i].Msg, detail)
		c.Log[i].Attrs = shrinkMap(c.Log[i].Attrs, detail)
	}
	return c
}

func shrinkMap(m map[string]any, long int) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			out[k] = x
		case string:
			out[k] = store.Cut(x, long)
		case []byte:
			out[k] = store.Cut(string(x), long)
		default:
			out[k] = store.Cut(fmt.Sprint(oops.Plain(x)), long)
		}
	}
	return out
}
