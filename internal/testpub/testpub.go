// Package testpub is a publisher for the module's tests that keeps what it
// is given, and reads it back as a store would.
package testpub

import (
	"context"
	"slices"
	"sync"

	"github.com/oops-go/oops"
)

// A Collector is an oops.Publisher that keeps a copy of every report it is
// given and returns its id. It is safe for concurrent use; the zero
// Collector is ready to use.
type Collector struct {
	mu      sync.Mutex
	reports []*oops.Report
}

// Publish keeps a copy of r.
func (c *Collector) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reports = append(c.reports, r.Clone())
	return []string{r.ID}, nil
}

// All returns, as a store keeps them, the latest revision of each id, in the
// order the ids were first published.
func (c *Collector) All() []*oops.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*oops.Report
	at := map[string]int{}
	for _, r := range c.reports {
		if i, ok := at[r.ID]; ok {
			if r.Revision >= out[i].Revision {
				out[i] = r
			}
			continue
		}
		at[r.ID] = len(out)
		out = append(out, r)
	}
	return out
}

// Raw returns every publication, in order.
func (c *Collector) Raw() []*oops.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reports)
}

// A Holder is an oops.Publisher that keeps every report it is given itself,
// not a copy, as an oops.Async does until its worker has written it: a test
// can then see whether anything changed a report after it was published. It
// is safe for concurrent use; the zero Holder is ready to use.
type Holder struct {
	mu      sync.Mutex
	reports []*oops.Report
}

// Publish keeps r.
func (h *Holder) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reports = append(h.reports, r)
	return []string{r.ID}, nil
}

// Reports returns every report published, in order.
func (h *Holder) Reports() []*oops.Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.reports)
}
