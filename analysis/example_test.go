package analysis_test

import (
	"fmt"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/analysis"
)

// A request that loads a list and then queries once per row.
func Example() {
	ms := time.Millisecond
	tl := []oops.TimelineEntry{{Start: 0, End: 4 * ms, Category: "SQL-main", Detail: "SELECT id FROM orders WHERE customer = 'ann'"}}
	for i := range 6 {
		start := time.Duration(5+3*i) * ms
		tl = append(tl, oops.TimelineEntry{Start: start, End: start + 2*ms, Category: "SQL-main",
			Detail: fmt.Sprintf("SELECT * FROM lines WHERE order_id = %d", i+1)})
	}
	r := &oops.Report{Duration: 0.030, Timeline: tl}

	a := analysis.Of(r, nil)
	fmt.Println("total", a.Total, "sql", a.SQL, "other", a.Other, "statements", a.Statements)
	for _, n := range a.NPlusOne {
		fmt.Printf("N+1: %d × %q after #%d, %v\n", n.Count, n.Normalized, n.Source, n.Total)
	}
	for _, rp := range a.Repeated {
		fmt.Printf("repeated: %d × %q, mean %v, one query would save %v\n", rp.Count, rp.Normalized, rp.Mean, rp.Saved)
	}
	fmt.Println(analysis.Classify(analysis.Facts{Type: "ERROR", Status: 404}))
	// Output:
	// total 30ms sql 16ms other 14ms statements 7
	// N+1: 6 × "SELECT * FROM lines WHERE order_id = ?" after #0, 12ms
	// repeated: 6 × "SELECT * FROM lines WHERE order_id = ?", mean 2ms, one query would save 10ms
	// not found
}
