package slogoops

import (
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/detail"
	"github.com/oops-go/oops/internal/release"
	"github.com/oops-go/oops/internal/slab"
)

// A scope is what WithAttrs and WithGroup added, as an immutable list from
// the innermost step out: handlers derived from one another share their
// common part and never write to it.
type scope struct {
	parent *scope
	group  string      // a group opened here, or ""
	attrs  []slog.Attr // attributes added here (when group is "")
	// detail, when set, is the timeline detail of the one kept record
	// whose scope this step heads (see kept.String). Such a step opens no
	// group and adds no attribute: every walk of a scope passes it by.
	detail *string
}

// kept is a record the handler keeps for the flight recorder or a report: a
// copy of the slog.Record and the handler's scope, rendered only on demand.
// It is laid out small because its size is what keeping costs in memory and
// collection when it is not reused (see Release): a request's kept records
// are garbage once its timeline is, so every byte of them is allocated,
// zeroed and collected once per record. That is why its first attributes
// are held as their values, with keys shared (see keySet), its message as
// bytes and a 16-bit length (a longer one goes to ext), and the record's
// time and PC are held (in ext) only by a record kept for a report: the
// timeline entry or ring slot a record is kept in has its time already (see
// flight.Record), and only a report needs its call site. A kept record is
// 160 bytes, where a slog.Record is 288, and a chunk of them fits the
// 10 KiB size class (see slab).
type kept struct {
	vals   [inlineAttrs]slog.Value // the values of the first n attributes
	keys   *keySet                 // their keys (nil when n is 0)
	scope  *scope                  // see loadScope
	ext    *keptExt                // the attributes past the inline ones, if any; see keptExt
	msg    unsafe.Pointer          // the message's bytes (see message)
	msgLen uint16
	level  int8  // the record's level, unless ext has it (see recLevel)
	n      uint8 // attributes inline
}

// loadScope returns k.scope. The keep path writes k.scope plainly, before
// the record is shared (which orders that write before any read), and so
// does a reuse of k, which lets go of a detail left by its last use; String
// may swap in a step holding the detail while others read the scope, so
// reads of a kept record load it atomically. Both keep the keep path free of
// locked instructions and k the size it was.
func (k *kept) loadScope() *scope {
	return (*scope)(atomic.LoadPointer(k.scopePointer()))
}

func (k *kept) scopePointer() *unsafe.Pointer { return (*unsafe.Pointer)(unsafe.Pointer(&k.scope)) }

// Kept records come from the slab, 63 to an allocation, or back from the
// rings and timelines once released: reusing them keeps their memory warm in
// the cache.
var keptPool slab.Pool[kept]

// newKept returns a kept record to overwrite whole: it may be a reused one.
func newKept() *kept { return keptPool.Get() }

// Release implements release.Releaser: the recorder is done with k. k goes
// back as it is, and its keptExt too, to be overwritten whole by kept.set:
// clearing it here would write its memory twice per record. What it still
// points to is held only until k is reused or the free list is emptied by a
// collection.
func (k *kept) Release() {
	if k.ext != nil {
		// Only k points to its ext, and k is overwritten (ext and all)
		// before it is used again.
		extPool.Put(k.ext)
	}
	keptPool.Put(k)
}

var _ release.Releaser = (*kept)(nil)

// LogRecord renders k for a report's log. Its Time is zero unless k was
// kept for a report (see setTimed): the recorder fills in the time it kept
// the record with (see flight.Record).
func (k *kept) LogRecord() oops.LogRecord {
	return oops.LogRecord{
		Time:  k.time(),
		Level: k.recLevel().String(),
		Msg:   flight.Truncate(oops.ValidUTF8(k.message())),
		Attrs: k.attrs(),
	}
}

// String renders k as a timeline entry's detail: flight.Detail(flight.Render(k)),
// rendered once (k does not change) and straight to text when no group is
// involved.
func (k *kept) String() string {
	sc := k.loadScope()
	if sc != nil && sc.detail != nil {
		return *sc.detail
	}
	s, ok := k.flatDetail(sc)
	if !ok {
		s = flight.Detail(flight.Render(k))
	}
	// The step and its text are one allocation. A String that raced this
	// one may have swapped first: it rendered the same text.
	r := &renderedStep{step: scope{parent: sc}, text: s}
	r.step.detail = &r.text
	atomic.CompareAndSwapPointer(k.scopePointer(), unsafe.Pointer(sc), unsafe.Pointer(&r.step))
	return s
}

// renderedStep is the scope step String swaps in, with its text.
type renderedStep struct {
	step scope
	text string
}

// flatDetail renders k's detail without building the attributes' maps, as
// flight.Detail(flight.Render(k)) would render it. It reports false when a
// group (of the scope, an attribute or a value) is involved, or anything
// panics: the long way then decides.
func (k *kept) flatDetail(sc *scope) (s string, ok bool) {
	if sc.hasGroup() {
		return "", false
	}
	defer func() {
		if recover() != nil {
			s, ok = "", false
		}
	}()
	var buf [8]detail.Attr
	attrs := buf[:0]
	ok = true
	add := func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindGroup, slog.KindLogValuer:
			// A LogValuer is left unresolved in a record kept only for a
			// report (a snapshot has it resolved): the long way resolves
			// it, once, and the text of a panic in it names that way.
			ok = false
			return false
		}
		if a.Key == "" {
			return true // left out, as it is from the attributes
		}
		var da detail.Attr
		da, ok = detailAttr(key(a.Key), a.Value)
		attrs = append(attrs, da)
		return ok
	}
	sc.eachAttr(add)
	if ok {
		k.eachAttr(add)
	}
	if !ok {
		return "", false
	}
	return detail.Flat(flight.Truncate(oops.ValidUTF8(k.message())), attrs), true
}

// eachAttr calls f with the attributes of s, outermost first, until f
// returns false; it reports whether f always returned true.
func (s *scope) eachAttr(f func(slog.Attr) bool) bool {
	if s == nil {
		return true
	}
	if !s.parent.eachAttr(f) {
		return false
	}
	for _, a := range s.attrs {
		if !f(a) {
			return false
		}
	}
	return true
}

// detailAttr formats v, neither a group nor a LogValuer, as flight.Detail
// formats plain(v), or reports false when plain(v) is a map (a group in the
// detail).
func detailAttr(k string, v slog.Value) (detail.Attr, bool) {
	switch v.Kind() {
	case slog.KindString:
		return detail.String(k, oops.ValidUTF8(flight.Truncate(v.String()))), true
	case slog.KindInt64:
		return detail.Int(k, v.Int64()), true
	case slog.KindUint64:
		return detail.Uint(k, v.Uint64()), true
	case slog.KindFloat64:
		// plain gives NaN and the infinities as text, which Float
		// formats the same.
		return detail.Float(k, v.Float64()), true
	case slog.KindBool:
		return detail.String(k, strconv.FormatBool(v.Bool())), true
	case slog.KindDuration:
		return detail.String(k, v.Duration().String()), true
	case slog.KindTime:
		return detail.String(k, v.Time().String()), true
	}
	p := plain(v)
	if _, isMap := p.(map[string]any); isMap {
		return detail.Attr{}, false
	}
	t, ok := detail.Text(p)
	if !ok {
		t = fmt.Sprint(p)
	}
	return detail.String(k, t), true
}

// steps returns k's scope outermost first.
func (k *kept) steps() []*scope { return k.loadScope().steps() }

// hasGroup reports whether s opens a group.
func (s *scope) hasGroup() bool {
	for ; s != nil; s = s.parent {
		if s.group != "" {
			return true
		}
	}
	return false
}

// steps returns s outermost first.
func (s *scope) steps() []*scope {
	var out []*scope
	for ; s != nil; s = s.parent {
		out = append(out, s)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// attrs renders the scope's and the record's attributes as nested maps,
// following slog's rules: empty keys of non-group attributes are left out,
// a group with an empty key is inlined, and a group with no attributes is
// left out. It returns nil when there are none.
func (k *kept) attrs() map[string]any {
	if k.loadScope() == nil && k.numAttrs() == 0 {
		return nil
	}
	root := make(map[string]any, k.numAttrs())
	cur := root
	groups := false
	for _, s := range k.steps() {
		if s.group != "" {
			m := make(map[string]any)
			cur[key(s.group)] = m
			cur = m
			groups = true
			continue
		}
		for _, a := range s.attrs {
			groups = addAttr(cur, a, 0) || groups
		}
	}
	k.eachAttr(func(a slog.Attr) bool {
		groups = addAttr(cur, a, 0) || groups
		return true
	})
	if groups {
		prune(root)
	}
	if len(root) == 0 {
		return nil
	}
	return root
}

// maxGroupDepth bounds nesting of group values, which a LogValuer can make
// as deep as it likes.
const maxGroupDepth = 32

// addAttr adds a to m and reports whether it made a group map.
func addAttr(m map[string]any, a slog.Attr, depth int) (group bool) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		if depth >= maxGroupDepth {
			m[key(a.Key)] = "<too deep>"
			return false
		}
		dst := m
		if a.Key != "" {
			sub, ok := m[key(a.Key)].(map[string]any)
			if !ok {
				sub = make(map[string]any)
				m[key(a.Key)] = sub
			}
			dst = sub
		}
		for _, ga := range v.Group() {
			addAttr(dst, ga, depth+1)
		}
		return true
	}
	if a.Key != "" {
		m[key(a.Key)] = plain(v)
	}
	return false
}

func key(k string) string { return flight.Truncate(oops.ValidUTF8(k)) }

// plain turns a resolved slog value into plain data for a report.
func plain(v slog.Value) any {
	switch v.Kind() {
	case slog.KindString:
		// flight.Value's rule for strings, without boxing the string twice
		// (once to pass it, once to return it).
		return oops.ValidUTF8(flight.Truncate(v.String()))
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return v.Uint64()
	case slog.KindFloat64:
		return flight.Value(v.Float64())
	case slog.KindBool:
		return v.Bool()
	case slog.KindDuration:
		return v.Duration().String()
	case slog.KindTime:
		return v.Time()
	}
	return flight.Value(v.Any())
}

// prune removes groups that ended up with no attributes.
func prune(m map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			prune(sub)
			if len(sub) == 0 {
				delete(m, k)
			}
		}
	}
}

// findError returns the error the report is about: the first attribute that
// holds an error, with the keys "err" and "error" first, then any, at any
// depth of groups (the record's attributes after the scope's). A LogValuer
// counts when it is itself an error; its LogValue is not called here.
func (k *kept) findError() error {
	var s errSearch
	if s.scope(k.loadScope()) {
		k.eachAttr(s.visit)
	}
	return s.result()
}

// recordError is kept.findError for r with scope sc, without copying r.
func recordError(r *slog.Record, sc *scope) error {
	var s errSearch
	if s.scope(sc) {
		r.Attrs(s.visit)
	}
	return s.result()
}

// An errSearch is the state of findError: the first error seen, and the
// first under the key "err" or "error", which ends the search.
type errSearch struct{ first, keyed error }

// visit looks for errors in a; it returns false once the search is over.
func (s *errSearch) visit(a slog.Attr) bool {
	walkErrors(a, 0, func(key string, err error) bool {
		if s.first == nil {
			s.first = err
		}
		if key == "err" || key == "error" {
			s.keyed = err
			return false
		}
		return true
	})
	return s.keyed == nil
}

// scope visits the attributes of sc, outermost first (its parents', then
// its own: no list of steps to allocate); it returns false once the search
// is over.
func (s *errSearch) scope(sc *scope) bool {
	if sc == nil {
		return true
	}
	if !s.scope(sc.parent) {
		return false
	}
	for _, a := range sc.attrs {
		if !s.visit(a) {
			return false
		}
	}
	return true
}

func (s *errSearch) result() error {
	if s.keyed != nil {
		return s.keyed
	}
	return s.first
}

// walkErrors calls f with each error held in a (and in groups inside it)
// until f returns false.
func walkErrors(a slog.Attr, depth int, f func(key string, err error) bool) bool {
	v := a.Value
	switch v.Kind() {
	case slog.KindAny, slog.KindLogValuer:
		if fe, ok := v.Any().(*frozenError); ok {
			return f(a.Key, fe.err)
		}
		if err, ok := v.Any().(error); ok && err != nil {
			return f(a.Key, err)
		}
	case slog.KindGroup:
		if depth >= maxGroupDepth {
			return true
		}
		for _, ga := range v.Group() {
			if !walkErrors(ga, depth+1, f) {
				return false
			}
		}
	}
	return true
}
