package datedir_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
)

func Example() {
	dir, err := os.MkdirTemp("", "oops-datedir-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	repo := datedir.New(dir)

	// A Repo is a Publisher: give it to a Config, or publish by hand.
	r := &oops.Report{
		ID:       "OOPS-0123456789abcdef0123456789abcdef",
		Type:     "*fs.PathError",
		Value:    "open /etc/shop.conf: permission denied",
		Time:     time.Date(2024, 5, 6, 12, 34, 56, 0, time.UTC),
		Duration: -1,
		Timeline: []oops.TimelineEntry{{Start: 0, End: 3 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 1"}},
	}
	ids, err := repo.Publish(ctx, r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("published", ids)

	got, err := repo.Get(ctx, ids[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Type, got.Value, got.Timeline[0].Detail)

	for e, err := range repo.Walk(ctx, time.Time{}, time.Time{}) {
		if err != nil {
			fmt.Println(err)
			continue
		}
		rel, _ := filepath.Rel(dir, e.Path)
		fmt.Println(filepath.ToSlash(rel))
	}

	n, err := repo.Prune(ctx, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println("pruned", n, err)
	// Output:
	// published [OOPS-0123456789abcdef0123456789abcdef]
	// *fs.PathError open /etc/shop.conf: permission denied SELECT 1
	// 2024-05-06/OOPS-0123456789abcdef0123456789abcdef
	// pruned 1 <nil>
}
