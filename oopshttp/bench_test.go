package oopshttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/oopshttp"
)

var okBody = []byte("ok")

// BenchmarkMiddleware measures a request that does not fail, bare and
// wrapped, each with a fresh httptest.ResponseRecorder and one prebuilt
// request: the difference is what the middleware costs.
func BenchmarkMiddleware(b *testing.B) {
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(okBody)
	})
	cfg := &oops.Config{Publisher: oops.Discard}
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"impl=bare", bare},
		{"impl=oopshttp", oopshttp.Middleware(cfg, nil)(bare)},
		{"impl=oopshttp-options", oopshttp.Middleware(cfg, &oopshttp.Options{SoftTimeout: 1 << 40, ReportStatuses: []string{"404"}})(bare)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/items/7?x=1", nil)
			loop(b, func() {
				rec := httptest.NewRecorder()
				bc.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			})
		})
	}
}

// BenchmarkFailingRequest measures a request answered with a 500: a report
// made and handed to a publisher that discards it.
func BenchmarkFailingRequest(b *testing.B) {
	h := oopshttp.Middleware(&oops.Config{Publisher: oops.Discard}, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "no")
	}))
	req := httptest.NewRequest(http.MethodGet, "/items/7?x=1", nil)
	req.Header.Set("User-Agent", "bench")
	loop(b, func() { h.ServeHTTP(httptest.NewRecorder(), req) })
}

// loop runs f b.N times and reports, beside the wall time, the process's
// CPU time per operation ("cpu-ns/op", see package benchcpu).
func loop(b *testing.B, f func()) {
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		f()
	}
	stopCPU()
}
