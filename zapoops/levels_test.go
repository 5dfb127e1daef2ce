package zapoops_test

import (
	"math"
	"testing"

	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/zapoops"
	"github.com/stretchr/testify/assert"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// A Core decides fixed levels from a table made once; the same levels given
// as zap.AtomicLevels are tested at every entry. Both must agree on every
// level zap can carry, custom ones included: whether the Core is enabled,
// whether Check adds anything, and whether Write keeps the entry.
func TestFixedLevelsAgreeWithDynamicOnes(t *testing.T) {
	for _, tc := range []struct {
		name           string
		report, record zapcore.Level
		off            bool
	}{
		{"defaults", zapcore.WarnLevel, zapcore.DebugLevel, false},
		{"record from info", zapcore.WarnLevel, zapcore.InfoLevel, false},
		{"report from error", zapcore.ErrorLevel, zapcore.DebugLevel, false},
		{"record above report", zapcore.InfoLevel, zapcore.ErrorLevel, false},
		{"custom levels", zapcore.Level(9), zapcore.Level(-7), false},
		{"recording off", zapcore.WarnLevel, zapcore.DebugLevel, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newCore := func(report, record zapcore.LevelEnabler) (*zapoops.Core, *flight.Recorder) {
				inner, _ := observer.New(zapcore.InfoLevel)
				rec := flight.New(&flight.Options{RingSize: 1000})
				return zapoops.Wrap(inner, nil, &zapoops.Options{ReportLevel: report, RecordLevel: record,
					NoRecording: tc.off, Recorder: rec}), rec
			}
			fixed, fixedRec := newCore(tc.report, tc.record)
			dynamic, dynamicRec := newCore(zap.NewAtomicLevelAt(tc.report), zap.NewAtomicLevelAt(tc.record))
			for l := math.MinInt8; l <= math.MaxInt8; l++ {
				lvl := zapcore.Level(l)
				ent := zapcore.Entry{Level: lvl, Message: "m"}
				assert.Equal(t, dynamic.Enabled(lvl), fixed.Enabled(lvl), "Enabled(%d)", l)
				assert.Equal(t, dynamic.Check(ent, nil) != nil, fixed.Check(ent, nil) != nil, "Check at %d", l)
				kept := lvl < tc.report
				if !kept {
					continue // a report, which the Recorder's limits decide
				}
				assert.NoError(t, fixed.Write(ent, []zapcore.Field{zap.Int("l", l)}))
				assert.NoError(t, dynamic.Write(ent, []zapcore.Field{zap.Int("l", l)}))
			}
			assert.Equal(t, len(dynamicRec.Records()), len(fixedRec.Records()))
			assert.NotEmpty(t, fixedRec.Records(), "Write keeps below the report level")
		})
	}
}
