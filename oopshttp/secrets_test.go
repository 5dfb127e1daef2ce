package oopshttp

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultHiddenQueryParams: the default set, with extra names, as the
// middleware and the Transport use it.
func TestDefaultHiddenQueryParams(t *testing.T) {
	q := newQuerySecrets([]string{"Card-Number", "contains:ssn"})
	for raw, want := range map[string]string{
		"a=1&b=2":                   "a=1&b=2",
		"password=x":                "password=<hidden>",
		"a=1&api_key=k&API-KEY=k2":  "a=1&api_key=<hidden>&API-KEY=<hidden>",
		"apikey=k&x=%20":            "apikey=<hidden>&x=%20",
		"access_token=t&token=t2":   "access_token=<hidden>&token=<hidden>",
		"X-Amz-Signature=abc&b=1":   "X-Amz-Signature=<hidden>&b=1",
		"sessionid=s&session=s2":    "sessionid=<hidden>&session=<hidden>",
		"client_secret=s":           "client_secret=<hidden>",
		"db_password=p":             "db_password=<hidden>",
		"card_number=4111&user=ann": "card_number=<hidden>&user=ann",
		"user_ssn=1&x":              "user_ssn=<hidden>&x",
		"keyboard=qwerty":           "keyboard=qwerty",
		"key=abc":                   "key=<hidden>",
	} {
		assert.Equal(t, want, q.HideQuery(raw), raw)
	}
}

// TestTransportURLSecrets: what a Transport records of a URL.
func TestTransportURLSecrets(t *testing.T) {
	q := newQuerySecrets()
	for _, tc := range []struct{ in, want string }{
		{"https://example.com/a/b?q=1", "https://example.com/a/b?q=1"},
		{"https://ann:hunter2@example.com/x", "https://<hidden>@example.com/x"},
		{"https://ghp_token@example.com/x", "https://<hidden>@example.com/x"},
		{"https://example.com/x?token=abc&q=1&PassWord=p&api_key=k&Signature=s&session=z&secret=y",
			"https://example.com/x?token=<hidden>&q=1&PassWord=<hidden>&api_key=<hidden>&Signature=<hidden>&session=<hidden>&secret=<hidden>"},
		{"https://example.com/x?tok%65n=abc", "https://example.com/x?tok%65n=<hidden>"},
		{"https://example.com/x?token", "https://example.com/x?token"},
		{"https://example.com/x?q=a%20b&token=a&token=b", "https://example.com/x?q=a%20b&token=<hidden>&token=<hidden>"},
		{"https://example.com/x#frag?token=abc", "https://example.com/x"},
		{"/relative?token=1", "/relative?token=<hidden>"},
		{"mailto:ann@example.com", "mailto:ann@example.com"},
	} {
		u, err := url.Parse(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, q.HideParsedURL(u), tc.in)
	}
	// Invalid UTF-8 in the raw query stays visible as \xNN.
	u := &url.URL{Scheme: "http", Host: "h", Path: "/", RawQuery: "q=\xff"}
	assert.Equal(t, `http://h/?q=\xff`, q.HideParsedURL(u))
}
