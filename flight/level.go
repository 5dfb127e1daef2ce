package flight

import "strconv"

// A Level is a log record's severity, numbered as log/slog numbers them, so
// that a slog.Level converts directly. Integrations for loggers with other
// numbers map their levels onto these four (zap: Debug -4, Info 0, Warn 4,
// Error and above 8 and up).
type Level int

// The levels the recorder keeps a ring for.
const (
	LevelDebug Level = -4
	LevelInfo  Level = 0
	LevelWarn  Level = 4
	LevelError Level = 8
)

var (
	levelNames      = [4]string{"DEBUG", "INFO", "WARN", "ERROR"}
	levelCategories = [4]string{"log-DEBUG", "log-INFO", "log-WARN", "log-ERROR"}
)

// bucket returns the index of the ring l is kept in: the standard level at
// or below l (levels below Debug count as Debug).
func (l Level) bucket() int {
	switch {
	case l < LevelInfo:
		return 0
	case l < LevelWarn:
		return 1
	case l < LevelError:
		return 2
	}
	return 3
}

var levelBase = [4]Level{LevelDebug, LevelInfo, LevelWarn, LevelError}

// String names the level as log/slog does: "DEBUG", "INFO", "WARN", "ERROR",
// or one of them with an offset ("INFO+2", "DEBUG-1").
func (l Level) String() string {
	if l < LevelDebug {
		return "DEBUG" + strconv.Itoa(int(l-LevelDebug))
	}
	b := l.bucket()
	if d := l - levelBase[b]; d != 0 {
		return levelNames[b] + "+" + strconv.Itoa(int(d))
	}
	return levelNames[b]
}

// Category returns the timeline category of records at this level,
// "log-" + l.String(). It does not allocate for the four standard levels.
func (l Level) Category() string {
	if b := l.bucket(); l == levelBase[b] {
		return levelCategories[b]
	}
	return "log-" + l.String()
}
