package fleet

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/internal/testenv"
	"github.com/oops-go/oops/oopsamqp"
	"github.com/oops-go/oops/sqlstore"
)

var (
	publishers = flag.Int("fleet.publishers", 3, "publishing processes")
	reports    = flag.Int("fleet.reports", 3000, "reports each publisher sends as fast as it can (throughput phase)")
	rate       = flag.Int("fleet.rate", 500, "reports/s of the whole fleet in the latency phase")
	seconds    = flag.Float64("fleet.seconds", 10, "length of the latency phase")
)

// A store is what the receivers write to and the latency probe reads from.
type store interface {
	oops.Publisher
	Get(ctx context.Context, id string) (*oops.Report, error)
}

// openStore opens the fleet's store: sqlstore on the PostgreSQL of
// OOPS_TEST_POSTGRES_DSN, the store a fleet stands on, or a date directory
// when that is unset.
func openStore(ctx context.Context, t testing.TB) (store, string) {
	dsn := os.Getenv(testenv.PostgresDSN)
	if dsn == "" {
		t.Logf("fleet: %s is unset: storing into a date directory instead of PostgreSQL", testenv.PostgresDSN)
		return datedir.New(t.TempDir()), "datedir"
	}
	st, err := sqlstore.Open(ctx, "pgx", dsn, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, "postgres (sqlstore)"
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestMain says whether the fleet was skipped for lack of a broker.
func TestMain(m *testing.M) { testenv.Main(m) }

// TestFleet runs the fleet twice: every publisher as fast as it can
// (throughput), then the whole fleet at -fleet.rate reports/s (latency from
// Publish to found by id). It prints both.
func TestFleet(t *testing.T) {
	url := testenv.RequireAMQP(t)
	ctx := t.Context()
	st, kind := openStore(ctx, t)
	name := "oops-fleet-" + oops.NewID()[5:13]
	top := oopsamqp.Topology{Exchange: name, Queue: name}
	t.Cleanup(func() { deleteTopology(url, top) })

	var rcvs []*oopsamqp.Receiver
	rctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		r := oopsamqp.NewReceiver(url, st, &oopsamqp.ReceiverOptions{Topology: top, Logger: quiet})
		rcvs = append(rcvs, r)
		wg.Go(func() { _ = r.Run(rctx) })
	}
	t.Cleanup(func() { stop(); wg.Wait() })
	stored := func() (n uint64) {
		for _, r := range rcvs {
			n += r.Stats().Stored
		}
		return n
	}

	// Throughput: every publisher as fast as it can.
	total := *publishers * *reports
	start := time.Now()
	sent := runPublishers(t, url, top, *reports, 0, nil)
	published := time.Since(start)
	require.Equal(t, total, len(sent))
	waitUntil(t, 5*time.Minute, func() bool { return stored() >= uint64(total) })
	elapsed := time.Since(start)
	for _, id := range []string{sent[0], sent[len(sent)/2], sent[len(sent)-1]} {
		_, err := st.Get(ctx, id)
		require.NoError(t, err)
	}
	fmt.Printf("fleet: %d publishers, RabbitMQ, 2 receivers, store %s\n", *publishers, kind)
	fmt.Printf("fleet: throughput: %d reports confirmed in %.2fs (%.0f reports/s), stored in %.2fs (%.0f reports/s end to end)\n",
		total, published.Seconds(), float64(total)/published.Seconds(), elapsed.Seconds(), float64(total)/elapsed.Seconds())

	// Latency: the fleet at a fixed rate, each report looked up by id
	// until found.
	base := stored()
	perProc := float64(*rate) / float64(*publishers)
	n := int(perProc * *seconds)
	probe := newProbe(ctx, st)
	sent = runPublishers(t, url, top, n, perProc, probe.add)
	waitUntil(t, 5*time.Minute, func() bool { return stored() >= base+uint64(len(sent)) })
	lat := probe.wait(t, len(sent))
	slices.Sort(lat)
	fmt.Printf("fleet: latency at %d reports/s for %.0fs (%d reports): Publish to found by id: p50 %v, p99 %v, max %v\n",
		*rate, *seconds, len(lat), pct(lat, 50), pct(lat, 99), lat[len(lat)-1])
	var redelivered, rejected uint64
	for _, r := range rcvs {
		s := r.Stats()
		redelivered += s.Redelivered
		rejected += s.Rejected
	}
	fmt.Printf("fleet: receivers: %d redelivered, %d rejected\n", redelivered, rejected)
	require.Zero(t, rejected)
}

func pct(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100
	return d[max(0, min(i, len(d))-1)].Round(100 * time.Microsecond)
}

// runPublishers runs the publishing processes, each sending n reports (at
// perSec reports/s; as fast as it can when 0), and returns the ids they had
// confirmed. Each id is handed to seen, with the time its Publish began, as
// soon as the process says it published it.
func runPublishers(t *testing.T, url string, top oopsamqp.Topology, n int, perSec float64, seen func(id string, at time.Time)) []string {
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	for range *publishers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFleetPublisher$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			"OOPS_FLEET_PUBLISHER=1", "OOPS_FLEET_EXCHANGE="+top.Exchange, "OOPS_FLEET_QUEUE="+top.Queue,
			"OOPS_FLEET_N="+strconv.Itoa(n), "OOPS_FLEET_RATE="+strconv.FormatFloat(perSec, 'f', -1, 64))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		wg.Go(func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) != 3 || f[0] != "published" {
					continue
				}
				ns, _ := strconv.ParseInt(f[2], 10, 64)
				if seen != nil {
					seen(f[1], time.Unix(0, ns))
				}
				mu.Lock()
				ids = append(ids, f[1])
				mu.Unlock()
			}
			_ = cmd.Wait()
		})
	}
	wg.Wait()
	return ids
}

// TestFleetPublisher is one publishing process of TestFleet: it publishes
// OOPS_FLEET_N reports through oops.NewAsync and prints
// "published <id> <unix ns when Publish began>" for each one confirmed.
func TestFleetPublisher(t *testing.T) {
	if os.Getenv("OOPS_FLEET_PUBLISHER") == "" {
		t.Skip("a process of TestFleet")
	}
	n, _ := strconv.Atoi(os.Getenv("OOPS_FLEET_N"))
	perSec, _ := strconv.ParseFloat(os.Getenv("OOPS_FLEET_RATE"), 64)
	top := oopsamqp.Topology{Exchange: os.Getenv("OOPS_FLEET_EXCHANGE"), Queue: os.Getenv("OOPS_FLEET_QUEUE")}
	pub := oopsamqp.NewPublisher(os.Getenv("OOPS_TEST_AMQP_URL"), &oopsamqp.PublisherOptions{Topology: top, Logger: quiet})
	defer pub.Close()
	<-pub.Ready()
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	began := sync.Map{}
	// The line is written once the broker confirmed the report: then the
	// probe starts looking for it, with the time its Publish began.
	confirmed := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		ids, err := pub.Publish(ctx, r)
		if err == nil {
			at, _ := began.Load(r.ID)
			mu.Lock()
			fmt.Fprintf(w, "published %s %d\n", r.ID, at.(int64))
			if perSec > 0 {
				w.Flush()
			}
			mu.Unlock()
		}
		return ids, err
	})
	async := oops.NewAsync(confirmed, &oops.AsyncOptions{Workers: 32, QueueSize: max(n, 1)})
	host, _ := os.Hostname()
	start := time.Now()
	for i := range n {
		if perSec > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(float64(i) / perSec * float64(time.Second)))))
		}
		r := &oops.Report{
			ID: oops.NewID(), Type: "*net.OpError", Value: fmt.Sprintf("dial tcp 10.0.0.%d:5432: connection refused", i%250),
			Time: time.Now(), Hostname: host, Reporter: "fleet", Topic: "GET /orders/{id}",
			URL: fmt.Sprintf("https://shop.example/orders/%d", i), Duration: 0.02,
			Timeline: []oops.TimelineEntry{{Start: 0, End: 2 * time.Millisecond, Category: "SQL-main", Detail: "SELECT * FROM orders WHERE id = $1"}},
		}
		began.Store(r.ID, time.Now().UnixNano())
		if _, err := async.Publish(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	require.NoError(t, async.Close(context.Background()))
	mu.Lock()
	w.Flush()
	mu.Unlock()
}

// A probe looks each id up in the store until it is found, and records how
// long after its Publish began that was.
type probe struct {
	st   store
	ctx  context.Context
	mu   sync.Mutex
	new  map[string]time.Time
	lat  []time.Duration
	done chan struct{}
}

func newProbe(ctx context.Context, st store) *probe {
	p := &probe{st: st, ctx: ctx, new: map[string]time.Time{}, done: make(chan struct{})}
	go p.run()
	return p
}

func (p *probe) add(id string, at time.Time) {
	p.mu.Lock()
	p.new[id] = at
	p.mu.Unlock()
}

func (p *probe) run() {
	pending := map[string]time.Time{}
	for {
		select {
		case <-p.done:
			return
		case <-p.ctx.Done():
			return
		default:
		}
		p.mu.Lock()
		for id, at := range p.new {
			pending[id] = at
		}
		clear(p.new)
		p.mu.Unlock()
		for id, at := range pending {
			if _, err := p.st.Get(p.ctx, id); err == nil {
				d := time.Since(at)
				p.mu.Lock()
				p.lat = append(p.lat, d)
				p.mu.Unlock()
				delete(pending, id)
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// wait returns the latencies once n reports were found.
func (p *probe) wait(t *testing.T, n int) []time.Duration {
	defer close(p.done)
	waitUntil(t, 2*time.Minute, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.lat) >= n
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lat)
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not done after %v", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func deleteTopology(url string, top oopsamqp.Topology) {
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
}
