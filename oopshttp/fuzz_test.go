package oopshttp

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "*/*", "text/plain", "application/json;q=0.9, text/html;q=0.8",
		"text/html;q=abc", "application/json;q=NaN", ";;;,,,", "text/plain;q=1.5", "application/vnd.api+json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		got := negotiate([]string{accept})
		if got != formatHTML && got != formatText && got != formatJSON {
			t.Fatalf("negotiate(%q) = %d", accept, got)
		}
		// Asking for nothing supported leaves HTML.
		if !strings.Contains(strings.ToLower(accept), "plain") && !strings.Contains(strings.ToLower(accept), "json") && got != formatHTML {
			t.Fatalf("negotiate(%q) = %d without plain or json asked for", accept, got)
		}
	})
}

func FuzzHideCredentials(f *testing.F) {
	for _, s := range []string{"Bearer abc", "Basic dXNlcjpwYXNz", "abc", "", " Digest a=b, c=d", "x\x00y z", "Bearer  two"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := hideCredentials(v)
		if got == hidden {
			return
		}
		scheme, ok := strings.CutSuffix(got, " "+hidden)
		if !ok || scheme == "" || !isToken(scheme) || len(scheme) > maxScheme {
			t.Fatalf("hideCredentials(%q) = %q", v, got)
		}
		// Only the leading word is kept; nothing after it leaks.
		if !strings.HasPrefix(strings.TrimLeft(v, " \t"), scheme+" ") {
			t.Fatalf("hideCredentials(%q) = %q keeps more than the scheme", v, got)
		}
	})
}

func FuzzValidText(f *testing.F) {
	for _, s := range []string{"", "plain", "café", "a\xffb", "\xc3", "\xed\xa0\x80", `\x41`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := validText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("validText(%q) = %q, not valid UTF-8", s, got)
		}
		if utf8.ValidString(s) && got != s {
			t.Fatalf("validText(%q) = %q changed valid text", s, got)
		}
		if len(got) < len(s) {
			t.Fatalf("validText(%q) = %q lost bytes", s, got)
		}
		if strings.ContainsRune(got, utf8.RuneError) && !strings.ContainsRune(s, utf8.RuneError) {
			t.Fatalf("validText(%q) = %q replaced bytes", s, got)
		}
	})
}

func FuzzEnvName(f *testing.F) {
	for _, s := range []string{"User-Agent", "Content-Type", "x-lower", "A\xffB", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := envName(s)
		if !utf8.ValidString(got) {
			t.Fatalf("envName(%q) = %q, not valid UTF-8", s, got)
		}
		if strings.ContainsAny(got, "-abcdefghijklmnopqrstuvwxyz") && !strings.Contains(got, `\x`) {
			t.Fatalf("envName(%q) = %q has lower case or '-'", s, got)
		}
	})
}
