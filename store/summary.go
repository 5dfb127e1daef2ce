package store

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oops-go/oops"
)

// MaxValue bounds Summary.Value and Group.Value in bytes.
const MaxValue = 1024

// StatusKey is the Extra key the HTTP middleware writes the response status
// under, as oops-wsgi does.
const StatusKey = "HTTP_STATUS"

// SummaryOf returns what a list shows of r.
func SummaryOf(r *oops.Report) Summary {
	s := Summary{
		ID: r.ID, Time: r.Time, Type: r.Type, Value: Cut(r.Value, MaxValue), Level: r.Level,
		Signature: r.Signature, Topic: r.Topic, Reporter: r.Reporter, Hostname: r.Hostname,
		URL: r.URL, Username: r.Username, Resource: r.Resource, TraceID: r.TraceID,
		Status: Status(r), Duration: r.Duration,
	}
	for _, e := range r.Timeline {
		if strings.HasPrefix(e.Category, "SQL-") {
			s.Statements++
			s.SQLTime += e.End - e.Start
		}
	}
	return s
}

// Status returns the HTTP status a report records, or 0.
func Status(r *oops.Report) int {
	switch v := r.Extra[StatusKey].(type) {
	case string:
		n, _ := strconv.Atoi(strings.TrimSpace(v))
		return n
	case int:
		return v
	case int32:
		return int(v)
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return 0
}

// Cut returns s cut to at most n bytes on a UTF-8 boundary, with "…" in
// place of what was cut (the result, ellipsis included, is at most n bytes).
// Invalid UTF-8 is replaced first.
func Cut(s string, n int) string {
	s = oops.ValidUTF8(s)
	if len(s) <= n {
		return s
	}
	const ell = "…"
	if n < len(ell) {
		return ""
	}
	i := n - len(ell)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + ell
}

// CutRunes returns s cut to at most n characters, with "…" as the last one
// when it was cut.
func CutRunes(s string, n int) string {
	s = oops.ValidUTF8(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}

// Matches reports whether q's filters (not its cursor or limit) select s.
// Scanning stores use it, so that its meaning is the one every store has.
func (q Query) Matches(s Summary) bool {
	switch {
	case !q.From.IsZero() && s.Time.Before(q.From),
		!q.To.IsZero() && !s.Time.Before(q.To),
		q.Signature != "" && s.Signature != q.Signature,
		q.Type != "" && s.Type != q.Type,
		q.Topic != "" && s.Topic != q.Topic,
		q.Reporter != "" && s.Reporter != q.Reporter,
		q.Resource != "" && s.Resource != q.Resource:
		return false
	}
	return q.Text == "" || containsFold(s.Value, q.Text)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// Before reports whether a is listed after b: newest first, then by id.
func Before(a, b Summary) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.After(b.Time)
	}
	return a.ID > b.ID
}
