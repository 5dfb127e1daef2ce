package zapoops_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/internal/benchpair"
	"github.com/oops-go/oops/zapoops"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func stormCore(b *testing.B) zapcore.Core {
	async := oops.NewAsync(oops.Discard, nil)
	b.Cleanup(func() { _ = async.Close(context.Background()) })
	return zapoops.Wrap(benchJSONCore(), &oops.Config{Publisher: async},
		&zapoops.Options{Recorder: flight.New(nil)})
}

// BenchmarkStorm is an error storm: b.N Error entries (run it with
// -benchtime 1000000x for a million) logged from 16 goroutines at once, all
// from one call site, so one signature whose rate limit suppresses nearly all
// of them. It reports the latency of a log call at the 50th, 99th and 99.9th
// percentiles (p50-ns, p99-ns, p99.9-ns) beside zap's JSON core alone
// (impl=zap). With -mutexprofile, it shows where log calls wait for each
// other.
func BenchmarkStorm(b *testing.B) {
	const goroutines = 16
	err := errors.New("connection refused")
	for _, c := range []struct {
		name   string
		logger func(b *testing.B) *zap.Logger
	}{
		{"zap", func(*testing.B) *zap.Logger { return zap.New(benchJSONCore()) }},
		{"zapoops", func(b *testing.B) *zap.Logger { return zap.New(stormCore(b)) }},
		// With zap.AddCaller, as zap.NewProduction has it: zap finds the
		// call site, and the core uses it instead of walking the stack.
		{"zap+caller", func(*testing.B) *zap.Logger { return zap.New(benchJSONCore(), zap.AddCaller()) }},
		{"zapoops+caller", func(b *testing.B) *zap.Logger { return zap.New(stormCore(b), zap.AddCaller()) }},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := c.logger(b)
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
						logger.Error("query failed", zap.Error(err), zap.String("table", "orders"))
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

// BenchmarkStormInterleaved is BenchmarkStorm with zap's JSON core alone and
// wrapped measured in one run, under the same load: each of the 16
// goroutines alternates between the two loggers (same encoder, same
// io.Discard sink), so that whatever else the machine does at the time
// (other processes, the collector) falls on both alike. It reports each
// one's percentiles (zap-p99.9-ns, zapoops-p99.9-ns, …) and the ratio of
// their 99.9th percentiles (p99.9-ratio, zapoops over zap).
func BenchmarkStormInterleaved(b *testing.B) {
	const goroutines = 16
	err := errors.New("connection refused")
	loggers := [2]*zap.Logger{zap.New(benchJSONCore()), zap.New(stormCore(b))}
	names := [2]string{"zap", "zapoops"}
	benchpair.Storm(b, goroutines, names, [2]func(){
		func() { loggers[0].Error("query failed", zap.Error(err), zap.String("table", "orders")) },
		func() { loggers[1].Error("query failed", zap.Error(err), zap.String("table", "orders")) },
	})
}
