package zapoops

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

type panickyStringer struct{}

func (panickyStringer) String() string { panic("no text") }

type nilStringer struct{ s string }

func (n *nilStringer) String() string { return n.s }

// freeze renders each field it takes exactly as the map encoder does, panics
// and malformed fields included: it is a shortcut, not another rendering.
func TestFreezeRendersAsTheMapEncoder(t *testing.T) {
	var nilPtr *nilStringer
	fields := []zapcore.Field{
		zap.Binary("bin", []byte{0, 1, 2, 0xff}), zap.Binary("empty", nil), zap.ByteString("bs", []byte("bytes \xff")),
		zap.ByteString("nil", nil), zap.Stringer("took", 1500*time.Millisecond), zap.Stringer("panics", panickyStringer{}),
		zap.Stringer("nil ptr", nilPtr), zap.Error(errors.New("failed")), {Key: "nil error", Type: zapcore.ErrorType},
		zap.Any("m", map[string]int{"a": 1}), zap.Any("s", []point{{1, 2}}), zap.Reflect("ch", make(chan int)),
		{Key: "bad binary", Type: zapcore.BinaryType, Interface: "not bytes"},
		{Key: "bad bytes", Type: zapcore.ByteStringType, Interface: 7},
		{Key: "bad\xffkey", Type: zapcore.ByteStringType, Interface: []byte("v")},
		zap.ByteString("long", []byte(fmt.Sprintf("%0*d", 100000, 0))),
	}
	for _, f := range fields {
		got, ok := freeze(&f)
		require.True(t, ok, f.Key)
		enc := newMapEncoder()
		enc.addField(&f)
		want := enc.result()
		require.Len(t, want, 1, f.Key)
		for k, v := range want {
			assert.Equal(t, frozenField(k, v), got, f.Key)
		}
	}
	for _, f := range []zapcore.Field{zap.Object("o", zapcore.ObjectMarshalerFunc(func(zapcore.ObjectEncoder) error { return nil })),
		zap.Strings("a", []string{"x"}), zap.Inline(zapcore.ObjectMarshalerFunc(func(zapcore.ObjectEncoder) error { return nil }))} {
		_, ok := freeze(&f)
		assert.False(t, ok, "%s: marshalers take the map encoder", f.Key)
	}
}

type point struct{ X, Y int }
