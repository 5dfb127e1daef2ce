package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/console"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/store"
)

// A service mounts the console in its own admin mux, under a prefix, with a
// token for admins and viewers let in without one.
func Example() {
	dir, _ := os.MkdirTemp("", "oops-example-")
	defer os.RemoveAll(dir)
	reports := datedir.New(dir)
	_, _ = reports.Publish(context.Background(), &oops.Report{
		ID: "OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817", Type: "*fs.PathError",
		Value: "open /etc/shop.conf: permission denied", Time: time.Now(), Duration: -1,
	})

	viewer := store.Viewer
	admin := http.NewServeMux()
	admin.Handle("/debug/oops/", console.New(&console.Options{
		Store:    reports,
		BasePath: "/debug/oops",
		Auth:     console.Auth{AdminTokens: []string{"s3cret"}, Anonymous: &viewer},
	}))

	rec := httptest.NewRecorder()
	admin.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/oops/go?id=3F2A9C0E1D2B4A5F8E7D6C5B4A392817", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	rec = httptest.NewRecorder()
	admin.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/oops/report/OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Security-Policy") != "")
	// Output:
	// 303 /debug/oops/report/OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817
	// 200 true
}
