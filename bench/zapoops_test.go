package bench

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/TheZeroSlave/zapsentry"
	"github.com/getsentry/sentry-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/zapoops"
)

func zapJSONCore() zapcore.Core {
	return zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel)
}

// zapSentryCore is zapsentry's core reporting at Warn and above through a
// Sentry client whose transport sends nothing.
func zapSentryCore(b *testing.B, stacks bool) zapcore.Core {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:              "https://public@sentry.invalid/1",
		Transport:        discardTransport{},
		AttachStacktrace: stacks,
	})
	if err != nil {
		b.Fatal(err)
	}
	core, err := zapsentry.NewCore(zapsentry.Configuration{Level: zapcore.WarnLevel, Hub: sentry.NewHub(client, sentry.NewScope())},
		zapsentry.NewSentryClientFromClient(client))
	if err != nil {
		b.Fatal(err)
	}
	return core
}

// loopCPU runs f b.N times and reports, beside sec/op, cpu-ns/op: the
// process's CPU time per op (see package benchcpu). On a shared, loaded
// machine wall time mostly measures waiting for a core; CPU time measures
// the work.
func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	stopCPU := benchcpu.Start(b)
	for b.Loop() {
		f()
	}
	stopCPU()
}

// BenchmarkZapErrorEntry logs one Error entry with an error and two more
// fields through: zap's JSON core alone (impl=zap); zapoops wrapping it,
// making a report with the stack and putting it on an oops.Async queue in
// front of a store that keeps nothing (rate limit off, so every entry makes a
// report); zapsentry beside it in a Tee, with a Sentry client whose
// transport sends nothing (stacks on, as zapoops captures them).
func BenchmarkZapErrorEntry(b *testing.B) {
	err := errors.New("connection refused")
	async := oops.NewAsync(oops.Discard, &oops.AsyncOptions{QueueSize: 1 << 16})
	b.Cleanup(func() { _ = async.Close(context.Background()) })
	oopsCore := zapoops.Wrap(zapJSONCore(), &oops.Config{Publisher: async},
		&zapoops.Options{Recorder: flight.New(&flight.Options{NoRateLimit: true})})

	for _, c := range []struct {
		name string
		core zapcore.Core
	}{
		{"zap", zapJSONCore()},
		{"zapoops", oopsCore},
		{"zapsentry", zapcore.NewTee(zapJSONCore(), zapSentryCore(b, true))},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := zap.New(c.core)
			loopCPU(b, func() {
				logger.Error("query failed", zap.Error(err), zap.String("table", "orders"), zap.Int("attempt", 3))
			})
		})
	}
	if s := async.Stats(); s.DroppedFull > 0 {
		b.Logf("async queue dropped %d reports", s.DroppedFull)
	}
}

// BenchmarkZapInfoEntry logs an Info entry (below the report level) with
// three fields the same ways; zapoops keeps it in the flight recorder's ring
// as well (impl=zapoops), or only passes it on (impl=zapoops-norecording).
func BenchmarkZapInfoEntry(b *testing.B) {
	for _, c := range []struct {
		name string
		core zapcore.Core
	}{
		// The recording run goes last: the garbage its copies leave behind
		// would otherwise be collected during the runs after it.
		{"zap", zapJSONCore()},
		{"zapoops-norecording", zapoops.Wrap(zapJSONCore(), &oops.Config{Publisher: oops.Discard},
			&zapoops.Options{Recorder: flight.New(nil), NoRecording: true})},
		{"zapsentry", zapcore.NewTee(zapJSONCore(), zapSentryCore(b, false))},
		{"zapoops", zapoops.Wrap(zapJSONCore(), &oops.Config{Publisher: oops.Discard},
			&zapoops.Options{Recorder: flight.New(nil)})},
	} {
		b.Run("impl="+c.name, func(b *testing.B) {
			logger := zap.New(c.core)
			loopCPU(b, func() {
				logger.Info("cache miss", zap.String("key", "user:42"), zap.Int("n", 3), zap.Bool("hit", false))
			})
		})
	}
}
