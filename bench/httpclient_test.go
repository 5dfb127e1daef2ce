package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/timeline"
)

// The HTTP client comparison: one GET with its body read and closed,
// through the bare transport, through oopshttp.NewTransport (without and
// with a fresh timeline per call) and through otelhttp.NewTransport with
// no-op tracer and meter providers. backend=memory answers from memory so
// that the wrappers' own cost shows; backend=loopback is http.Transport
// against an httptest server.

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func BenchmarkHTTPClient(b *testing.B) {
	memory := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		// A body without WriteTo, as http.Transport's.
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(struct{ io.Reader }{strings.NewReader("ok")}), Request: r}, nil
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	loopback := &http.Transport{}
	defer loopback.CloseIdleConnections()

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
			// The bare transport with the request copy and fresh
			// timeline of impl=oopshttp: the difference is the wrapper's.
			{"bare-fresh-timeline", backend.rt, true},
			{"oopshttp-no-timeline", oopshttp.NewTransport(backend.rt, nil), false},
			{"oopshttp", oopshttp.NewTransport(backend.rt, nil), true},
			{"otelhttp", otelhttp.NewTransport(backend.rt,
				otelhttp.WithTracerProvider(tracenoop.NewTracerProvider()),
				otelhttp.WithMeterProvider(metricnoop.NewMeterProvider())), false},
		} {
			b.Run("backend="+backend.name+"/impl="+impl.name, func(b *testing.B) {
				base := requestContext()
				req, err := http.NewRequestWithContext(base, http.MethodGet, srv.URL+"/items?page=2", nil)
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
