package sqlstore_test

import (
	"context"
	"fmt"
	"time"

	_ "modernc.org/sqlite"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

// A report that names its resource, stored in SQLite, and read back as the
// resource's owner and as an admin see its latest fault.
func Example() {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite", ":memory:", nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	r := &oops.Report{
		ID: "OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817", Type: "*fs.PathError",
		Value: "resize volume: no space left on device", TBText: "main.resize(...)\n\tresize.go:42\n",
		Time: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), Signature: "resize-enospc",
		Resource: "db-instance/42",
	}
	if _, err := s.Publish(ctx, r); err != nil {
		panic(err)
	}

	got, _ := s.Get(ctx, "oops-3F2A9C0E1D2B4A5F8E7D6C5B4A392817 ") // as pasted
	fmt.Println(got.ID)

	owner, _ := s.LatestFault(ctx, "db-instance/42", store.Viewer)
	fmt.Println(owner.Message, owner.Details == nil)
	admin, _ := s.LatestFault(ctx, "db-instance/42", store.Admin)
	fmt.Print(admin.Details.TBText)

	groups, _ := s.Groups(ctx, store.Query{From: r.Time.Truncate(24 * time.Hour), To: r.Time.Add(time.Hour)})
	fmt.Println(groups[0].Signature, groups[0].Count)
	// Output:
	// OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817
	// resize volume: no space left on device true
	// main.resize(...)
	// 	resize.go:42
	// resize-enospc 1
}
