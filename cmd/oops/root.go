package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"
)

// Exit codes; see the package doc.
const (
	exitOK      = 0
	exitPartial = 1
	exitUsage   = 2
	exitStore   = 3
)

// An exitError carries the exit code of a command that failed; any other
// error from cobra (an unknown flag, a missing argument) is a usage error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errPartial is returned by a command that did its work but reported some
// failures on stderr already.
var errPartial = &exitError{code: exitPartial, err: errors.New("some items failed")}

func storeErr(err error) error { return &exitError{code: exitStore, err: err} }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// env is what the commands share: where output goes, the terminal, the
// environment, and the count of items that failed.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	storeSpec      string

	mu     sync.Mutex // guards failed and the lines on stderr
	failed int
}

// warn prints one line about an item that failed and counts it.
func (e *env) warn(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failed++
	fmt.Fprintf(e.stderr, "oops: %s\n", oneLine(err.Error()))
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runEnv(ctx, args, stdout, stderr, os.Getenv)
}

func runEnv(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var ee *exitError
	switch {
	case err == nil && e.failed > 0:
		return exitPartial
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee != errPartial {
			fmt.Fprintf(stderr, "oops: %s\n", oneLine(ee.err.Error()))
		}
		return ee.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "oops: interrupted")
		return exitPartial
	default:
		fmt.Fprintf(stderr, "oops: %s\n", oneLine(err.Error()))
		if !strings.Contains(err.Error(), "--help") {
			fmt.Fprintln(stderr, `Run "oops --help" for usage.`)
		}
		return exitUsage
	}
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "oops",
		Short: "Read OOPS reports: look one up, list them, summarise the day's problems",
		Long: `oops reads the OOPS reports of a store: a date directory, sqlite:PATH or a
postgres:// URL, given by --store or the OOPS_STORE environment variable.

Exit codes: 0 done; 1 done, but some items failed (an id not found, a
garbage file skipped; each named on stderr); 2 usage; 3 the store (or the
broker) could not be opened or read.`,
		Example: `  oops -s /var/lib/oops show OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817
  export OOPS_STORE=/var/lib/oops
  oops list --since 1h --type '*pgconn.PgError'
  oops summary --since 24h --html today.html`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&e.storeSpec, "store", "s", "",
		"the store: a directory, sqlite:PATH or a postgres:// URL (default $OOPS_STORE)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v (see %q)", err, c.CommandPath()+" --help")
	})
	root.AddCommand(newShow(e), newList(e), newSummary(e), newPrune(e), newImport(e), newForward(e), newReceive(e), newServe(e))
	return root
}

// args checks a command's arguments, making a usage error of a mismatch.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, a []string) error {
		if err := check(c, a); err != nil {
			return usageErr("%v (see %q)", err, c.CommandPath()+" --help")
		}
		return nil
	}
}
