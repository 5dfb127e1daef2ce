package oopshttp

import (
	"net/url"
	"strings"
)

// DefaultHiddenQueryParams are the query parameters whose values reports
// show as "<hidden>" in url, QUERY_STRING and HTTP_REFERER, besides those
// named in Options.HiddenQueryParams. Names are compared case-insensitively
// and without '-', '_' and '.', so "api_key", "API-Key" and "apikey" are one
// name. The entries below "contains:" hide every parameter whose name
// contains them ("db_password", "csrf_token", "X-Amz-Signature").
var DefaultHiddenQueryParams = []string{
	"pwd", "pass", "key", "sig", "sid", "auth", "jwt", "code", "otp", "pin",
	"contains:password", "contains:passwd", "contains:secret", "contains:token",
	"contains:apikey", "contains:accesskey", "contains:signature", "contains:session",
	"contains:credential", "contains:privatekey", "contains:authorization",
}

// querySecrets decides which query parameters are secrets.
type querySecrets struct {
	exact    map[string]bool
	contains []string
}

// newQuerySecrets returns the defaults plus extra, names given as in
// DefaultHiddenQueryParams.
func newQuerySecrets(extra []string) *querySecrets {
	q := &querySecrets{exact: make(map[string]bool)}
	for _, list := range [2][]string{DefaultHiddenQueryParams, extra} {
		for _, n := range list {
			if sub, ok := strings.CutPrefix(n, "contains:"); ok {
				if sub = normalizeParam(sub); sub != "" {
					q.contains = append(q.contains, sub)
				}
				continue
			}
			if n = normalizeParam(n); n != "" {
				q.exact[n] = true
			}
		}
	}
	return q
}

// normalizeParam lowercases name and drops '-', '_' and '.'.
func normalizeParam(name string) string {
	if !strings.ContainsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == '.' || (r >= 'A' && r <= 'Z') }) {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (q *querySecrets) hidden(name string) bool {
	if strings.ContainsAny(name, "%+") {
		if un, err := url.QueryUnescape(name); err == nil {
			name = un
		}
	}
	n := normalizeParam(name)
	if q.exact[n] {
		return true
	}
	for _, c := range q.contains {
		if strings.Contains(n, c) {
			return true
		}
	}
	return false
}

// hideQuery returns raw, a URL query as sent, with the value of every secret
// parameter replaced by "<hidden>". Everything else, order and escaping
// included, is kept as it was.
func (q *querySecrets) hideQuery(raw string) string {
	var b strings.Builder
	done := 0 // raw[:done] is in b already, once b is in use
	for rest, start := raw, 0; rest != ""; {
		part, next, more := strings.Cut(rest, "&")
		name, _, hasValue := strings.Cut(part, "=")
		if hasValue && q.hidden(name) {
			if b.Len() == 0 {
				b.Grow(len(raw))
			}
			b.WriteString(raw[done : start+len(name)])
			b.WriteString("=" + hidden)
			done = start + len(part)
		}
		if !more {
			break
		}
		start += len(part) + 1
		rest = next
	}
	if done == 0 {
		return raw
	}
	b.WriteString(raw[done:])
	return b.String()
}

// hideURL returns u, a URL as text, with its query's secrets hidden.
func (q *querySecrets) hideURL(u string) string {
	before, query, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	query, fragment, hasFragment := strings.Cut(query, "#")
	out := before + "?" + q.hideQuery(query)
	if hasFragment {
		out += "#" + fragment
	}
	return out
}
