package reqvars

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testDefaults = []string{"token", "contains:password", "key", "contains:signature", "contains:session", "contains:secret", "contains:apikey"}

func TestHideQuery(t *testing.T) {
	q := NewQuerySecrets(testDefaults, []string{" Account.No ", "contains:iban", "", "contains:"})
	for raw, want := range map[string]string{
		"":                       "",
		"a=1&b=2":                "a=1&b=2",
		"accountno=1&ACCOUNT_NO": "accountno=<hidden>&ACCOUNT_NO",
		"payee_iban_2=x&c=3":     "payee_iban_2=<hidden>&c=3",
		"pass%77ord=x&tok+en=y":  "pass%77ord=<hidden>&tok+en=y",
		"%zz=1&token=2":          "%zz=1&token=<hidden>",
		"token":                  "token",
		"a=1&&token=x&":          "a=1&&token=<hidden>&",
		"keyboard=qwerty&key=k":  "keyboard=qwerty&key=<hidden>",
	} {
		assert.Equal(t, want, q.HideQuery(raw), raw)
	}
}

func TestHideURL(t *testing.T) {
	q := NewQuerySecrets(testDefaults)
	for in, want := range map[string]string{
		"https://h/p?a=1&token=t#frag":   "https://h/p?a=1&token=<hidden>#frag",
		"https://h/p":                    "https://h/p",
		"https://h/p?a=1#frag":           "https://h/p?a=1#frag",
		"https://h/p?a=1&b=\xff":         `https://h/p?a=1&b=\xff`,
		"https://ann:pw@h/p?token=t":     "https://<hidden>@h/p?token=<hidden>",
		"https://h/p#x@y":                "https://h/p#x@y",
		"/a//b@c?token=1":                "/a//b@c?token=<hidden>",
		"//u@h/":                         "//<hidden>@h/",
		"http://h/?q=\xff":               `http://h/?q=\xff`,
		"mailto:ann@example.com?token=1": "mailto:ann@example.com?token=<hidden>",
	} {
		assert.Equal(t, want, q.HideURL(in), in)
	}
}

func TestHideParsedURL(t *testing.T) {
	q := NewQuerySecrets(testDefaults)
	for _, tc := range []struct{ in, want string }{
		{"https://ann:hunter2@example.com/x", "https://<hidden>@example.com/x"},
		{"https://example.com/x#frag?token=abc", "https://example.com/x"},
		{"https://example.com/x?", "https://example.com/x?"},
		{"https://example.com/x?%zz=1", "https://example.com/x?%zz=1"},
		{"mailto:ann@example.com", "mailto:ann@example.com"},
	} {
		u, err := url.Parse(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, q.HideParsedURL(u), tc.in)
	}
	assert.Empty(t, q.HideParsedURL(nil))
}

func FuzzHideQuery(f *testing.F) {
	f.Add("a=1&token=x&b=%zz")
	f.Add("&&=&=")
	q := NewQuerySecrets(testDefaults)
	f.Fuzz(func(t *testing.T, raw string) {
		out := q.HideQuery(raw)
		if out == raw {
			return
		}
		assert.Contains(t, out, Hidden)
		assert.Equal(t, out, q.HideQuery(out), "hiding is idempotent")
	})
}

func FuzzHideURLSecrets(f *testing.F) {
	for _, s := range []string{"https://a:b@h/p?token=x&q=1", "http://h/?%zz", "//u@h/?password=1#f",
		"http://h/?token=\xff", "mailto:x@y", "http://[::1]:80/?api_key=k"} {
		f.Add(s)
	}
	q := NewQuerySecrets(testDefaults)
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		got := q.HideParsedURL(u)
		if !utf8.ValidString(got) {
			t.Fatalf("HideParsedURL(%q) = %q: invalid UTF-8", raw, got)
		}
		if u.User != nil && u.User.String() != "" && strings.Contains(got, u.User.String()+"@") {
			t.Fatalf("HideParsedURL(%q) = %q keeps the user information", raw, got)
		}
		if p, ok := u.User.Password(); ok && len(p) > 3 && strings.Contains(got, p) && !strings.Contains(u.Host+u.Path+u.RawQuery, p) {
			t.Fatalf("HideParsedURL(%q) = %q shows the password", raw, got)
		}
		for _, part := range strings.Split(u.RawQuery, "&") {
			k, _, hasValue := strings.Cut(part, "=")
			if hasValue && strings.EqualFold(k, "token") && !strings.Contains(got, k+"=<hidden>") {
				t.Fatalf("HideParsedURL(%q) = %q does not hide the token", raw, got)
			}
		}
	})
}
