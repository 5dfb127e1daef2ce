package slogoops

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The error a record is reported about is the same whether it is found in
// the record itself (a record the recorder may suppress is not copied) or
// in its copy: "err" and "error" first, the scope's attributes before the
// record's, the outer scope's before the inner's, groups searched.
func TestRecordErrorIsKeptError(t *testing.T) {
	outer, inner, own, keyed, grouped := errors.New("outer"), errors.New("inner"),
		errors.New("own"), errors.New("keyed"), errors.New("grouped")
	cases := []struct {
		name  string
		scope []slog.Attr // one step each, outermost first
		attrs []slog.Attr
		want  error
	}{
		{"none", nil, []slog.Attr{slog.String("a", "b")}, nil},
		{"first of any key", nil, []slog.Attr{slog.Any("cause", own), slog.Any("x", inner)}, own},
		{"keyed wins", nil, []slog.Attr{slog.Any("cause", own), slog.Any("error", keyed)}, keyed},
		{"in a group", nil, []slog.Attr{slog.Group("g", slog.Any("err", grouped))}, grouped},
		{"scope first", []slog.Attr{slog.Any("x", outer)}, []slog.Attr{slog.Any("y", own)}, outer},
		{"outer scope first", []slog.Attr{slog.Any("err", outer), slog.Any("err", inner)}, nil, outer},
		{"keyed in the record over an unkeyed scope", []slog.Attr{slog.Any("x", outer)}, []slog.Attr{slog.Any("err", keyed)}, keyed},
		{"past the inline slots", nil, []slog.Attr{slog.Int("a", 1), slog.Int("b", 2), slog.Int("c", 3),
			slog.Int("d", 4), slog.Int("e", 5), slog.Int("f", 6), slog.Any("err", keyed)}, keyed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var sc *scope
			for _, a := range c.scope {
				sc = &scope{parent: sc, attrs: []slog.Attr{a}}
			}
			r := slog.NewRecord(time.Now(), slog.LevelError, "m", 0)
			r.AddAttrs(c.attrs...)
			k := newKept()
			k.set(&r, sc, false)
			defer k.Release()
			assert.Equal(t, c.want, recordError(&r, sc))
			assert.Equal(t, c.want, k.findError())
		})
	}
}
