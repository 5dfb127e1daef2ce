package flight

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCategory(t *testing.T) {
	for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError,
		slog.LevelError + 4, slog.LevelDebug - 2, slog.LevelInfo + 1} {
		assert.Equal(t, "log-"+l.String(), category(l))
	}
	assert.Equal(t, 0, ringOf(slog.LevelDebug-2))
	assert.Equal(t, 3, ringOf(slog.LevelError+4))
	assert.Zero(t, testing.AllocsPerRun(10, func() { category(slog.LevelWarn) }))
}
