package oopshttp

import (
	"strings"
	"testing"
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
