package reqvars

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzHideCredentials(f *testing.F) {
	for _, s := range []string{"Bearer abc", "Basic dXNlcjpwYXNz", "abc", "", " Digest a=b, c=d", "x\x00y z", "Bearer  two"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := HideCredentials(v)
		if got == Hidden {
			return
		}
		scheme, ok := strings.CutSuffix(got, " "+Hidden)
		if !ok || scheme == "" || !isToken(scheme) || len(scheme) > maxScheme {
			t.Fatalf("HideCredentials(%q) = %q", v, got)
		}
		// Only the leading word is kept; nothing after it leaks.
		if !strings.HasPrefix(strings.TrimLeft(v, " \t"), scheme+" ") {
			t.Fatalf("HideCredentials(%q) = %q keeps more than the scheme", v, got)
		}
	})
}

func FuzzValidText(f *testing.F) {
	for _, s := range []string{"", "plain", "café", "a\xffb", "\xc3", "\xed\xa0\x80", `\x41`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ValidText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("ValidText(%q) = %q, not valid UTF-8", s, got)
		}
		if utf8.ValidString(s) && got != s {
			t.Fatalf("ValidText(%q) = %q changed valid text", s, got)
		}
		if len(got) < len(s) {
			t.Fatalf("ValidText(%q) = %q lost bytes", s, got)
		}
		if strings.ContainsRune(got, utf8.RuneError) && !strings.ContainsRune(s, utf8.RuneError) {
			t.Fatalf("ValidText(%q) = %q replaced bytes", s, got)
		}
	})
}

func FuzzEnvName(f *testing.F) {
	for _, s := range []string{"User-Agent", "Content-Type", "x-lower", "A\xffB", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := EnvName(s)
		if want := envName(s); got != want {
			t.Fatalf("EnvName(%q) = %q, built: %q", s, got, want)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("EnvName(%q) = %q, not valid UTF-8", s, got)
		}
		if strings.ContainsAny(got, "-abcdefghijklmnopqrstuvwxyz") && !strings.Contains(got, `\x`) {
			t.Fatalf("EnvName(%q) = %q has lower case or '-'", s, got)
		}
	})
}
