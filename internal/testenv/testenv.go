// Package testenv lets the module's tests use servers named by environment
// variables (PostgreSQL, RabbitMQ, a browser), skip with one standard message
// when the variable is unset, so that go test ./... passes on a machine with
// nothing installed, and say at the end of a package's run how many tests
// were skipped and which variable to set:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		dsn := testenv.RequirePostgres(t)
//		...
//	}
//
// The go command hides the output of a package whose tests pass unless -v is
// given, so without -v the summary line is written to the go command's own
// standard output when that is a terminal or a pipe (found through /proc on
// Linux), else to the terminal, if any. With -v it is part of the package's
// output like any other line.
package testenv

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The variables that name the servers the tests use.
const (
	// PostgresDSN names a PostgreSQL server by its URL, as pgx reads it.
	PostgresDSN = "OOPS_TEST_POSTGRES_DSN"
	// AMQPURL names a RabbitMQ broker by its AMQP URL.
	AMQPURL = "OOPS_TEST_AMQP_URL"
	// AMQPCtl names a script running rabbitmqctl against that broker, for
	// the tests that stop and start it.
	AMQPCtl = "OOPS_TEST_AMQP_CTL"
	// Chromium names the chromium (or chrome) binary of the browser tests.
	Chromium = "OOPS_TEST_CHROMIUM"
)

// hints say what provides each variable.
var hints = map[string]string{
	PostgresDSN: `eval "$(bash .ci/postgres.sh)" starts a server and sets it`,
	AMQPURL:     `eval "$(bash .ci/rabbitmq.sh)" starts a broker and sets it`,
	AMQPCtl:     `eval "$(bash .ci/rabbitmq.sh)" sets it; run those tests alone, since they stop the broker`,
	Chromium:    "the path of a chromium or chrome binary",
}

var (
	mu      sync.Mutex
	skipped = map[string]int{} // by variable
)

// Require returns the value of the environment variable name, or skips t,
// saying which variable to set, and counts the skip for Main's summary.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	mu.Lock()
	skipped[name]++
	mu.Unlock()
	msg := "set " + name + " to run this test"
	if h := hints[name]; h != "" {
		msg += " (" + h + ")"
	}
	t.Skip(msg)
	return ""
}

// RequirePostgres returns the DSN of the test PostgreSQL server
// (OOPS_TEST_POSTGRES_DSN), or skips t.
func RequirePostgres(t testing.TB) string {
	t.Helper()
	return Require(t, PostgresDSN)
}

// RequireAMQP returns the URL of the test RabbitMQ broker
// (OOPS_TEST_AMQP_URL), or skips t.
func RequireAMQP(t testing.TB) string {
	t.Helper()
	return Require(t, AMQPURL)
}

// RequireChromium returns the path of the browser the tests drive
// (OOPS_TEST_CHROMIUM), or skips t.
func RequireChromium(t testing.TB) string {
	t.Helper()
	return Require(t, Chromium)
}

// Main runs the package's tests, prints the summary of the tests skipped
// for lack of a server (see Summary) and exits with the tests' status. Call
// it from TestMain.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs the package's tests and prints the summary, like Main, but
// returns the status instead of exiting, for a TestMain that does more.
func Run(m *testing.M) int {
	code := m.Run()
	report()
	return code
}

// M wraps a *testing.M so that running it prints the summary as Run does:
// for helpers that run the tests themselves, such as
// goleak.VerifyTestMain(testenv.M{m}).
type M struct{ *testing.M }

// Run runs the tests and prints the summary.
func (m M) Run() int { return Run(m.M) }

// Summary returns one line per variable whose absence skipped tests, such
// as "github.com/oops-go/oops/sqltimeline: 12 tests skipped: set
// OOPS_TEST_POSTGRES_DSN to run them" followed by what provides the
// variable, in the order of the variables' names; "" when none was skipped.
func Summary() string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(skipped))
	for name := range skipped {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		n := skipped[name]
		tests, them := "tests", "them"
		if n == 1 {
			tests, them = "test", "it"
		}
		fmt.Fprintf(&b, "%s: %d %s skipped: set %s to run %s", pkgPath(), n, tests, name, them)
		if h := hints[name]; h != "" {
			fmt.Fprintf(&b, " (%s)", h)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// pkgPath is the import path of the package under test.
func pkgPath() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Path != "" {
		return strings.TrimSuffix(bi.Path, ".test")
	}
	return strings.TrimSuffix(os.Args[0], ".test")
}

// report writes the summary where the person running go test sees it.
func report() {
	s := Summary()
	if s == "" {
		return
	}
	if testing.Verbose() {
		// The go command shows this output, or turns it into JSON events
		// with -json.
		fmt.Print(s)
		return
	}
	w := visibleOutput()
	if w == nil {
		return
	}
	defer w.Close()
	io.WriteString(w, s)
}

// visibleOutput returns what the go command that runs the tests writes its
// "ok" lines to, when it is a terminal or a pipe, else the terminal, else
// nil. A regular file is left alone: writing to it at an offset of our own
// would overwrite the go command's lines, or have them overwrite ours.
func visibleOutput() io.WriteCloser {
	if f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/1", os.Getppid()), os.O_WRONLY|os.O_APPEND, 0); err == nil {
		if st, err := f.Stat(); err == nil && st.Mode()&(os.ModeNamedPipe|os.ModeCharDevice|os.ModeSocket) != 0 {
			return f
		}
		f.Close()
	}
	if f, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		return f
	}
	return nil
}
