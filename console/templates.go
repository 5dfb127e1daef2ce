package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/oops-go/oops/store"
)

var funcs = template.FuncMap{
	"when":      func(t time.Time) string { return formatTime(t, time.DateTime) },
	"whenMicro": func(t time.Time) string { return formatTime(t, "2006-01-02 15:04:05.000000") },
	"ms":        formatMillis,
	"secs":      formatSeconds,
	"cut":       func(s string, n int) string { return store.CutRunes(s, n) },
	"value":     formatValue,
	"dict":      dict,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	// groupQuery returns the query string of a group's reports. It is a
	// template.URL so that its "=" and "&" stay what they are; every value
	// in it is escaped by url.Values.Encode.
	"groupQuery": func(sig string, from, to time.Time) template.URL {
		v := url.Values{"signature": {sig}}
		if !from.IsZero() {
			v.Set("from", from.UTC().Format(time.RFC3339))
		}
		if !to.IsZero() {
			v.Set("to", to.UTC().Format(time.RFC3339))
		}
		return template.URL(v.Encode())
	},
}

// pages parses each page with the layout and the shared parts, once. It
// panics on an error: the templates are embedded, so an error is a bug that
// every test finds. The parsed templates are safe for concurrent use.
var pages = sync.OnceValue(parsePages)

func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range []string{"home", "report", "list", "summary", "faults", "error"} {
		t := template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
		pages[name] = t
	}
	return pages
}

func formatTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(layout)
}

func formatSeconds(s float64) string {
	switch {
	case s < 0:
		return "unknown"
	case s < 1:
		return strconv.FormatFloat(s*1000, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(s, 'f', 2, 64) + " s"
}

// formatValue writes an attribute's value as JSON when it is one, so that
// nested groups read as such.
func formatValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
