package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/store"
)

// TestMakeBudgetStore makes the stores the budgets are measured on: with
// OOPS_BUDGET_DIR set, it writes OOPS_BUDGET_REPORTS (default 100,000)
// reports of yesterday (UTC) into DIR/reports, shaped like a service's (a
// traceback, request variables, a timeline of 20 statements, 40 problems of
// unequal frequency over 30 topics), and imports them into
// sqlite:DIR/oops.db. Then time the command, e.g.:
//
//	go build -o /tmp/oops ./cmd/oops
//	hyperfine -w 3 '/tmp/oops -s DIR/reports show ID' \
//	  '/tmp/oops -s DIR/reports summary --from YESTERDAY --to TODAY' \
//	  '/tmp/oops -s sqlite:DIR/oops.db summary --from YESTERDAY --to TODAY'
func TestMakeBudgetStore(t *testing.T) {
	dir := os.Getenv("OOPS_BUDGET_DIR")
	if dir == "" {
		t.Skip("set OOPS_BUDGET_DIR to make the 100,000-report stores the budgets are measured on")
	}
	n := 100_000
	if s := os.Getenv("OOPS_BUDGET_REPORTS"); s != "" {
		var err error
		n, err = strconv.Atoi(s)
		require.NoError(t, err)
	}
	ctx := context.Background()
	reports := filepath.Join(dir, "reports")
	repo := datedir.New(reports)
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	bt := "main.handler(...)\n\t/src/app/handler.go:42\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/local/go/src/net/http/server.go:2286\n"
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				problem := (i * i) % 40
				r := &oops.Report{
					ID: oops.NewID(), Type: fmt.Sprintf("*app.Error%d", problem), Value: fmt.Sprintf("problem %d: order %d failed", problem, i),
					TBText: bt, Time: day.Add(time.Duration(i) * (24 * time.Hour / time.Duration(n))),
					Hostname: "web-3", Reporter: "shop-web", Topic: fmt.Sprintf("GET /route%d", i%30),
					URL: fmt.Sprintf("https://shop.example/route%d?id=%d", i%30, i), Signature: fmt.Sprintf("sig%02d", problem),
					ReqVars:  map[string]string{"REQUEST_METHOD": "GET", "HTTP_HOST": "shop.example", "HTTP_USER_AGENT": "Mozilla/5.0"},
					Duration: 0.05, Extra: map[string]any{store.StatusKey: []string{"500", "404", "504", "403"}[problem%4]},
				}
				for k := range 20 {
					s := time.Duration(k) * 2 * time.Millisecond
					r.Timeline = append(r.Timeline, oops.TimelineEntry{Start: s, End: s + 1500*time.Microsecond, Category: "SQL-main",
						Detail: fmt.Sprintf("SELECT * FROM order_lines WHERE order_id = %d", k)})
				}
				if _, err := repo.Publish(ctx, r); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var out, errb nopWriter
	code := runEnv(ctx, []string{"-s", "sqlite:" + filepath.Join(dir, "oops.db"), "import", reports}, &out, &errb, func(string) string { return "" })
	require.Equal(t, 0, code)
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
