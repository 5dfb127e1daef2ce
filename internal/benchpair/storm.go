package benchpair

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oops-go/oops/internal/benchcpu"
)

// Storm runs b.N calls from goroutines goroutines at once, each goroutine
// alternating between calls[0] (the bare logger, say) and calls[1] (the same
// wrapped), so that whatever else the machine does at the time falls on both
// alike. It reports each side's latency percentiles under its name
// (names[i]+"-p99.9-ns", …), the process's CPU per call (cpu-ns/op), and the
// ratio of the 99.9th percentiles, calls[1] over calls[0] (p99.9-ratio).
func Storm(b *testing.B, goroutines int, names [2]string, calls [2]func()) {
	b.Helper()
	each := max(b.N/goroutines, 2)
	var lat [2][][]time.Duration
	for i := range lat {
		lat[i] = make([][]time.Duration, goroutines)
		for g := range goroutines {
			lat[i][g] = make([]time.Duration, 0, each/2+1)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	stopCPU := benchcpu.Start(b)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				which := (i + g) % 2
				start := time.Now()
				calls[which]()
				lat[which][g] = append(lat[which][g], time.Since(start))
			}
		})
	}
	wg.Wait()
	stopCPU()
	b.StopTimer()
	var p999 [2]float64
	for i, name := range names {
		p999[i] = ReportPercentiles(b, name, slices.Concat(lat[i]...))
	}
	b.ReportMetric(p999[1]/p999[0], "p99.9-ratio")
}

// ReportPercentiles sorts lat and reports its 50th, 99th and 99.9th
// percentiles as prefix-p50-ns, prefix-p99-ns and prefix-p99.9-ns (p50-ns,
// … with no prefix), and returns the 99.9th.
func ReportPercentiles(b *testing.B, prefix string, lat []time.Duration) (p999 float64) {
	b.Helper()
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50-ns", 0.5}, {"p99-ns", 0.99}, {"p99.9-ns", 0.999}} {
		v := float64(lat[int(p.q*float64(len(lat)-1))])
		name := p.name
		if prefix != "" {
			name = prefix + "-" + name
		}
		b.ReportMetric(v, name)
		p999 = v
	}
	return p999
}
