package analysis

import (
	"bytes"
	"strings"

	sqllexer "github.com/DataDog/go-sqllexer"
)

// Normalize returns the normalised text of a SQL statement: literals
// (numbers, strings, booleans, NULL) and parameters ($1, ?, ?2, :name, @p1)
// replaced by "?", lists of them ("IN (1, 2, 3)", "VALUES (1, 'a'), (2,
// 'b')") by one ("IN (?)", "VALUES (?)"), comments dropped, keywords
// upper-cased and spacing made uniform. Statements that differ only in their
// values normalise to the same text.
//
// It reads the statement with go-sqllexer's tokenizer and writes the tokens
// itself: the lexer's own normaliser also collects metadata and costs about
// ten times as much, too much for a 1,000-statement timeline.
func Normalize(sql string) string {
	n := normalizing{b: make([]byte, 0, len(sql))}
	lx := sqllexer.New(sql)
	for {
		tok := lx.Scan()
		switch tok.Type {
		case sqllexer.EOF:
			return string(n.b)
		case sqllexer.SPACE, sqllexer.COMMENT, sqllexer.MULTILINE_COMMENT:
			n.space = true
			continue
		case sqllexer.STRING, sqllexer.INCOMPLETE_STRING, sqllexer.NUMBER, sqllexer.BOOLEAN, sqllexer.NULL,
			sqllexer.POSITIONAL_PARAMETER, sqllexer.BIND_PARAMETER, sqllexer.DOLLAR_QUOTED_STRING:
			n.placeholder()
		case sqllexer.OPERATOR:
			switch tok.Value {
			case "?":
				n.placeholder()
				n.after = paramRest
			case ":":
				n.placeholder()
				n.after = paramName
			default:
				n.put(tok.Value, kindOperator)
			}
			continue
		case sqllexer.COMMAND, sqllexer.KEYWORD:
			n.put(strings.ToUpper(tok.Value), kindWord)
		case sqllexer.PUNCTUATION:
			n.punct(tok.Value)
		case sqllexer.IDENT, sqllexer.FUNCTION:
			if n.after == paramName && !n.space {
				n.after = 0 // :name is one parameter
				continue
			}
			n.put(tok.Value, kindIdent)
		default:
			// Whatever the lexer could not make out (an unterminated
			// comment) keeps its text, spaced like the rest.
			if v := strings.Join(strings.Fields(tok.Value), " "); v != "" {
				n.put(v, kindWord)
			}
		}
		n.after = 0
	}
}

// What the token before the current one leaves to be read as its part.
const (
	paramRest = 1 + iota // after "?": a number ("?2")
	paramName            // after ":": a name (":name")
)

// The kinds of token that decide the spacing around them.
const (
	kindNone = iota
	kindWord
	kindIdent
	kindOperator
	kindOpen
	kindClose
	kindComma
	kindPlaceholder
)

type normalizing struct {
	b     []byte
	last  int  // the kind of the last token written
	space bool // white space or a comment since the last token
	after int  // paramRest or paramName
}

// put writes s, a token of kind k, with the one space that goes before it:
// none at the start, after "(", "." or "::", nor before ")", ",", "." or
// "::".
func (n *normalizing) put(s string, k int) {
	switch {
	case n.last == kindNone, n.last == kindOpen, k == kindClose, k == kindComma,
		k == kindOperator && (s == "." || s == "::"),
		n.last == kindOperator && (bytes.HasSuffix(n.b, []byte(".")) || bytes.HasSuffix(n.b, []byte("::"))):
	default:
		n.b = append(n.b, ' ')
	}
	n.b = append(n.b, s...)
	n.last = k
	n.space = false
}

func (n *normalizing) punct(s string) {
	switch s {
	case "(":
		if n.last == kindIdent && !n.space {
			// f(x), but IN (x)
			n.b = append(n.b, '(')
			n.last = kindOpen
			return
		}
		n.put(s, kindOpen)
	case ")":
		n.put(s, kindClose)
		// VALUES (?), (?) is VALUES (?).
		if bytes.HasSuffix(n.b, []byte("(?), (?)")) {
			n.b = n.b[:len(n.b)-len(", (?)")]
		}
	case ",":
		n.put(s, kindComma)
	default:
		n.put(s, kindWord)
	}
}

// placeholder writes "?" for a literal or parameter; one that follows
// "?, " joins it, so that a list of any length is one "?".
func (n *normalizing) placeholder() {
	if n.after == paramRest && !n.space {
		n.after = 0
		return // ?2
	}
	if n.last == kindComma && bytes.HasSuffix(n.b, []byte("?,")) {
		n.b = n.b[:len(n.b)-1]
		n.last = kindPlaceholder
		n.space = false
		return
	}
	n.put("?", kindPlaceholder)
}
