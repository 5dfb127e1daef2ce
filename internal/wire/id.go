package wire

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxQuoted is how much of an id an error message quotes.
const maxQuoted = 80

// QuoteID returns id quoted for an error message, valid UTF-8, and cut to
// its first 80 bytes with its length noted when longer: an id is what a user
// or a file gave, and a hostile one must not put a megabyte in a log line.
func QuoteID(id string) string {
	id = strings.ToValidUTF8(id, "\uFFFD")
	if len(id) <= maxQuoted {
		return strconv.Quote(id)
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(id[n]) {
		n--
	}
	return strconv.Quote(id[:n]) + "… (" + strconv.Itoa(len(id)) + " bytes)"
}
