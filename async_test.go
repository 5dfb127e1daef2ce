package oops_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// gate is a publisher that blocks each publish until it is let through or
// its ctx is canceled, and tells when a publish has begun.
type gate struct {
	began   chan string   // receives r.ID when a publish begins
	release chan struct{} // each receive lets one publish finish
	mu      sync.Mutex
	done    []string
	ctxErrs []error
}

func newGate() *gate {
	return &gate{began: make(chan string, 100), release: make(chan struct{})}
}

func (g *gate) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	g.began <- r.ID
	select {
	case <-g.release:
		g.mu.Lock()
		defer g.mu.Unlock()
		g.done = append(g.done, r.ID)
		return []string{r.ID}, nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		g.ctxErrs = append(g.ctxErrs, ctx.Err())
		return nil, ctx.Err()
	}
}

func (g *gate) published() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.done...)
}

func report(id string) *oops.Report { return &oops.Report{ID: id} }

func TestAsyncPublishesInOrder(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var mu sync.Mutex
	var got []string
	a := oops.NewAsync(oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.ID)
		return []string{r.ID}, nil
	}), nil)
	for _, id := range []string{"a", "b", "c"} {
		ids, err := a.Publish(context.Background(), report(id))
		require.NoError(t, err)
		assert.Equal(t, []string{id}, ids, "the report's own id, at once")
	}
	require.NoError(t, a.Flush(context.Background()))
	mu.Lock()
	assert.Equal(t, []string{"a", "b", "c"}, got, "Flush waited for all three")
	mu.Unlock()
	assert.Equal(t, oops.AsyncStats{Queued: 3, Published: 3}, a.Stats())
	require.NoError(t, a.Close(context.Background()))
}

func TestAsyncNeverBlocksCaller(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	g := newGate() // never released: blocks until Close cancels it
	a := oops.NewAsync(g, &oops.AsyncOptions{QueueSize: 2})
	_, err := a.Publish(context.Background(), report("in-flight"))
	require.NoError(t, err)
	require.Equal(t, "in-flight", <-g.began)
	for _, id := range []string{"q1", "q2"} {
		_, err := a.Publish(context.Background(), report(id))
		require.NoError(t, err)
	}

	// The queue is full and the publisher is stuck: Publish must return at
	// once. It runs in a goroutine so that a regression fails the test
	// instead of hanging it.
	res := make(chan error, 1)
	go func() {
		ids, err := a.Publish(context.Background(), report("overflow"))
		assert.Nil(t, ids)
		res <- err
	}()
	select {
	case err := <-res:
		assert.ErrorIs(t, err, oops.ErrQueueFull)
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a full queue")
	}
	_, err = a.Publish(context.Background(), report("overflow2"))
	assert.ErrorIs(t, err, oops.ErrQueueFull)
	assert.Equal(t, oops.AsyncStats{Queued: 3, DroppedFull: 2}, a.Stats())

	// Flush cannot finish while the publisher is stuck; it gives up with ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, a.Flush(ctx), context.DeadlineExceeded)

	// Close with an expired ctx cancels the in-flight publish and drops
	// what is still queued.
	expired, cancel2 := context.WithCancel(context.Background())
	cancel2()
	err = a.Close(expired)
	assert.ErrorIs(t, err, context.Canceled)
	var ab *oops.AbandonedError
	require.ErrorAs(t, err, &ab)
	assert.Equal(t, 3, ab.Abandoned, "one in flight, two queued")
	// Close did not wait for the worker; Flush does.
	require.NoError(t, a.Flush(context.Background()))
	assert.Equal(t, []error{context.Canceled}, g.ctxErrs, "the in-flight publish saw its ctx canceled")
	assert.Empty(t, g.published())
	assert.Equal(t, oops.AsyncStats{Queued: 3, DroppedFull: 2, DroppedClosed: 3}, a.Stats())

	_, err = a.Publish(context.Background(), report("late"))
	assert.ErrorIs(t, err, oops.ErrClosed)
	assert.Equal(t, uint64(4), a.Stats().DroppedClosed)
	assert.NoError(t, a.Close(context.Background()), "Close is idempotent")
	assert.NoError(t, a.Flush(context.Background()), "nothing left to flush")
}

func TestAsyncCountsErrors(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	boom := errors.New("store down")
	var failed []string
	var mu sync.Mutex
	a := oops.NewAsync(oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		if r.ID == "bad" {
			return nil, boom
		}
		return []string{r.ID}, nil
	}), &oops.AsyncOptions{OnError: func(r *oops.Report, err error) {
		mu.Lock()
		defer mu.Unlock()
		assert.ErrorIs(t, err, boom)
		failed = append(failed, r.ID)
	}})
	for _, id := range []string{"ok", "bad", "ok2", "bad"} {
		_, err := a.Publish(context.Background(), report(id))
		require.NoError(t, err)
	}
	require.NoError(t, a.Close(context.Background()), "Close drains the queue")
	assert.Equal(t, oops.AsyncStats{Queued: 4, Published: 2, DroppedError: 2}, a.Stats())
	assert.Equal(t, []string{"bad", "bad"}, failed)
}

func TestAsyncCloseDrains(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	g := newGate()
	a := oops.NewAsync(g, &oops.AsyncOptions{QueueSize: 10})
	for _, id := range []string{"a", "b", "c"} {
		_, err := a.Publish(context.Background(), report(id))
		require.NoError(t, err)
	}
	closed := make(chan error, 1)
	go func() { closed <- a.Close(context.Background()) }()
	for range 3 {
		<-g.began
		select {
		case <-closed:
			t.Fatal("Close returned before the queue was drained")
		default:
		}
		g.release <- struct{}{}
	}
	assert.NoError(t, <-closed)
	assert.Equal(t, []string{"a", "b", "c"}, g.published())
	assert.Equal(t, oops.AsyncStats{Queued: 3, Published: 3}, a.Stats())
}

func TestAsyncFlushWaits(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	g := newGate()
	a := oops.NewAsync(g, nil)
	assert.NoError(t, a.Flush(context.Background()), "nothing queued")
	_, err := a.Publish(context.Background(), report("a"))
	require.NoError(t, err)
	_, err = a.Publish(context.Background(), report("b"))
	require.NoError(t, err)
	flushed := make(chan error, 1)
	go func() { flushed <- a.Flush(context.Background()) }()
	<-g.began
	g.release <- struct{}{}
	<-g.began
	select {
	case <-flushed:
		t.Fatal("Flush returned with a report still being published")
	default:
	}
	g.release <- struct{}{}
	assert.NoError(t, <-flushed)
	assert.Equal(t, []string{"a", "b"}, g.published())
	require.NoError(t, a.Close(context.Background()))
}

func TestAsyncConcurrentPublishAndClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var n atomic.Uint64
	a := oops.NewAsync(oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) {
		n.Add(1)
		return nil, nil
	}), &oops.AsyncOptions{QueueSize: 16})
	var wg sync.WaitGroup
	var attempts atomic.Uint64
	for range 8 {
		wg.Go(func() {
			for range 500 {
				attempts.Add(1)
				_, err := a.Publish(context.Background(), report("x"))
				if err != nil && !errors.Is(err, oops.ErrQueueFull) && !errors.Is(err, oops.ErrClosed) {
					t.Errorf("unexpected error %v", err)
				}
			}
		})
	}
	time.Sleep(time.Millisecond)
	require.NoError(t, a.Close(context.Background()))
	wg.Wait()
	s := a.Stats()
	assert.Equal(t, attempts.Load(), s.Queued+s.DroppedFull+s.DroppedClosed, "every report is accounted for")
	assert.Equal(t, s.Queued, s.Published)
	assert.Equal(t, n.Load(), s.Published)
}

func TestAsyncInConfig(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	store := &collector{}
	a := oops.NewAsync(store, nil)
	cfg := &oops.Config{Publisher: a}
	r := cfg.Create(context.Background(), oops.Event{Err: errors.New("x")})
	id := r.ID
	ids, err := cfg.Publish(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{id}, ids)
	require.NoError(t, a.Close(context.Background()))
	require.Len(t, store.got, 1)
	assert.Equal(t, id, store.got[0].ID)
}

// TestAsyncSurvivesPanickingPublisher: a publisher that panics is a failure
// of its own kind, handed to OnError; the worker goes on serving.
func TestAsyncSurvivesPanickingPublisher(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var mu sync.Mutex
	var failed []error
	a := oops.NewAsync(oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		if r.ID == "bad" {
			panic("store exploded")
		}
		return []string{r.ID}, nil
	}), &oops.AsyncOptions{OnError: func(r *oops.Report, err error) {
		mu.Lock()
		defer mu.Unlock()
		failed = append(failed, err)
		if r.ID == "bad" {
			panic("so did OnError")
		}
	}})
	for _, id := range []string{"a", "bad", "b"} {
		_, err := a.Publish(context.Background(), report(id))
		require.NoError(t, err)
	}
	require.NoError(t, a.Flush(context.Background()))
	assert.Equal(t, oops.AsyncStats{Queued: 3, Published: 2, DroppedPanic: 1}, a.Stats())
	mu.Lock()
	require.Len(t, failed, 1)
	assert.ErrorIs(t, failed[0], oops.ErrPublisherPanicked)
	assert.Contains(t, failed[0].Error(), "store exploded")
	mu.Unlock()
	_, err := a.Publish(context.Background(), report("c"))
	require.NoError(t, err, "still serving")
	require.NoError(t, a.Close(context.Background()))
	assert.Equal(t, uint64(3), a.Stats().Published)
}

// TestAsyncCloseKeepsItsDeadline: an inner publisher stuck on I/O that
// ignores its context does not hold Close past ctx's deadline.
func TestAsyncCloseKeepsItsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		unstick := make(chan struct{})
		began := make(chan struct{}, 1)
		a := oops.NewAsync(oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) {
			began <- struct{}{}
			<-unstick // a stuck store: the context is not consulted
			return nil, errors.New("too late")
		}), nil)
		for _, id := range []string{"stuck", "queued"} {
			_, err := a.Publish(context.Background(), report(id))
			require.NoError(t, err)
		}
		<-began
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := a.Close(ctx)
		assert.Equal(t, 200*time.Millisecond, time.Since(start), "Close returned at the deadline")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var ab *oops.AbandonedError
		require.ErrorAs(t, err, &ab)
		assert.Equal(t, 2, ab.Abandoned)
		assert.Contains(t, err.Error(), "2 reports abandoned")

		close(unstick)
		require.NoError(t, a.Flush(context.Background()))
		assert.Equal(t, oops.AsyncStats{Queued: 2, DroppedClosed: 2}, a.Stats())
	})
}
