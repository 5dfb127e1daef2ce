package flight

import "log/slog"

// Records are leveled with slog.Level, whatever the logger: integrations for
// loggers with other numbers map their levels onto slog's (zap: Debug -4,
// Info 0, Warn 4, Error and above 8 and up).

var levelCategories = [4]string{"log-DEBUG", "log-INFO", "log-WARN", "log-ERROR"}

// ringOf returns the index of the ring l is kept in: the standard level at
// or below l (levels below Debug count as Debug).
func ringOf(l slog.Level) int {
	switch {
	case l < slog.LevelInfo:
		return 0
	case l < slog.LevelWarn:
		return 1
	case l < slog.LevelError:
		return 2
	}
	return 3
}

// category returns the timeline category of records at level l,
// "log-" + l.String(). It does not allocate for the four standard levels.
func category(l slog.Level) string {
	if c, ok := standardCategory(l); ok {
		return c
	}
	return "log-" + l.String()
}

// standardCategory is category for the four standard levels (ok false for
// any other), small enough to be inlined into Keep, the hot path.
func standardCategory(l slog.Level) (c string, ok bool) {
	if i := uint(l - slog.LevelDebug); i&3 == 0 && i>>2 < uint(len(levelCategories)) {
		return levelCategories[i>>2], true
	}
	return "", false
}
