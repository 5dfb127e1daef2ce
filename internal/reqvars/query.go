package reqvars

import (
	"net/url"
	"strings"
)

// QuerySecrets decides which query parameters hold secrets, and hides their
// values in URLs and query strings. Names are compared case-insensitively
// and without '-', '_' and '.', so "api_key", "API-Key" and "apikey" are one
// name; a name given as "contains:word" hides every parameter whose name
// contains word. A QuerySecrets is safe for concurrent use.
type QuerySecrets struct {
	exact    map[string]bool
	contains []string
}

// NewQuerySecrets returns the QuerySecrets that hides every name of lists.
func NewQuerySecrets(lists ...[]string) *QuerySecrets {
	q := &QuerySecrets{exact: make(map[string]bool)}
	for _, list := range lists {
		for _, n := range list {
			n = strings.TrimSpace(n)
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

// Hidden says whether the parameter name, as it appears in a raw query
// (escaped), holds a secret.
func (q *QuerySecrets) Hidden(name string) bool {
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

// HideQuery returns raw, a URL query as sent, with the value of every secret
// parameter replaced by "<hidden>". A parameter without a value has nothing
// to hide. Everything else, order and escaping included, is kept as it was.
func (q *QuerySecrets) HideQuery(raw string) string {
	var b strings.Builder
	done := 0 // raw[:done] is in b already, once b is in use
	for rest, start := raw, 0; rest != ""; {
		part, next, more := strings.Cut(rest, "&")
		name, _, hasValue := strings.Cut(part, "=")
		if hasValue && q.Hidden(name) {
			if b.Len() == 0 {
				b.Grow(len(raw))
			}
			b.WriteString(raw[done : start+len(name)])
			b.WriteString("=" + Hidden)
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

// HideURL returns u, a URL as text (a request's URL, a Referer), with its
// secrets hidden: the user information of an absolute URL becomes
// "<hidden>@" (a token is often passed as the user name) and the query's
// secrets are hidden as HideQuery does. The fragment is kept. Invalid UTF-8
// is kept as \xNN escapes.
func (q *QuerySecrets) HideURL(u string) string {
	before, query, hasQuery := strings.Cut(u, "?")
	fragment, hasFragment := "", false
	if hasQuery {
		query, fragment, hasFragment = strings.Cut(query, "#")
	} else {
		before, fragment, hasFragment = strings.Cut(before, "#")
	}
	hidden := hideUserinfo(before)
	if !hasQuery && !hasFragment {
		return ValidText(hidden)
	}
	var hq string
	if hasQuery {
		hq = q.HideQuery(query)
		if hidden == before && hq == query {
			// Nothing hidden (the usual case): u as it is, not a copy.
			return ValidText(u)
		}
	}
	before = hidden
	var b strings.Builder
	b.Grow(len(u) + 16)
	b.WriteString(before)
	if hasQuery {
		b.WriteByte('?')
		b.WriteString(hq)
	}
	if hasFragment {
		b.WriteByte('#')
		b.WriteString(fragment)
	}
	return ValidText(b.String())
}

// hideUserinfo replaces the user information in s, a URL without query or
// fragment, by "<hidden>".
func hideUserinfo(s string) string {
	i := strings.Index(s, "//")
	if i < 0 || i != strings.IndexByte(s, '/') {
		return s // no authority: "//" is in the path
	}
	authority := s[i+2:]
	if end := strings.IndexByte(authority, '/'); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return s
	}
	return s[:i+2] + Hidden + s[i+2+at:]
}

// HideParsedURL returns u as text for a report or timeline, with its secrets
// hidden as HideURL hides them, and without the fragment, which clients do
// not send. A nil u is "".
func (q *QuerySecrets) HideParsedURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := *u
	v.Fragment, v.RawFragment = "", ""
	return q.HideURL(v.String())
}
