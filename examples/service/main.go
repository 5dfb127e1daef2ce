// Command service is the program the README's "In your service" section
// shows: reports stored on disk behind a queue, slog through the oops
// handler, PostgreSQL through the timeline wrapper, HTTP behind the
// middleware, and a graceful shutdown that lets requests finish and then
// publishes what is queued.
//
//	go run ./examples/service -dsn 'postgres://…' -addr :8080 -oops-dir /var/lib/myservice/oops
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/sqltimeline"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("DATABASE_URL"), "PostgreSQL connection string")
	addr := flag.String("addr", ":8080", "address to serve HTTP on")
	dir := flag.String("oops-dir", "/var/lib/myservice/oops", "directory to store OOPS reports in")
	flag.Parse()
	// SIGINT or SIGTERM cancels ctx: the service shuts down gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dsn, *addr, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn, addr, dir string) error {
	store := datedir.New(dir)        // python oops-datedir-repo layout
	pub := oops.NewAsync(store, nil) // log calls never wait for the disk
	cfg := &oops.Config{
		Template:  oops.Report{Reporter: "myservice"},
		Hooks:     append(oops.DefaultHooks(), oopshttp.AttachRequest),
		Publisher: pub,
	}
	logger := slog.New(slogoops.NewHandler(slog.NewJSONHandler(os.Stderr, nil), cfg, nil))
	db, err := sqltimeline.Open("pgx", dsn, nil) // every statement lands in the request's timeline
	if err != nil {
		return err
	}
	defer db.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		// r.Context() carries the request's timeline and incident: pass it
		// on (QueryRowContext, ErrorContext), so that the statement and the
		// log records land in this request's report and in no other.
		ctx := r.Context()
		var total int64
		err := db.QueryRowContext(ctx, "SELECT total FROM orders WHERE id = $1", r.PathValue("id")).Scan(&total)
		if err != nil {
			logger.ErrorContext(ctx, "loading order", "err", err, "resource", "order/"+r.PathValue("id"))
			oopshttp.Error(w, r, err) // a 500 page quoting the id of the report just made
			return
		}
		logger.InfoContext(ctx, "order loaded", "total", total)
		fmt.Fprintln(w, total)
	})
	srv := &http.Server{Addr: addr, Handler: oopshttp.Middleware(cfg, nil)(mux)}

	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	select {
	case err := <-served:
		return errors.Join(err, pub.Close(context.Background()))
	case <-ctx.Done():
	}
	// Let the requests in flight finish (their reports are completed when
	// they end), then publish what is queued.
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(shutdown), pub.Close(shutdown))
}
