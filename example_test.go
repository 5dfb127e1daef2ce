package oops_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/timeline"
)

func Example() {
	// A store that prints what it is given (a real one writes to disk).
	store := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		fmt.Println("type:    ", r.Type)
		fmt.Println("value:   ", r.Value)
		fmt.Println("reporter:", r.Reporter)
		for _, e := range r.Timeline {
			fmt.Printf("timeline: %s %q %q\n", e.Category, e.Detail, e.Error)
		}
		return []string{r.ID}, nil
	})
	cfg := &oops.Config{
		Template:  oops.Report{Reporter: "billing-1"},
		Publisher: store,
	}

	// The request's timeline records what ran before the failure.
	ctx := timeline.NewContext(context.Background(), timeline.New())
	tl := timeline.FromContext(ctx)
	tl.Start("SQL-main", "SELECT id FROM invoices WHERE id = $1").Finish()
	tl.Start("SQL-main", "SELECT * FROM customers").FinishErr(errors.New("relation does not exist"))

	_, err := os.Open("/nonexistent/invoice.pdf")
	r := cfg.Create(ctx, oops.Event{Err: fmt.Errorf("rendering invoice: %w", err)})
	ids, err := cfg.Publish(ctx, r)
	fmt.Println(err, len(ids) == 1 && ids[0] == r.ID, oops.ValidID(r.ID))
	// Output:
	// type:     *fs.PathError
	// value:    rendering invoice: open /nonexistent/invoice.pdf: no such file or directory
	// reporter: billing-1
	// timeline: SQL-main "SELECT id FROM invoices WHERE id = $1" ""
	// timeline: SQL-main "SELECT * FROM customers" "relation does not exist"
	// <nil> true true
}

func ExampleReport_MarshalJSON() {
	r := oops.Report{
		ID:       "OOPS-3f2a0000000000000000000000000001",
		Type:     "*fs.PathError",
		Value:    "open /x: no such file or directory",
		Time:     time.Date(2026, 11, 21, 23, 50, 0, 0, time.UTC),
		ReqVars:  map[string]string{"Cookie": "<hidden>"},
		Timeline: []oops.TimelineEntry{{Start: 0, End: 3 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"}},
		Duration: -1,
		Extra:    map[string]any{"region": "eu-west-1"},
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	// Output:
	// {"id":"OOPS-3f2a0000000000000000000000000001","type":"*fs.PathError","value":"open /x: no such file or directory","time":"2026-11-21T23:50:00Z","req_vars":{"Cookie":"\u003chidden\u003e"},"timeline":[[0,3,"SQL-main","SELECT 1",null]],"duration":-1,"region":"eu-west-1"}
}

func ExampleConfig_Publish_filtered() {
	cfg := &oops.Config{
		// Drop reports about requests the client gave up on.
		Filters: []oops.Filter{func(_ context.Context, r *oops.Report) bool {
			return r.Value == context.Canceled.Error()
		}},
		Publisher: oops.Discard,
	}
	r := cfg.Create(context.Background(), oops.Event{Err: context.Canceled})
	_, err := cfg.Publish(context.Background(), r)
	fmt.Println(errors.Is(err, oops.ErrFiltered))

	r = cfg.Create(context.Background(), oops.Event{Err: errors.New("real trouble")})
	ids, err := cfg.Publish(context.Background(), r)
	fmt.Println(len(ids), err) // published nowhere: Discard keeps nothing
	// Output:
	// true
	// 0 <nil>
}

func ExampleWithFallback() {
	down := oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) {
		return nil, errors.New("primary store down")
	})
	spool := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		return []string{r.ID}, nil
	})
	p := oops.WithFallback(down, spool)
	ids, err := p.Publish(context.Background(), &oops.Report{ID: "OOPS-00000000000000000000000000000001"})
	fmt.Println(ids, err)
	// Output:
	// [OOPS-00000000000000000000000000000001] <nil>
}

func ExampleNewAsync() {
	slow := oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
		return []string{r.ID}, nil // a network store, say
	})
	a := oops.NewAsync(slow, &oops.AsyncOptions{QueueSize: 100})
	cfg := &oops.Config{Publisher: a}
	for range 3 {
		r := cfg.Create(context.Background(), oops.Event{Level: "ERROR", Msg: "payment failed"})
		cfg.Publish(context.Background(), r) // returns at once
	}
	// At shutdown: publish what is queued, then stop.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println(a.Close(ctx))
	fmt.Printf("%+v\n", a.Stats())
	// Output:
	// <nil>
	// {Queued:3 Published:3 DroppedFull:0 DroppedError:0 DroppedPanic:0 DroppedClosed:0 Superseded:0}
}

// Trim makes a report fit a store's size limit by cutting its largest values,
// marking each cut.
func ExampleTrim() {
	r := &oops.Report{ID: "OOPS-1", Value: "upload failed", Attrs: map[string]any{
		"body": strings.Repeat("x", 100_000),
		"user": "ann",
	}}
	before, _ := json.Marshal(r)
	small := oops.Trim(r, len(before)-20_000)
	after, _ := json.Marshal(small)
	fmt.Println(len(before) > 100_000, len(after) <= 20_000)
	body := small.Attrs["body"].(string)
	fmt.Println(body[len(body)-20:], small.Attrs["user"])
	fmt.Println(small.Extra[oops.CutKey])
	// Output:
	// true true
	// …[cut 80202 bytes] ann
	// map[attrs.body:80202]
}
