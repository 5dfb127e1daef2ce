package oopshttp

import (
	"net/url"
	"strings"
)

// defaultHiddenParams are the query parameters whose values a recorded URL
// hides whatever the options say, matched case-insensitively.
var defaultHiddenParams = []string{"password", "token", "secret", "api_key", "signature", "session"}

// isDefaultHiddenParam says whether name is one of defaultHiddenParams.
func isDefaultHiddenParam(name string) bool {
	for _, p := range defaultHiddenParams {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}

// hideURLSecrets returns u as text for a report or timeline, with its
// secrets hidden: the user information (user name and password, since a
// token is often passed as the user name) becomes "<hidden>@", and the value
// of each query parameter whose (unescaped) name hiddenParam accepts becomes
// "<hidden>". The parameters keep their order and everything else its
// original escaping; the fragment, which clients do not send, is left out.
// Invalid UTF-8 is kept as \xNN escapes. A nil hiddenParam hides the
// default parameters.
func hideURLSecrets(u *url.URL, hiddenParam func(name string) bool) string {
	if u == nil {
		return ""
	}
	if hiddenParam == nil {
		hiddenParam = isDefaultHiddenParam
	}
	v := *u
	v.User = nil
	v.Fragment, v.RawFragment = "", ""
	v.RawQuery, v.ForceQuery = "", false
	s := v.String()
	if u.User != nil && v.Opaque == "" {
		// After "scheme://" (or "//" when there is no scheme).
		if i := strings.Index(s, "//"); i >= 0 {
			s = s[:i+2] + hidden + "@" + s[i+2:]
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		s += "?" + hideQuery(u.RawQuery, hiddenParam)
	}
	return validText(s)
}

// hideQuery returns the raw query q with the values of hidden parameters
// replaced.
func hideQuery(q string, hiddenParam func(string) bool) string {
	if q == "" {
		return q
	}
	var b strings.Builder
	b.Grow(len(q))
	for i, part := range strings.Split(q, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		key, _, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		if hiddenParam(name) {
			b.WriteString(key)
			b.WriteByte('=')
			b.WriteString(hidden)
			continue
		}
		b.WriteString(part)
	}
	return b.String()
}
