package oopshttp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHideQuery(t *testing.T) {
	q := newQuerySecrets([]string{"Card-Number", "contains:ssn"})
	for raw, want := range map[string]string{
		"":                          "",
		"a=1&b=2":                   "a=1&b=2",
		"password=x":                "password=<hidden>",
		"PassWord=x&a=1":            "PassWord=<hidden>&a=1",
		"a=1&api_key=k&API-KEY=k2":  "a=1&api_key=<hidden>&API-KEY=<hidden>",
		"apikey=k&x=%20":            "apikey=<hidden>&x=%20",
		"access_token=t&token=t2":   "access_token=<hidden>&token=<hidden>",
		"X-Amz-Signature=abc&b=1":   "X-Amz-Signature=<hidden>&b=1",
		"sessionid=s&session=s2":    "sessionid=<hidden>&session=<hidden>",
		"client_secret=s":           "client_secret=<hidden>",
		"db_password=p":             "db_password=<hidden>",
		"card_number=4111&user=ann": "card_number=<hidden>&user=ann",
		"user_ssn=1&x":              "user_ssn=<hidden>&x",
		"pass%77ord=x":              "pass%77ord=<hidden>",
		"token":                     "token",
		"a=1&&token=x&":             "a=1&&token=<hidden>&",
		"keyboard=qwerty":           "keyboard=qwerty",
		"key=abc":                   "key=<hidden>",
	} {
		assert.Equal(t, want, q.hideQuery(raw), raw)
	}
	assert.Equal(t, "https://h/p?a=1&token=<hidden>#frag", q.hideURL("https://h/p?a=1&token=t#frag"))
	assert.Equal(t, "https://h/p", q.hideURL("https://h/p"))
}

func FuzzHideQuery(f *testing.F) {
	f.Add("a=1&token=x&b=%zz")
	f.Add("&&=&=")
	q := newQuerySecrets(nil)
	f.Fuzz(func(t *testing.T, raw string) {
		out := q.hideQuery(raw)
		if out == raw {
			return
		}
		assert.Contains(t, out, hidden)
		assert.Equal(t, out, q.hideQuery(out), "hiding is idempotent")
	})
}
