package oopshttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oops-go/oops/oopshttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFlusherReachesTheClient(t *testing.T) {
	c := new(collector)
	proceed := make(chan struct{})
	srv, _ := serve(t, newConfig(c), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := w.(http.Flusher)
		if !assert.True(t, ok, "http.Flusher") {
			return
		}
		_, _ = io.WriteString(w, "first\n")
		f.Flush()
		<-proceed // the client must have "first" before the handler goes on
		_, _ = io.WriteString(w, "second\n")
	}))
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)
	close(proceed)
	rest, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Equal(t, "second\n", string(rest))
	assert.Empty(t, c.all())
}

func TestResponseControllerFlushAndDeadlines(t *testing.T) {
	proceed := make(chan struct{})
	srv, done := serve(t, nil, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		assert.NoError(t, rc.SetReadDeadline(time.Now().Add(time.Minute)), "reaches the server's writer through Unwrap")
		assert.NoError(t, rc.SetWriteDeadline(time.Now().Add(time.Minute)))
		assert.NoError(t, rc.EnableFullDuplex())
		_, _ = io.WriteString(w, "first\n")
		assert.NoError(t, rc.Flush())
		<-proceed
		_, _ = io.WriteString(w, "second\n")
	}))
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)
	close(proceed)
	_, _ = io.ReadAll(br)
	<-done
}

func TestWriteDeadlineTakesEffect(t *testing.T) {
	// A deadline already past makes the server's writes fail: proof that the
	// deadline reached the real connection.
	var werr error
	srv, done := serve(t, nil, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_, _ = io.WriteString(w, "x")
		if !assert.NoError(t, rc.Flush()) {
			return
		}
		assert.NoError(t, rc.SetWriteDeadline(time.Now().Add(-time.Second)))
		_, _ = w.Write(make([]byte, 1<<16))
		werr = rc.Flush()
	}))
	resp, err := http.Get(srv.URL)
	if err == nil {
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	<-done
	assert.Error(t, werr, "the expired deadline made the flush fail")
}

func TestHijacker(t *testing.T) {
	for _, via := range []string{"interface", "ResponseController"} {
		t.Run(via, func(t *testing.T) {
			c := new(collector)
			srv, done := serve(t, newConfig(c), nil,
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					var conn net.Conn
					var brw *bufio.ReadWriter
					var err error
					if via == "interface" {
						hj, ok := w.(http.Hijacker)
						if !assert.True(t, ok, "http.Hijacker") {
							return
						}
						conn, brw, err = hj.Hijack()
					} else {
						conn, brw, err = http.NewResponseController(w).Hijack()
					}
					if !assert.NoError(t, err) {
						return
					}
					defer conn.Close()
					_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
					assert.NoError(t, brw.Flush())
				}))
			resp, body := get(t, srv.URL)
			<-done
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "hijacked", body)
			assert.Empty(t, c.all())
		})
	}
}

func TestPanicAfterHijackIsReported(t *testing.T) {
	c := new(collector)
	srv, done := serve(t, newConfig(c), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if !assert.NoError(t, err) {
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		_ = brw.Flush()
		panic("after hijack")
	}))
	resp, body := get(t, srv.URL)
	<-done
	assert.Equal(t, "ok", body)
	assert.Empty(t, resp.Header.Get(oopshttp.HeaderID))
	assert.Equal(t, "panic: after hijack", c.one(t).Value)
}

func TestHijackUnsupported(t *testing.T) {
	rec := httptest.NewRecorder()
	oopshttp.Middleware(nil, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, ok := w.(http.Hijacker)
		assert.False(t, ok, "the server's writer is no Hijacker, and neither is the wrapper")
		_, _, err := http.NewResponseController(w).Hijack()
		assert.ErrorIs(t, err, http.ErrNotSupported)
		_, _ = io.WriteString(w, "still fine")
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, "still fine", rec.Body.String())
}

func TestReaderFrom(t *testing.T) {
	content := strings.Repeat("0123456789", 10000)
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	serveFile := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if !assert.NoError(t, err) {
			return
		}
		defer f.Close()
		rf, ok := w.(io.ReaderFrom)
		if !assert.True(t, ok, "io.ReaderFrom") {
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		n, err := rf.ReadFrom(f)
		assert.NoError(t, err)
		assert.Equal(t, int64(len(content)), n)
	})

	t.Run("server", func(t *testing.T) {
		srv, _ := serve(t, nil, nil, serveFile)
		resp, body := get(t, srv.URL)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, content, body)
	})
	t.Run("writer without ReadFrom", func(t *testing.T) {
		rec := httptest.NewRecorder() // has no ReadFrom: the copy goes through Write
		oopshttp.Middleware(nil, nil)(serveFile).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, content, rec.Body.String())
	})
}

func TestFlushWithoutFlusherDoesNothing(t *testing.T) {
	// A writer with only the three ResponseWriter methods.
	var plain struct{ http.ResponseWriter }
	rec := httptest.NewRecorder()
	plain.ResponseWriter = rec
	oopshttp.Middleware(nil, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		assert.ErrorIs(t, http.NewResponseController(w).Flush(), http.ErrNotSupported)
		_, _ = io.WriteString(w, "x")
	})).ServeHTTP(plain, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, "x", rec.Body.String())
	assert.False(t, rec.Flushed)
}

func TestHTTP2(t *testing.T) {
	c := new(collector)
	proceed := make(chan struct{})
	done := make(chan struct{}, 10)
	wrapped := oopshttp.Middleware(newConfig(c), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("h2 boom")
		case "/late-panic":
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			panic("h2 late")
		case "/stream":
			assert.Equal(t, 2, r.ProtoMajor)
			_, ok := w.(http.Hijacker)
			assert.False(t, ok, "HTTP/2 cannot hijack: the wrapper does not claim it can")
			_, _, err := http.NewResponseController(w).Hijack()
			assert.ErrorIs(t, err, http.ErrNotSupported, "HTTP/2 cannot hijack")
			_, _ = io.WriteString(w, "first\n")
			assert.NoError(t, http.NewResponseController(w).Flush())
			<-proceed
			_, _ = io.WriteString(w, "second\n")
		}
	}))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		wrapped.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := srv.Client()

	resp, err := client.Get(srv.URL + "/panic")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	<-done
	assert.Equal(t, 2, resp.ProtoMajor)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	id := resp.Header.Get(oopshttp.HeaderID)
	assert.Contains(t, string(body), id)
	assert.Equal(t, "panic: h2 boom", c.byID(t, id).Value)

	resp, err = client.Get(srv.URL + "/late-panic")
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	<-done
	assert.Error(t, err, "the stream is reset")
	require.Len(t, c.all(), 2)
	assert.Equal(t, "panic: h2 late", c.all()[1].Value)

	resp, err = client.Get(srv.URL + "/stream")
	require.NoError(t, err)
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)
	close(proceed)
	rest, _ := io.ReadAll(br)
	resp.Body.Close()
	<-done
	assert.Equal(t, "second\n", string(rest))
}
