package slogoops

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Handle and Enabled decide a record's way by settings.levels as they did by
// asking each level: a report at the report level and up, a kept record at
// the record level and up below it (when recording), constant levels or not.
func TestLevelsDecideAsTheOptionsSay(t *testing.T) {
	levels := []slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, 12}
	lv := func(l slog.Level, dyn bool) slog.Leveler {
		if !dyn {
			return l
		}
		v := new(slog.LevelVar)
		v.Set(l)
		return v
	}
	for _, report := range levels {
		for _, record := range levels {
			for _, off := range []bool{false, true} {
				for _, dyn := range []int{0, 1, 2, 3} {
					h := NewHandler(nil, nil, &Options{ReportLevel: lv(report, dyn&1 != 0), RecordLevel: lv(record, dyn&2 != 0), NoRecording: off})
					rep, keep := h.o.levels()
					for _, l := range levels {
						reported := l >= report
						kept := !reported && !off && l >= record
						assert.Equal(t, reported, l >= rep, "report %v record %v off %v dyn %d level %v", report, record, off, dyn, l)
						assert.Equal(t, kept, !reported && l >= keep, "report %v record %v off %v dyn %d level %v", report, record, off, dyn, l)
						assert.Equal(t, reported || kept, l >= min(rep, keep), "enabled: report %v record %v off %v dyn %d level %v", report, record, off, dyn, l)
					}
				}
			}
		}
	}
}
