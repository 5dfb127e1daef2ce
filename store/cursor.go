package store

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadCursor is wrapped by the error for a cursor no store made.
var ErrBadCursor = errors.New("oops store: bad cursor")

// A Position is where a page ends in the newest-first order: the time and id
// of its last report. Cursors encode it.
type Position struct {
	Time time.Time
	ID   string
}

// EncodeCursor turns p into an opaque cursor.
func EncodeCursor(p Position) string {
	return base64.RawURLEncoding.EncodeToString([]byte(p.Time.UTC().Format(time.RFC3339Nano) + " " + p.ID))
}

// DecodeCursor reads a cursor made by EncodeCursor.
func DecodeCursor(c string) (Position, error) {
	if len(c) > 256 {
		return Position{}, fmt.Errorf("%w: %d bytes", ErrBadCursor, len(c))
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return Position{}, fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	ts, id, ok := strings.Cut(string(b), " ")
	if !ok {
		return Position{}, ErrBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return Position{}, fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	return Position{Time: t, ID: id}, nil
}

// After reports whether s comes after p in the newest-first order, that is,
// belongs to a later page than the one p ends.
func (p Position) After(s Summary) bool {
	if !s.Time.Equal(p.Time) {
		return s.Time.Before(p.Time)
	}
	return s.ID < p.ID
}
