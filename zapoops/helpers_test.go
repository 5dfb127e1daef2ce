package zapoops_test

import (
	"context"
	"sync"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/zapoops"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// store is a publisher that keeps copies of what it is given.
type store struct {
	mu      sync.Mutex
	reports []*oops.Report
}

func (s *store) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reports = append(s.reports, r.Clone())
	return []string{r.ID}, nil
}

func (s *store) all() []*oops.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*oops.Report(nil), s.reports...)
}

func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reports)
}

// fixture is a logger whose core wraps an observer core at Info, reporting
// through a store, with a recorder of its own.
type fixture struct {
	logger *zap.Logger
	logs   *observer.ObservedLogs
	store  *store
	rec    *flight.Recorder
	cfg    *oops.Config
}

func newFixture(t *testing.T, opts *zapoops.Options, zapOpts ...zap.Option) *fixture {
	t.Helper()
	f := &fixture{store: &store{}}
	f.cfg = &oops.Config{Publisher: f.store}
	var o zapoops.Options
	if opts != nil {
		o = *opts
	}
	if o.Recorder == nil {
		o.Recorder = flight.New(nil)
	}
	f.rec = o.Recorder
	obs, logs := observer.New(zapcore.InfoLevel)
	f.logs = logs
	f.logger = zap.New(obs, zapOpts...).WithOptions(zapoops.WrapCore(f.cfg, &o))
	return f
}

// only returns the one report published, failing the test otherwise.
func (f *fixture) only(t *testing.T) *oops.Report {
	t.Helper()
	all := f.store.all()
	if len(all) != 1 {
		t.Fatalf("got %d reports, want 1", len(all))
	}
	return all[0]
}

func fieldString(e observer.LoggedEntry, key string) (string, bool) {
	for _, f := range e.Context {
		if f.Key == key && f.Type == zapcore.StringType {
			return f.String, true
		}
	}
	return "", false
}
