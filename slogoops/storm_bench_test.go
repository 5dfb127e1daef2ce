package slogoops_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/internal/benchpair"
	"github.com/oops-go/oops/slogoops"
)

// BenchmarkStorm is an error storm: b.N Error records (run it with
// -benchtime 1000000x for a million) logged from 16 goroutines at once, all
// from one call site, so one signature whose rate limit suppresses nearly all
// of them. It reports the latency of a log call at the 50th, 99th and 99.9th
// percentiles (p50-ns, p99-ns, p99.9-ns) beside the JSON handler alone
// (impl=next). With -mutexprofile, it shows where log calls wait for each
// other.
func BenchmarkStorm(b *testing.B) {
	const goroutines = 16
	next := func() slog.Handler { return slog.NewJSONHandler(io.Discard, nil) }
	err := errors.New("connection refused")
	for _, c := range []struct {
		name string
		h    func(b *testing.B) slog.Handler
	}{
		{"next", func(*testing.B) slog.Handler { return next() }},
		{"slogoops", func(b *testing.B) slog.Handler {
			async := oops.NewAsync(oops.Discard, nil)
			b.Cleanup(func() { _ = async.Close(context.Background()) })
			return slogoops.NewHandler(next(), &oops.Config{Publisher: async},
				&slogoops.Options{Recorder: flight.New(nil)})
		}},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := slog.New(c.h(b))
			each := max(b.N/goroutines, 1)
			lat := make([][]time.Duration, goroutines)
			for g := range lat {
				lat[g] = make([]time.Duration, each)
			}
			b.ReportAllocs()
			b.ResetTimer()
			stopCPU := benchcpu.Start(b)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					l := lat[g]
					for i := range l {
						start := time.Now()
						logger.Error("query failed", "err", err, "table", "orders")
						l[i] = time.Since(start)
					}
				})
			}
			wg.Wait()
			stopCPU()
			b.StopTimer()
			benchpair.ReportPercentiles(b, "", slices.Concat(lat...))
		})
	}
}

// BenchmarkStormInterleaved is BenchmarkStorm with the JSON handler alone
// and wrapped measured in one run, under the same load: each of the 16
// goroutines alternates between the two loggers (same handler options, same
// io.Discard sink), so that whatever else the machine does at the time falls
// on both alike. It reports each one's percentiles (next-p99.9-ns,
// slogoops-p99.9-ns, …) and the ratio of their 99.9th percentiles
// (p99.9-ratio, slogoops over next).
func BenchmarkStormInterleaved(b *testing.B) {
	const goroutines = 16
	next := func() slog.Handler { return slog.NewJSONHandler(io.Discard, nil) }
	err := errors.New("connection refused")
	async := oops.NewAsync(oops.Discard, nil)
	b.Cleanup(func() { _ = async.Close(context.Background()) })
	loggers := [2]*slog.Logger{slog.New(next()), slog.New(slogoops.NewHandler(next(), &oops.Config{Publisher: async},
		&slogoops.Options{Recorder: flight.New(nil)}))}
	names := [2]string{"next", "slogoops"}
	benchpair.Storm(b, goroutines, names, [2]func(){
		func() { loggers[0].Error("query failed", "err", err, "table", "orders") },
		func() { loggers[1].Error("query failed", "err", err, "table", "orders") },
	})
}
