package sqlrec

import (
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WithArgs returns query followed by its recorded arguments:
//
//	SELECT * FROM t WHERE id = ? AND name = ? -- args: $1=42, $2="bob"
//
// Named arguments show as @name=value. Values pass through the Redact hook and
// are cut to MaxArgLen bytes (DefaultMaxArgLen when zero).
func (c *Config) WithArgs(query string, args []driver.NamedValue) string {
	var b strings.Builder
	b.Grow(len(query) + 16*len(args))
	b.WriteString(query)
	b.WriteString(" -- args: ")
	for i, nv := range args {
		if i == maxArgs {
			fmt.Fprintf(&b, ", … (%d more)", len(args)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if nv.Name != "" {
			b.WriteByte('@')
			b.WriteString(nv.Name)
		} else {
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(nv.Ordinal))
		}
		b.WriteByte('=')
		writeValue(&b, c.redactArg(query, nv), c.maxArgLen())
	}
	return b.String()
}

func (c *Config) maxArgLen() int {
	if c.MaxArgLen > 0 {
		return c.MaxArgLen
	}
	return DefaultMaxArgLen
}

func (c *Config) redactArg(query string, nv driver.NamedValue) (v any) {
	if c.Redact == nil {
		return nv.Value
	}
	defer func() {
		if r := recover(); r != nil {
			v = redactPanicked{}
		}
	}()
	return c.Redact(query, nv)
}

type redactPanicked struct{}

func writeValue(b *strings.Builder, v any, max int) {
	switch v := v.(type) {
	case nil:
		b.WriteString("NULL")
	case redactPanicked:
		b.WriteString("<redact panicked>")
	case string:
		writeString(b, v, max)
	case []byte:
		n := len(v)
		cut := v
		if 2*len(cut) > max {
			cut = cut[:max/2]
		}
		b.WriteString("x'")
		b.WriteString(hex.EncodeToString(cut))
		b.WriteByte('\'')
		if len(cut) < n {
			fmt.Fprintf(b, "…(%d bytes)", n)
		}
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case time.Time:
		b.WriteString(v.Format(time.RFC3339Nano))
	default:
		s, ok := safeSprint(v)
		if !ok {
			b.WriteString(s)
			return
		}
		writeCut(b, s, max)
	}
}

// writeString writes s quoted (so control characters and invalid UTF-8 stay
// visible and harmless), cut to max bytes.
func writeString(b *strings.Builder, s string, max int) {
	n := len(s)
	s = cut(s, max)
	b.WriteString(strconv.Quote(s))
	if len(s) < n {
		fmt.Fprintf(b, "…(%d bytes)", n)
	}
}

// writeCut writes s unquoted, cut to max bytes, with invalid UTF-8 replaced.
func writeCut(b *strings.Builder, s string, max int) {
	c := cut(s, max)
	b.WriteString(strings.ToValidUTF8(c, "\uFFFD"))
	if len(c) < len(s) {
		fmt.Fprintf(b, "…(%d bytes)", len(s))
	}
}

// cut returns at most max bytes of s, not splitting a UTF-8 sequence.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && i > max-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// safeSprint formats v with fmt, turning a panicking String or Error method
// into a placeholder.
func safeSprint(v any) (s string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s, ok = fmt.Sprintf("<%T: formatting panicked>", v), false
		}
	}()
	return fmt.Sprint(v), true
}
