// Package reqvars writes a request's variables for a report's req_vars the
// way python's oops-wsgi does (a WSGI/CGI environment), with secrets hidden:
// the naming of header variables, the hiding of credentials, of secret query
// parameters and user information in URLs (QuerySecrets), and text that
// stays valid UTF-8. oopshttp's middleware and Transport and oopsgrpc's
// interceptors share it, so that every direction hides secrets one way.
package reqvars

import (
	"strings"
	"unicode/utf8"
)

// Hidden replaces a secret's value.
const Hidden = "<hidden>"

// EnvName turns a header (or gRPC metadata) name into its CGI variable
// name: Content-Type and Content-Length without a prefix, others as HTTP_
// followed by the name in upper case with '-' as '_'. Bytes that cannot be
// in a header name are kept visible as \xNN.
func EnvName(header string) string {
	if name, ok := commonEnvNames[header]; ok {
		return name
	}
	return envName(header)
}

// commonEnvNames holds the variable names of the headers most requests
// carry, keyed by their canonical names (textproto.CanonicalMIMEHeaderKey)
// and their lower-case ones (HTTP/2, gRPC metadata): every report of a
// request names them, and a lookup costs less than building the name.
var commonEnvNames = func() map[string]string {
	m := make(map[string]string)
	for _, h := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control",
		"Connection", "Content-Length", "Content-Type", "Cookie", "Forwarded", "Origin",
		"Referer", "Traceparent", "Tracestate", "User-Agent", "X-Forwarded-For",
		"X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "X-Request-Id",
	} {
		m[h] = envName(h)
		m[strings.ToLower(h)] = envName(h)
	}
	return m
}()

// envName is EnvName without the lookup.
func envName(header string) string {
	switch {
	case strings.EqualFold(header, "Content-Type"):
		return "CONTENT_TYPE"
	case strings.EqualFold(header, "Content-Length"):
		return "CONTENT_LENGTH"
	}
	var b strings.Builder
	b.Grow(5 + len(header))
	b.WriteString("HTTP_")
	for i := 0; i < len(header); i++ {
		c := header[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c == '-':
			c = '_'
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

const hexDigits = "0123456789abcdef"

// maxScheme bounds the length of an authorization scheme kept; anything
// longer is not a scheme.
const maxScheme = 32

// HideCredentials keeps the scheme of an Authorization value ("Bearer
// <hidden>") and hides the rest. A value whose first word is not a plausible
// scheme (an HTTP token) is hidden whole.
func HideCredentials(v string) string {
	v = strings.TrimLeft(v, " \t")
	scheme, _, found := strings.Cut(v, " ")
	if !found || scheme == "" || len(scheme) > maxScheme || !isToken(scheme) {
		return Hidden
	}
	return scheme + " " + Hidden
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// ValidText returns s, with each byte of invalid UTF-8 written as \xNN so
// that no encoder replaces it and nothing is lost.
func ValidText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[s[i]>>4])
			b.WriteByte(hexDigits[s[i]&0xf])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}
