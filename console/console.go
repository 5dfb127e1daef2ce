package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/analysis"
	"github.com/oops-go/oops/store"
)

// Options configure a console. Store is required; the rest has working zero
// values.
type Options struct {
	// Store is where reports are read from.
	Store store.Reader
	// Faults answers for resources' faults. When nil, Store is used if it
	// implements store.FaultReader; without either the faults page says
	// the store keeps none.
	Faults store.FaultReader
	// Auth says who may read the console; see Auth.
	Auth Auth
	// BasePath is the path the console is mounted at, such as "/oops",
	// without a trailing slash; "" mounts it at the root. The console sees
	// the whole request path, so mount it without http.StripPrefix:
	// mux.Handle("/oops/", console.New(opts)). It is made of letters,
	// digits and "-._~/"; New drops any other character.
	BasePath string
	// Title names the console in its pages; "oops" when empty.
	Title string
	// Logger receives the errors of the store, which the pages do not show;
	// slog.Default() when nil.
	Logger *slog.Logger
	// Rules classify the summary page's groups; nil means
	// analysis.DefaultRules.
	Rules analysis.Rules
	// Analysis tunes the report page's analysis (N+1 thresholds, how many
	// longest statements).
	Analysis analysis.Options
	// Now tells the time the home and summary pages take as "today";
	// time.Now when nil.
	Now func() time.Time
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// A Handler serves the web console. It is safe for concurrent use.
type Handler struct {
	opts   Options
	faults store.FaultReader
	auth   *authenticator
	mux    *http.ServeMux
	pages  map[string]*template.Template
	log    *slog.Logger
	bufs   sync.Pool
}

// New returns the console for opts. A console without a Store (or with nil
// opts) answers every page with an error.
func New(o *Options) *Handler {
	var opts Options
	if o != nil {
		opts = *o
	}
	opts.BasePath = cleanBasePath(opts.BasePath)
	if opts.Title == "" {
		opts.Title = "oops"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{opts: opts, faults: opts.Faults, auth: newAuthenticator(opts.Auth), log: opts.Logger}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.faults == nil {
		h.faults, _ = opts.Store.(store.FaultReader)
	}
	h.pages = pages()
	h.bufs.New = func() any { return new(bytes.Buffer) }

	b := opts.BasePath
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+b+"/{$}", h.home)
	mux.HandleFunc("GET "+b+"/go", h.goTo)
	mux.HandleFunc("GET "+b+"/report/{id}", h.report)
	mux.HandleFunc("GET "+b+"/reports", h.list)
	mux.HandleFunc("GET "+b+"/summary", h.summary)
	mux.HandleFunc("GET "+b+"/faults", h.faultsPage)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET "+b+"/static/", http.StripPrefix(b+"/static/", staticHandler(static)))
	mux.HandleFunc(b+"/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "No such page.")
	})
	h.mux = mux
	return h
}

// ServeHTTP serves the console's pages. Only GET and HEAD are served: the
// console reads and never changes data (deleting and pruning are left to
// the oops command), so it needs no CSRF protection.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the console only reads: use GET", http.StatusMethodNotAllowed)
		return
	}
	if h.opts.Store == nil {
		http.Error(w, "the console has no store", http.StatusInternalServerError)
		return
	}
	p, ok := h.auth.authenticate(r)
	if !ok {
		if h.auth.challenges() {
			w.Header().Add("WWW-Authenticate", `Basic realm="oops console", charset="UTF-8"`)
			w.Header().Add("WWW-Authenticate", `Bearer realm="oops console"`)
		}
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	h.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
}

// cleanBasePath keeps the characters of a plain path, so that the patterns
// made of it are patterns of literal paths: "{" or a space would make
// http.ServeMux panic.
func cleanBasePath(p string) string {
	p = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-._~/", r):
			return r
		}
		return -1
	}, p)
	p = path.Clean("/" + p)
	if p == "/" {
		return ""
	}
	return p
}

type principalKey struct{}

func principal(r *http.Request) Principal {
	p, _ := r.Context().Value(principalKey{}).(Principal)
	return p
}

// contentSecurityPolicy allows the console's own scripts, styles and images
// only: no inline script or style, no framing, forms posting nowhere else.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// FileServerFS answers a name fs.FS refuses (invalid UTF-8, say)
		// with a 500; it is a name we have no file by.
		if !fs.ValidPath(r.URL.Path) || r.URL.Path == "." || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// page is what every page's template gets.
type page struct {
	Title     string
	Base      string
	Who       Principal
	Admin     bool
	Nav       string // the navigation entry to mark current
	HasFaults bool
	Data      any
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, nav string, data any) {
	t := h.pages[name]
	who := principal(r)
	buf := h.bufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 4<<20 {
			buf.Reset()
			h.bufs.Put(buf)
		}
	}()
	err := t.ExecuteTemplate(buf, "layout", page{
		Title: h.opts.Title, Base: h.opts.BasePath, Who: who, Admin: who.Role.SeesDetails(),
		Nav: nav, HasFaults: h.faults != nil, Data: data,
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "oops console: render", "page", name, "err", err)
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type failure struct {
	Status  int
	Message string
}

// fail shows an error page with msg, which must not come from a store error:
// those are logged, not shown, since they may name files and hosts.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error", "", failure{Status: status, Message: msg})
}

// storeFailed answers for an error of the store.
func (h *Handler) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.fail(w, r, http.StatusNotFound, "There is no such report.")
	case errors.Is(err, oops.ErrBadID):
		h.fail(w, r, http.StatusBadRequest, "That is not an OOPS id.")
	case errors.Is(err, store.ErrBadCursor):
		h.fail(w, r, http.StatusBadRequest, "That page link is not valid.")
	case errors.Is(err, context.Canceled):
	default:
		h.log.ErrorContext(r.Context(), "oops console: store", "path", r.URL.Path, "err", err)
		h.fail(w, r, http.StatusInternalServerError, "The store failed; the error is in the server's log.")
	}
}
