package oopshttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/timeline"
)

type benchKey struct{}

// BenchmarkTransportStatic isolates what the wrapper adds to a call made
// without a timeline: the wrapped transport returns one prebuilt response
// and the body is not read, so bare costs almost nothing and the difference
// is the wrapper's lookup of the context's timeline.
func BenchmarkTransportStatic(b *testing.B) {
	static := &http.Response{StatusCode: 200, Body: http.NoBody}
	rt := roundTripperFunc(func(*http.Request) (*http.Response, error) { return static, nil })
	base := context.WithValue(context.Background(), benchKey{}, 1)
	req, err := http.NewRequestWithContext(base, http.MethodGet, "http://svc.internal/items", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []struct {
		name string
		rt   http.RoundTripper
	}{{"bare", rt}, {"no-timeline", oopshttp.NewTransport(rt, nil)}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			defer stop()
			for b.Loop() {
				if _, err := impl.rt.RoundTrip(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTransport measures one call with its body read and closed:
// through the bare transport, through the wrapper with no timeline in the
// context, and recording into a fresh timeline per call. "backend=memory" is
// a transport that answers from memory, so that the wrapper's own cost
// shows; "backend=loopback" is http.Transport against a real server.
func BenchmarkTransport(b *testing.B) {
	memory := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		// A body without WriteTo, as http.Transport's: io.Copy reads it
		// the same way bare and wrapped.
		return &http.Response{StatusCode: 200, Body: io.NopCloser(struct{ io.Reader }{strings.NewReader("ok")}), Request: r}, nil
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	loopback := &http.Transport{}
	defer loopback.CloseIdleConnections()

	base := context.WithValue(context.Background(), benchKey{}, 1)
	for _, backend := range []struct {
		name string
		rt   http.RoundTripper
	}{{"memory", memory}, {"loopback", loopback}} {
		for _, impl := range []struct {
			name     string
			rt       http.RoundTripper
			timeline bool
		}{
			{"bare", backend.rt, false},
			// The fresh timeline and request copy alone, to subtract
			// from fresh-timeline: what is left is the wrapper's.
			{"bare-fresh-timeline", backend.rt, true},
			{"no-timeline", oopshttp.NewTransport(backend.rt, nil), false},
			{"fresh-timeline", oopshttp.NewTransport(backend.rt, nil), true},
		} {
			b.Run("backend="+backend.name+"/impl="+impl.name, func(b *testing.B) {
				req, err := http.NewRequestWithContext(base, http.MethodGet, srv.URL+"/items?token=x", nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				stop := benchcpu.Start(b)
				defer stop()
				for b.Loop() {
					r := req
					if impl.timeline {
						r = req.WithContext(timeline.NewContext(base, timeline.New()))
					}
					resp, err := impl.rt.RoundTrip(r)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			})
		}
	}
}
