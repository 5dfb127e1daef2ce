// Command quickstart is a small bank service on an embedded SQLite database.
// It serves HTTP on a loopback port with the oops middleware, logs through
// the oops slog handler and runs its statements through the wrapped SQL
// driver; then it sends itself a few requests, one of which fails after
// running several statements, and prints the OOPS report that failure made,
// with its SQL timeline.
//
//	go run ./examples/quickstart [-root DIR] [-serve]
//
// Reports are stored in DIR the way python's oops-datedir-repo stores them,
// and in the SQLite database DIR/oops.db (package sqlstore), where they can
// be searched and grouped. Without -root they go to a temporary directory
// that is removed on exit. With -serve it then opens the web console on
// them, on a loopback address, until interrupted.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/console"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/sqltimeline"
	"github.com/oops-go/oops/store"
)

func main() {
	root := flag.String("root", "", "directory to store reports in and keep (default: a temporary directory, removed on exit)")
	serve := flag.Bool("serve", false, "then serve the web console on the reports, on loopback, until interrupted")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := quickstart(ctx, *root, *serve, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// quickstart runs the example in root, or in a temporary directory that it
// removes at the end when root is "", and then serves the console on the
// reports when serve is set.
func quickstart(ctx context.Context, root string, serve bool, out io.Writer) error {
	keep := root != ""
	if !keep {
		dir, err := os.MkdirTemp("", "oops-quickstart-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		root = dir
	}
	if err := run(ctx, root, out); err != nil {
		return err
	}
	if serve {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		return serveConsole(ctx, ln, root, out)
	}
	if !keep {
		fmt.Fprintf(out, "\n%s is removed now. To keep the reports and read them with the commands above,\n"+
			"run the quick start with -root DIR; or open the console on them at once with -serve.\n", root)
		return nil
	}
	// The same reports in the web console, where admins see everything: it
	// listens on loopback only.
	fmt.Fprintf(out, "\nOr in the web console (or run the quick start with -serve):\n  go run ./cmd/oops --store %s serve --anonymous admin\n",
		shellQuote("sqlite:"+filepath.Join(root, "oops.db")))
	return nil
}

// serveConsole serves the web console on the reports in root until ctx is
// done. It listens on loopback and the reports are the reader's own, so
// everyone who reaches it is an admin.
func serveConsole(ctx context.Context, ln net.Listener, root string, out io.Writer) error {
	reports, err := sqlstore.Open(ctx, "sqlite", filepath.Join(root, "oops.db"), nil)
	if err != nil {
		return err
	}
	defer reports.Close()
	admin := store.Admin
	h := console.New(&console.Options{Store: reports, Auth: console.Auth{Anonymous: &admin}})
	fmt.Fprintf(out, "\nThe web console is at http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	return console.Serve(ctx, ln, h)
}

// run runs the example, storing its reports in root.
func run(ctx context.Context, root string, out io.Writer) error {
	// 1. Where reports go: a SQLite database (searchable) and a datedir
	// store (python's tools read it), behind a queue so that no request
	// waits for the disk.
	store := datedir.New(root)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(root, "oops.db")
	reports, err := sqlstore.Open(ctx, "sqlite", dbPath, nil)
	if err != nil {
		return err
	}
	defer reports.Close()
	pub := oops.NewAsync(oops.ToMany(reports, store), nil)
	defer pub.Close(ctx)
	cfg := &oops.Config{
		Template:  oops.Report{Reporter: "quickstart"},
		Hooks:     append(oops.DefaultHooks(), oopshttp.AttachRequest),
		Publisher: pub,
	}

	// 2. Logs: warnings and errors become reports too.
	logger := slog.New(slogoops.NewHandler(slog.NewTextHandler(out, nil), cfg, nil))

	// 3. The database: every statement lands in the request's timeline.
	// A named in-memory database, shared by the pool's connections.
	dsn := fmt.Sprintf("file:quickstart-%d?mode=memory&cache=shared", time.Now().UnixNano())
	db, err := sqltimeline.Open("sqlite", dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := setup(ctx, db); err != nil {
		return err
	}

	// 4. HTTP: each request gets a timeline; failures become reports.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: oopshttp.Middleware(cfg, nil)(routes(db, logger)), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Shutdown(ctx)
	base := "http://" + ln.Addr().String()

	var failed string
	for _, req := range []struct{ method, path string }{
		{"GET", "/accounts/1"},
		{"POST", "/transfer?from=1&to=2&amount=30"},
		{"POST", "/transfer?from=2&to=1&amount=500"}, // more than account 2 holds
	} {
		status, id, err := send(ctx, req.method, base+req.path)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %s -> %d %s\n", req.method, req.path, status, id)
		if id != "" {
			failed = id
		}
	}
	if failed == "" {
		return errors.New("no request failed")
	}

	// 5. The report, as a person reads it: the one the logger made for the
	// failure, which the middleware completed when the request ended, and
	// whose id the 500 response quotes.
	if err := pub.Flush(ctx); err != nil {
		return err
	}
	r, err := store.Get(ctx, failed)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nOOPS id: %s\nstored:  %s\nand in:  %s\n\n", failed, filepath.Join(root, r.Time.Format(time.DateOnly), failed), dbPath)
	if err := r.WriteText(out); err != nil {
		return err
	}

	// 6. The console reads it, with its analysis and a waterfall.
	fmt.Fprintf(out, "\nLook at it with the console:\n  go run ./cmd/oops --store %s show %s\n", shellQuote(root), failed)
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func setup(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `
		CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL CHECK (balance >= 0));
		CREATE TABLE transfers (id INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, amount INTEGER);
		INSERT INTO accounts (id, owner, balance) VALUES (1, 'ada', 100), (2, 'brian', 50);`)
	return err
}

func routes(db *sql.DB, logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /accounts/{id}", func(w http.ResponseWriter, r *http.Request) {
		var owner string
		var balance int
		err := db.QueryRowContext(r.Context(), `SELECT owner, balance FROM accounts WHERE id = ?`, r.PathValue("id")).Scan(&owner, &balance)
		if err != nil {
			http.Error(w, "no such account", http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, "%s has %d\n", owner, balance)
	})
	mux.HandleFunc("POST /transfer", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from, _ := strconv.Atoi(q.Get("from"))
		to, _ := strconv.Atoi(q.Get("to"))
		amount, _ := strconv.Atoi(q.Get("amount"))
		logger.InfoContext(r.Context(), "transfer", "from", from, "to", to, "amount", amount)
		if err := transfer(r.Context(), db, from, to, amount); err != nil {
			logger.ErrorContext(r.Context(), "transfer failed", "err", err, "from", from, "to", to, "amount", amount)
			http.Error(w, "transfer failed", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "done")
	})
	return mux
}

func transfer(ctx context.Context, db *sql.DB, from, to, amount int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO transfers (src, dst, amount) VALUES (?, ?, ?)`, from, to, amount); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET balance = balance + ? WHERE id = ?`, amount, to); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET balance = balance - ? WHERE id = ?`, amount, from); err != nil {
		return fmt.Errorf("debit account %d: %w", from, err)
	}
	return tx.Commit()
}

func send(ctx context.Context, method, url string) (status int, oopsID string, err error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get(oopshttp.HeaderID), nil
}
