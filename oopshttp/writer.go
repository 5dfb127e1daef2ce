package oopshttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"time"
)

// responseWriter is the http.ResponseWriter the handler gets. It watches the
// status and the first byte, and keeps the optional interfaces of the
// server's writer: http.Flusher (and FlushError), io.ReaderFrom and Unwrap
// for http.ResponseController; hijackWriter adds http.Hijacker, handed out
// only when the server's writer is one (HTTP/1), so that a handler that
// probes for it learns the truth. Where the server's writer lacks one, Flush
// does nothing and ReadFrom copies through Write.
type responseWriter struct {
	st *state
	rw http.ResponseWriter

	status    int           // the final status once written, else 0
	firstByte time.Duration // since the request began, once status is set; only with a soft time-out
	hijacked  bool
}

// Header returns the server's header map.
func (w *responseWriter) Header() http.Header { return w.rw.Header() }

// WriteHeader notes the final status, makes the report it calls for (adding
// X-Oops-Id for a 5xx) and passes it on. Informational statuses, repeated
// calls and invalid codes go straight to the server's writer, which knows
// what to do with them.
func (w *responseWriter) WriteHeader(code int) {
	final := code >= 200 && code <= 999 || code == http.StatusSwitchingProtocols
	if final && w.status == 0 && !w.hijacked {
		w.commit(code)
	}
	w.rw.WriteHeader(code)
}

// Write sends b, with the status 200 first if none was written.
func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 && !w.hijacked {
		w.commit(http.StatusOK)
	}
	return w.rw.Write(b)
}

// commit notes that code is the final status and makes the report it calls
// for.
func (w *responseWriter) commit(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if w.st.m.opts.SoftTimeout > 0 {
		w.firstByte = time.Since(w.st.tl.Started())
	}
	if !w.st.m.reportsStatus(code) || w.st.clientGone() {
		return
	}
	id := w.st.statusReport(code)
	if code >= 500 && id != "" {
		w.rw.Header().Set(HeaderID, id)
	}
}

// Flush sends what is buffered, as http.Flusher does.
func (w *responseWriter) Flush() { _ = w.flush() }

// FlushError sends what is buffered and returns the server's error, as
// http.ResponseController.Flush does.
func (w *responseWriter) FlushError() error { return w.flush() }

func (w *responseWriter) flush() error {
	if w.status == 0 && !w.hijacked {
		w.commit(http.StatusOK)
	}
	return http.NewResponseController(w.rw).Flush()
}

// hijackWriter is a responseWriter that is an http.Hijacker too.
type hijackWriter struct{ responseWriter }

// Hijack hands the connection over to the handler, as http.Hijacker does.
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.hijack()
}

func (w *responseWriter) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.rw).Hijack()
	if err == nil && !w.hijacked {
		w.hijacked = true
		if w.status == 0 && w.st.m.opts.SoftTimeout > 0 {
			w.firstByte = time.Since(w.st.tl.Started())
		}
	}
	return c, brw, err
}

// ReadFrom copies src into the response, through the server's own ReadFrom
// (which may use sendfile) when it has one.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 && !w.hijacked {
		w.commit(http.StatusOK)
	}
	if rf, ok := w.rw.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w.rw}, src)
}

// Unwrap returns the server's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.rw }

// writerOnly hides every method but Write, so io.Copy cannot come back to
// ReadFrom.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(b []byte) (int, error) { return w.w.Write(b) }
