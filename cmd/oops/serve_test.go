package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineWriter hands each line written to it to a channel, so that a test
// can wait for a line a command prints.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		s := w.buf.String()
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		w.lines <- s[:i]
		w.buf.Reset()
		w.buf.WriteString(s[i+1:])
	}
	return len(p), nil
}

func TestServe(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{lines: make(chan string, 10)}
	var errb strings.Builder
	env := map[string]string{"OOPS_ADMIN_TOKEN": "adm1n"}
	done := make(chan int, 1)
	go func() {
		done <- runEnv(ctx, []string{"-s", f.root, "serve", "--listen", "127.0.0.1:0", "--base-path", "/oops"},
			out, &errb, func(k string) string { return env[k] })
	}()
	var line string
	select {
	case line = <-out.lines:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`^The console for .* is at (http://127\.0\.0\.1:\d+/oops/) \(Ctrl-C to stop\)$`).FindStringSubmatch(line)
	require.NotNil(t, m, line)

	get := func(path, token string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, m[1]+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	code, _ := get("report/"+f.nplus1, "")
	assert.Equal(t, http.StatusUnauthorized, code, "a token is configured: no anonymous readers")
	code, body := get("report/"+f.nplus1, "adm1n")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "SELECT * FROM lines WHERE order_id = ?", "the N+1 run, as an admin sees it")

	cancel()
	assert.Equal(t, exitOK, <-done, errb.String())
}

func TestServeRefusals(t *testing.T) {
	f := newFixture(t)
	r := oopsCmd(t, nil, "-s", f.root, "serve", "--listen", "0.0.0.0:0")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "refusing to serve reports without credentials")
	r = oopsCmd(t, nil, "-s", f.root, "serve", "--user", "bob")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "NAME:PASSWORD")
	r = oopsCmd(t, nil, "-s", f.root, "serve", "--anonymous", "root")
	assert.Equal(t, exitUsage, r.code)
	r = oopsCmd(t, nil, "-s", f.root, "serve", "--anonymous", "none")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "nobody")
}
