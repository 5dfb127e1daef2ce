package oops_test

import (
	"context"
	"sync"
	"testing"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAsyncWorkersPublishConcurrently holds every publish until Workers of
// them have begun at once: with fewer goroutines it would never let go.
func TestAsyncWorkersPublishConcurrently(t *testing.T) {
	const workers = 4
	var mu sync.Mutex
	var inFlight, most int
	all := make(chan struct{})
	var release sync.Once
	pub := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		if inFlight == workers {
			release.Do(func() { close(all) })
		}
		mu.Unlock()
		<-all
		mu.Lock()
		inFlight--
		mu.Unlock()
		return []string{r.ID}, nil
	})
	a := oops.NewAsync(pub, &oops.AsyncOptions{Workers: workers})
	for range 3 * workers {
		_, err := a.Publish(t.Context(), &oops.Report{ID: oops.NewID()})
		require.NoError(t, err)
	}
	require.NoError(t, a.Close(t.Context()))
	assert.Equal(t, workers, most)
	assert.Equal(t, uint64(3*workers), a.Stats().Published)
}
