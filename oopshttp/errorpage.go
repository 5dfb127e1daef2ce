package oopshttp

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/oops-go/oops"
)

// ErrorPage is the data Options.ErrorTemplate is executed with.
type ErrorPage struct {
	ID         string // the OOPS id, "OOPS-…"; empty when no store took the report
	Status     int    // the status sent, 500
	StatusText string // "Internal Server Error"
}

// defaultErrorTemplate is the HTML page sent when a handler panics; it asks
// the user to quote the id, as oops-wsgi's page does.
var defaultErrorTemplate = template.Must(template.New("oops").Parse(`<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Oops!{{with .ID}} - {{.}}{{end}}</title></head>
<body>
<h1>Oops!</h1>
<p>Something broke while handling your request ({{.Status}} {{.StatusText}}).
Please try again in a few minutes, and if the problem persists, contact
support.{{with .ID}} Please quote the OOPS id <strong>{{.}}</strong>.{{end}}</p>
</body>
</html>
`))

// writeErrorPage sends the 500 page of a request that failed before writing
// anything, in the format its Accept header prefers. An empty id (the report
// was not stored) is quoted nowhere.
func (st *state) writeErrorPage(id string) {
	page := ErrorPage{ID: id, Status: http.StatusInternalServerError, StatusText: http.StatusText(http.StatusInternalServerError)}
	var body []byte
	contentType := "text/html; charset=utf-8"
	switch negotiate(st.req.Header.Values("Accept")) {
	case formatJSON:
		contentType = "application/json"
		body, _ = json.Marshal(struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
			ID     string `json:"oops_id,omitempty"`
		}{page.StatusText, page.Status, page.ID})
		body = append(body, '\n')
	case formatText:
		contentType = "text/plain; charset=utf-8"
		quote := ""
		if page.ID != "" {
			quote = " Please quote the OOPS id " + page.ID + "."
		}
		body = []byte(strconv.Itoa(page.Status) + " " + page.StatusText + "\n" +
			"Something broke while handling your request." + quote + "\n")
	default:
		body = renderHTML(st.m.opts.ErrorTemplate, page)
	}
	h := st.w.rw.Header()
	// Whatever the handler meant to send does not describe this page.
	for _, k := range []string{"Content-Length", "Content-Encoding", "Content-Range", "Content-Disposition",
		"Content-Language", "Etag", "Last-Modified", "Transfer-Encoding", "Trailer"} {
		h.Del(k)
	}
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept")
	if id != "" {
		h.Set(HeaderID, id)
	} else {
		h.Del(HeaderID)
	}
	st.w.rw.WriteHeader(http.StatusInternalServerError)
	_, _ = st.w.rw.Write(body)
}

// renderHTML executes t, or the default page when t is nil or fails.
func renderHTML(t *template.Template, page ErrorPage) []byte {
	var buf bytes.Buffer
	if t != nil {
		if err := executeSafely(t, &buf, page); err == nil {
			return buf.Bytes()
		}
		buf.Reset()
	}
	_ = defaultErrorTemplate.Execute(&buf, page)
	return buf.Bytes()
}

// executeSafely runs t and turns a panic inside it into an error, so that a
// broken template still leaves the user a page.
func executeSafely(t *template.Template, buf *bytes.Buffer, page ErrorPage) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &oops.PanicError{Value: r}
		}
	}()
	return t.Execute(buf, page)
}

type format int

const (
	formatHTML format = iota
	formatText
	formatJSON
)

// maxAcceptRanges bounds how many media ranges negotiate looks at, so a huge
// header costs little.
const maxAcceptRanges = 64

// negotiate picks the error page format from the Accept header values: the
// supported media range with the highest q wins, the first on a tie; HTML
// when nothing supported is asked for. JSON is text/json, application/json
// and any +json type; plain text is text/plain; HTML is text/html,
// application/xhtml+xml, text/* and */*.
func negotiate(accept []string) format {
	best, bestQ, seen := formatHTML, -1.0, 0
	for _, header := range accept {
		for mr := range strings.SplitSeq(header, ",") {
			if seen++; seen > maxAcceptRanges {
				return best
			}
			typ, params, _ := strings.Cut(mr, ";")
			typ = strings.ToLower(strings.TrimSpace(typ))
			f, ok := formatOf(typ)
			if !ok {
				continue
			}
			q := qValue(params)
			if q > bestQ && q > 0 {
				best, bestQ = f, q
			}
		}
	}
	return best
}

func formatOf(typ string) (format, bool) {
	switch {
	case typ == "text/html", typ == "application/xhtml+xml", typ == "text/*", typ == "*/*":
		return formatHTML, true
	case typ == "text/plain":
		return formatText, true
	case typ == "application/json", typ == "text/json", strings.HasSuffix(typ, "+json") && strings.Contains(typ, "/"):
		return formatJSON, true
	}
	return formatHTML, false
}

// qValue returns the q parameter among params (";q=0.5;level=1"), 1 when
// absent and 0 when malformed.
func qValue(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 || q != q {
			return 0
		}
		return q
	}
	return 1
}
