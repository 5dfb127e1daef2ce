package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// width returns the columns output to w may use: the terminal's, else
// COLUMNS, else 160.
func (e *env) width(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
			return cols
		}
	}
	if n, err := strconv.Atoi(e.getenv("COLUMNS")); err == nil && n > 20 {
		return n
	}
	return 160
}

// color reports whether output to w is coloured: on a terminal, unless
// NO_COLOR is set (https://no-color.org).
func (e *env) color(w io.Writer) bool {
	return e.getenv("NO_COLOR") == "" && isTerminal(w)
}

// A palette colours text, or leaves it alone.
type palette bool

const (
	red    = "31"
	green  = "32"
	yellow = "33"
	blue   = "34"
	grey   = "90"
	bold   = "1"
)

func (p palette) c(code, s string) string {
	if !p || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// clean makes s safe to print on a terminal: control characters (escape
// sequences among them) and invalid UTF-8 become U+FFFD, tabs and newlines
// are kept only when keepLines is set.
func clean(s string, keepLines bool) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r, keepLines) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unsafeRune(r, keepLines) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune, keepLines bool) bool {
	if keepLines && (r == '\n' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// oneLine is clean for one line: newlines shown as \n.
func oneLine(s string) string {
	return clean(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", `\n`), "\n", `\n`), false)
}

// cut returns s cut to n columns (counting runes), with "…" when cut.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}

// pad returns s padded with spaces to n columns.
func pad(s string, n int) string {
	if c := utf8.RuneCountInString(s); c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}

// count writes n and the noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
