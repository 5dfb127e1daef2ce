package oopsamqp_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// distinct is a store that counts the publishes of each id.
type distinct struct {
	mu    sync.Mutex
	seen  map[string]int
	inner oops.Publisher
}

func newDistinct(inner oops.Publisher) *distinct {
	return &distinct{seen: map[string]int{}, inner: inner}
}

func (d *distinct) Publish(ctx context.Context, r *oops.Report) ([]string, error) {
	ids, err := d.inner.Publish(ctx, r)
	if err == nil {
		d.mu.Lock()
		d.seen[r.ID]++
		d.mu.Unlock()
	}
	return ids, err
}

func (d *distinct) counts() (ids, twice int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range d.seen {
		if n > 1 {
			twice++
		}
	}
	return len(d.seen), twice
}

// TestBrokerRestartMidStream stops the broker in the middle of a stream of
// 10,000 reports and starts it again: every report ends in the store once,
// through the spool for those published while it was down.
func TestBrokerRestartMidStream(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 reports and a broker restart: not in -short")
	}
	url := brokerURL(t)
	brokerCtl(t)
	t.Cleanup(func() { _ = exec.Command(brokerCtl(t), "start_app").Run() })
	const total = 10_000
	top := topology(t)
	declare(t, top)
	fast := oopsamqp.PublisherOptions{Topology: top, MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}

	repo := datedir.New(t.TempDir())
	store := newDistinct(repo)
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{
		Topology: top, Logger: quiet, MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond})
	runReceiver(t, rcv)

	pub := newPublisher(t, url, fast)
	spool := datedir.New(t.TempDir())
	async := oops.NewAsync(oops.WithFallback(pub, spool), &oops.AsyncOptions{Workers: 32, QueueSize: total})
	fwd := oopsamqp.NewForwarder(spool, pub, &oopsamqp.ForwarderOptions{Interval: 100 * time.Millisecond, Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	fwdDone := make(chan error, 1)
	go func() { fwdDone <- fwd.Run(ctx) }()
	defer func() {
		cancel()
		require.NoError(t, <-fwdDone)
	}()

	for i := range total {
		switch i {
		case total * 3 / 10:
			ctl(t, "stop_app")
		case total * 6 / 10:
			ctl(t, "start_app")
		}
		_, err := async.Publish(t.Context(), report(i))
		require.NoError(t, err)
	}
	require.NoError(t, async.Close(t.Context()))
	as := async.Stats()
	require.Equal(t, uint64(total), as.Published, "%+v", as)

	waitFor(t, 2*time.Minute, "every report stored", func() bool {
		n, _ := store.counts()
		return n == total
	})
	waitFor(t, time.Minute, "the spool drained", func() bool { return count(t, spool) == 0 })
	assert.Equal(t, total, count(t, repo), "each report is one file in the store")
	_, twice := store.counts()
	ps, fs, rs := pub.Stats(), fwd.Stats(), rcv.Stats()
	t.Logf("publisher %+v; forwarder %+v; receiver %+v; stored twice (same id, one file): %d", ps, fs, rs, twice)
	assert.NotZero(t, fs.Forwarded, "reports went through the spool")
	assert.GreaterOrEqual(t, ps.Connects, uint64(2), "the publisher reconnected")
	assert.GreaterOrEqual(t, rs.Connects, uint64(2), "the receiver reconnected")
}

// The receiver process of TestReceiverKilled: it stores into the directory
// OOPS_TEST_RECEIVER_DIR and, after 20 reports, stops before acknowledging
// any more (it writes the report, then hangs) until it is killed.
func TestReceiverProcess(t *testing.T) {
	dir := os.Getenv("OOPS_TEST_RECEIVER_DIR")
	if dir == "" {
		t.Skip("run by TestReceiverKilled")
	}
	repo := datedir.New(dir)
	var mu sync.Mutex
	n := 0
	store := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		ids, err := repo.Publish(ctx, r)
		mu.Lock()
		n++
		hang := n > 20
		mu.Unlock()
		if hang {
			fmt.Println("hanging")
			select {}
		}
		return ids, err
	})
	top := oopsamqp.Topology{Exchange: os.Getenv("OOPS_TEST_RECEIVER_QUEUE"), Queue: os.Getenv("OOPS_TEST_RECEIVER_QUEUE")}
	rcv := oopsamqp.NewReceiver(brokerURL(t), store, &oopsamqp.ReceiverOptions{Topology: top, Prefetch: 10, Workers: 4, Logger: quiet})
	_ = rcv.Run(context.Background())
}

// TestReceiverKilled kills a receiver process holding unacknowledged
// reports, some of them already stored: the broker redelivers them to the
// other receiver, and every report is in the store once.
func TestReceiverKilled(t *testing.T) {
	url := brokerURL(t)
	const total = 300
	top := topology(t)
	declare(t, top)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	async := oops.NewAsync(pub, &oops.AsyncOptions{Workers: 16})
	for i := range total {
		_, err := async.Publish(t.Context(), report(i))
		require.NoError(t, err)
	}
	require.NoError(t, async.Close(t.Context()))
	require.Equal(t, uint64(total), async.Stats().Published)

	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestReceiverProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OOPS_TEST_RECEIVER_DIR="+dir, "OOPS_TEST_RECEIVER_QUEUE="+top.Queue)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// The child says "hanging" once a worker holds a stored, unacknowledged
	// report; its other workers hang as they reach theirs.
	buf := make([]byte, 7)
	_, err = out.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "hanging", string(buf))
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	repo := datedir.New(dir)
	before := count(t, repo)
	require.Greater(t, before, 20)
	store := newDistinct(repo)
	rcv := oopsamqp.NewReceiver(url, store, &oopsamqp.ReceiverOptions{Topology: top, Logger: quiet})
	runReceiver(t, rcv)
	waitFor(t, 30*time.Second, "the queue drained", func() bool {
		return int(rcv.Stats().Stored) >= total-20 && count(t, repo) == total
	})
	assert.Equal(t, total, count(t, repo), "every report stored, once")
	s := rcv.Stats()
	assert.NotZero(t, s.Redelivered, "the killed receiver's reports came again")
	// The killed receiver acknowledged at most 20: an acknowledgement still
	// on its way when it was killed is lost, and that report comes again.
	assert.GreaterOrEqual(t, s.Stored, uint64(total-20), "all but what the killed one acknowledged")
	assert.LessOrEqual(t, s.Stored, uint64(total))
	t.Logf("killed receiver left %d files; the other stored %d, %d of them redelivered", before, s.Stored, s.Redelivered)
}

// TestBrokerBlocked raises a memory alarm on the broker, which then blocks
// publishing connections: Publish returns within its context, then fails at
// once while the broker says it is blocked, and publishes again once the
// alarm is cleared. Nothing waits on amqp091-go's notifications.
func TestBrokerBlocked(t *testing.T) {
	url := brokerURL(t)
	brokerCtl(t)
	t.Cleanup(func() { _ = exec.Command(brokerCtl(t), "set_vm_memory_high_watermark", "0.4").Run() })
	top := topology(t)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	spool := datedir.New(t.TempDir())
	pubs := oops.WithFallback(pub, spool)
	_, err := pub.Publish(t.Context(), report(0))
	require.NoError(t, err)

	ctl(t, "set_vm_memory_high_watermark", "0")
	var tookSpool int
	waitFor(t, 30*time.Second, "publishing refused at once", func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := pub.Publish(ctx, report(1))
		require.Less(t, time.Since(start), 3*time.Second, "Publish waited past its context")
		if err == nil {
			// The broker raises the alarm at its next memory check.
			return false
		}
		ids, err := pubs.Publish(ctx, report(2))
		require.NoError(t, err)
		require.Len(t, ids, 1)
		tookSpool++
		return pub.Stats().Unavailable > 0
	})
	start := time.Now()
	_, err = pub.Publish(t.Context(), report(3))
	require.ErrorIs(t, err, oopsamqp.ErrUnavailable)
	assert.Less(t, time.Since(start), 100*time.Millisecond)

	ctl(t, "set_vm_memory_high_watermark", "0.4")
	waitFor(t, 30*time.Second, "publishing again", func() bool {
		_, err := pub.Publish(t.Context(), report(4))
		return err == nil
	})
	assert.Equal(t, tookSpool, count(t, spool), "the spool took what the broker could not")
}
