package oopsamqp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/internal/testenv"
	"github.com/oops-go/oops/oopsamqp"
)

// brokerURL returns the test broker's URL or skips the test.
func brokerURL(t testing.TB) string {
	t.Helper()
	return testenv.RequireAMQP(t)
}

// brokerCtl returns the rabbitmqctl of the test broker or skips the test.
func brokerCtl(t testing.TB) string {
	t.Helper()
	brokerURL(t)
	return testenv.Require(t, testenv.AMQPCtl)
}

// ctl runs the test broker's rabbitmqctl.
func ctl(t testing.TB, args ...string) {
	t.Helper()
	out, err := exec.Command(brokerCtl(t), args...).CombinedOutput()
	require.NoError(t, err, "rabbitmqctl %s: %s", strings.Join(args, " "), out)
}

// topology returns a topology of names no other test uses, removed at the
// end of the test.
func topology(t testing.TB) oopsamqp.Topology {
	t.Helper()
	name := "oops-test-" + strings.ToLower(strings.NewReplacer("/", "-", "#", "-").Replace(t.Name())) + "-" + oops.NewID()[5:13]
	top := oopsamqp.Topology{Exchange: name, Queue: name}
	url := brokerURL(t)
	t.Cleanup(func() {
		conn, err := amqp.Dial(url)
		if err != nil {
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			return
		}
		_, _ = ch.QueueDelete(top.Queue, false, false, false)
		_ = ch.ExchangeDelete(top.Exchange, false, false)
		if top.DeadLetterQueue != "" {
			_, _ = ch.QueueDelete(top.DeadLetterQueue, false, false, false)
		}
	})
	return top
}

// channel opens a raw channel on the test broker, closed at the end of the
// test.
func channel(t testing.TB) *amqp.Channel {
	t.Helper()
	conn, err := amqp.Dial(brokerURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	require.NoError(t, err)
	return ch
}

// quiet is a logger that writes nowhere, for tests that provoke warnings.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// report returns a report with a fresh id and some of every kind of field.
func report(i int) *oops.Report {
	bt := "main.handler(...)\n\t/srv/main.go:42\n"
	return &oops.Report{
		ID:       oops.NewID(),
		Type:     "*fs.PathError",
		Value:    fmt.Sprintf("open /data/%d: no such file or directory", i),
		TBText:   "goroutine 1 [running]:\nmain.main()\n\t/srv/main.go:10\n",
		Time:     time.Now().UTC().Truncate(time.Millisecond),
		Hostname: "web-1",
		Reporter: "shop",
		Topic:    "GET /items/{id}",
		URL:      fmt.Sprintf("https://shop.example/items/%d", i),
		ReqVars:  map[string]string{"HTTP_COOKIE": "<hidden>", "REQUEST_METHOD": "GET"},
		Timeline: []oops.TimelineEntry{
			{Start: 0, End: 3 * time.Millisecond, Category: "SQL-main", Detail: "SELECT * FROM items WHERE id = $1", Backtrace: &bt},
			{Start: 4 * time.Millisecond, End: 9 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"},
		},
		Duration: 0.012,
		Level:    "ERROR",
		Attrs:    map[string]any{"item": int64(i)},
	}
}

// waitFor polls cond until it holds or the deadline passes. The broker is a
// real server in another process: there is no fake clock to advance.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// count returns how many reports repo holds, and fails on unreadable ones.
func count(t testing.TB, repo *datedir.Repo) int {
	t.Helper()
	n := 0
	for _, err := range repo.Walk(context.Background(), time.Time{}, time.Time{}) {
		require.NoError(t, err)
		n++
	}
	return n
}

// runReceiver runs rcv until the end of the test.
func runReceiver(t testing.TB, rcv *oopsamqp.Receiver) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rcv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// newPublisher returns a Publisher closed at the end of the test.
func newPublisher(t testing.TB, url string, opts oopsamqp.PublisherOptions) *oopsamqp.Publisher {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	p := oopsamqp.NewPublisher(url, &opts)
	t.Cleanup(func() { p.Close() })
	return p
}

// lockedWriter serializes writes to a buffer read after the writers stop.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// syncLogger logs text to w, safely from many goroutines.
func syncLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{w: w}, nil))
}
