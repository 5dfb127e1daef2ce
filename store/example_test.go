package store_test

import (
	"fmt"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// A fault as a resource's owner sees it, and as an admin does.
func ExampleFaultOf() {
	r := &oops.Report{
		ID: "OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817", Type: "*pgconn.PgError",
		Value: "resize failed: disk full", TBText: "main.resize(...)\n\tresize.go:42\n",
		Time: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), Resource: "db-instance/42",
	}
	user := store.FaultOf(r, store.Viewer)
	fmt.Println(user.Resource, user.ID, user.Message, user.Details == nil)
	admin := store.FaultOf(r, store.Admin)
	fmt.Println(admin.Details.Type)
	// Output:
	// db-instance/42 OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817 resize failed: disk full true
	// *pgconn.PgError
}
