package oopshttp

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHideURLSecrets(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://example.com/a/b?q=1", "https://example.com/a/b?q=1"},
		{"https://ann:hunter2@example.com/x", "https://<hidden>@example.com/x"},
		{"https://ghp_token@example.com/x", "https://<hidden>@example.com/x"},
		{"https://example.com/x?token=abc&q=1&PassWord=p&api_key=k&Signature=s&session=z&secret=y",
			"https://example.com/x?token=<hidden>&q=1&PassWord=<hidden>&api_key=<hidden>&Signature=<hidden>&session=<hidden>&secret=<hidden>"},
		{"https://example.com/x?tok%65n=abc", "https://example.com/x?tok%65n=<hidden>"},
		{"https://example.com/x?token", "https://example.com/x?token=<hidden>"},
		{"https://example.com/x?q=a%20b&token=a&token=b", "https://example.com/x?q=a%20b&token=<hidden>&token=<hidden>"},
		{"https://example.com/x#frag?token=abc", "https://example.com/x"},
		{"https://example.com/x?", "https://example.com/x?"},
		{"https://example.com/x?%zz=1", "https://example.com/x?%zz=1"},
		{"/relative?token=1", "/relative?token=<hidden>"},
		{"mailto:ann@example.com", "mailto:ann@example.com"},
	} {
		u, err := url.Parse(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, hideURLSecrets(u, nil), tc.in)
	}
	assert.Empty(t, hideURLSecrets(nil, nil))

	// Invalid UTF-8 in the raw query stays visible as \xNN.
	u := &url.URL{Scheme: "http", Host: "h", Path: "/", RawQuery: "q=\xff"}
	assert.Equal(t, `http://h/?q=\xff`, hideURLSecrets(u, nil))

	// A custom set.
	u, _ = url.Parse("https://example.com/?sig=1&token=2")
	assert.Equal(t, "https://example.com/?sig=<hidden>&token=2",
		hideURLSecrets(u, func(name string) bool { return name == "sig" }))
}

func FuzzHideURLSecrets(f *testing.F) {
	for _, s := range []string{"https://a:b@h/p?token=x&q=1", "http://h/?%zz", "//u@h/?password=1#f",
		"http://h/?token=\xff", "mailto:x@y", "http://[::1]:80/?api_key=k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		got := hideURLSecrets(u, nil)
		if !utf8.ValidString(got) {
			t.Fatalf("hideURLSecrets(%q) = %q: invalid UTF-8", raw, got)
		}
		if u.User != nil && u.User.String() != "" && strings.Contains(got, u.User.String()+"@") {
			t.Fatalf("hideURLSecrets(%q) = %q keeps the user information", raw, got)
		}
		if p, ok := u.User.Password(); ok && len(p) > 3 && strings.Contains(got, p) && !strings.Contains(u.Host+u.Path+u.RawQuery, p) {
			t.Fatalf("hideURLSecrets(%q) = %q shows the password", raw, got)
		}
		for _, part := range strings.Split(u.RawQuery, "&") {
			k, _, _ := strings.Cut(part, "=")
			if strings.EqualFold(k, "token") && !strings.Contains(got, k+"=<hidden>") {
				t.Fatalf("hideURLSecrets(%q) = %q does not hide the token", raw, got)
			}
		}
	})
}
