package analysis_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/analysis"
	"github.com/oops-go/oops/internal/benchcpu"
)

// timeline1000 is a request of 1,000 statements: a list query and a
// per-row loop every 20 statements, some other statements, and log records.
// With literals inline, every text differs and each is normalised.
func timeline1000(inline bool) *oops.Report {
	tl := make([]oops.TimelineEntry, 0, 1000)
	at := time.Duration(0)
	for i := range 1000 {
		var detail, cat string
		switch {
		case i%50 == 49:
			cat, detail = "log-INFO", "loaded page"
		case i%20 == 0:
			cat, detail = "SQL-main", "SELECT id, name FROM orders WHERE customer_id = $1 ORDER BY id LIMIT 50"
		case i%20 < 15:
			cat, detail = "SQL-main", "SELECT * FROM order_lines WHERE order_id = $1"
			if inline {
				detail = fmt.Sprintf("SELECT * FROM order_lines WHERE order_id = %d", i)
			}
		default:
			cat, detail = "SQL-main", fmt.Sprintf("UPDATE stock SET n = n - 1 WHERE item IN ($1, $2, $3) /* %d */", i%3)
		}
		d := time.Duration(100+i%7*30) * time.Microsecond
		tl = append(tl, oops.TimelineEntry{Start: at, End: at + d, Category: cat, Detail: detail})
		at += d + 20*time.Microsecond
	}
	return &oops.Report{ID: oops.NewID(), Duration: -1, Timeline: tl}
}

func BenchmarkOf1000(b *testing.B) {
	for _, inline := range []bool{false, true} {
		b.Run(fmt.Sprintf("inline=%v", inline), func(b *testing.B) {
			r := timeline1000(inline)
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			for b.Loop() {
				a := analysis.Of(r, nil)
				if len(a.NPlusOne) == 0 {
					b.Fatal("no N+1 found")
				}
			}
			stop()
		})
	}
}
