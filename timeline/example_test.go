package timeline_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/oops-go/oops/timeline"
)

func Example() {
	// A request handler puts a timeline in the request's context...
	ctx := timeline.NewContext(context.Background(), timeline.New())

	// ...and code deep inside records its slow steps without knowing whether
	// anyone is listening.
	query := func(ctx context.Context, stmt string, fail bool) {
		a := timeline.FromContext(ctx).Start("SQL-main", stmt)
		if fail {
			a.FinishErr(errors.New("no such table: users"))
			return
		}
		a.Finish()
	}
	query(ctx, "SELECT 1", false)
	query(ctx, "SELECT * FROM users", true)
	timeline.FromContext(ctx).Start("http-GET", "https://example.com/") // still running

	for _, e := range timeline.FromContext(ctx).Entries() {
		fmt.Printf("%s %q unfinished=%v err=%v\n", e.Category, e.Detail, e.Unfinished, e.Err)
	}

	// Without a timeline in the context, the same calls do nothing.
	query(context.Background(), "SELECT 2", false)
	fmt.Println(timeline.FromContext(context.Background()).Len())
	// Output:
	// SQL-main "SELECT 1" unfinished=false err=<nil>
	// SQL-main "SELECT * FROM users" unfinished=false err=no such table: users
	// http-GET "https://example.com/" unfinished=true err=<nil>
	// 0
}

func ExampleNewWithOptions() {
	tl := timeline.NewWithOptions(&timeline.Options{MaxEntries: 4})
	for i := range 10 {
		tl.Start("log-DEBUG", fmt.Sprint("record ", i)).Finish()
	}
	for _, e := range tl.Entries() {
		fmt.Println(e.Detail)
	}
	fmt.Println("dropped:", tl.Dropped())
	// Output:
	// record 0
	// record 1
	// record 8
	// record 9
	// dropped: 6
}
