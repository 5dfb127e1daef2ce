package stack

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackageOf(t *testing.T) {
	for fn, want := range map[string]string{
		"main.main":                       "main",
		"runtime.goexit":                  "runtime",
		"database/sql.(*DB).QueryContext": "database/sql",
		"github.com/oops-go/oops/timeline.(*Timeline).Start": "github.com/oops-go/oops/timeline",
		"github.com/oops-go/oops.(*Config).Create.func1":     "github.com/oops-go/oops",
		"github.com/oops-go/oops_test.TestX":                 "github.com/oops-go/oops_test",
		"example.com/x.Map[go.shape.*example.com/y/z.T]":     "example.com/x",
		"example.com/x.(*Set[go.shape.string]).Add":          "example.com/x",
		"noDot": "noDot",
	} {
		assert.Equal(t, want, PackageOf(fn), fn)
	}
}

func TestIsLibraryFrame(t *testing.T) {
	for fn, want := range map[string]bool{
		"runtime.gopanic":                                    true,
		"database/sql.(*DB).query":                           true,
		"log/slog.(*Logger).log":                             true,
		"net/http.HandlerFunc.ServeHTTP":                     true,
		"go.uber.org/zap.(*Logger).Error":                    true,
		"go.uber.org/zap/zapcore.(*CheckedEntry).Write":      true,
		"github.com/oops-go/oops.(*Config).Create":           true,
		"github.com/oops-go/oops/timeline.(*Timeline).Start": true,
		"github.com/oops-go/oops_test.TestCreate":            false,
		"github.com/oops-go/oops/timeline_test.TestStart":    false,
		"github.com/oops-go/oops/examples/quickstart.main":   false,
		"github.com/oops-go/oopsish.F":                       false,
		"main.main":                                          false,
		"testing.tRunner":                                    false,
	} {
		assert.Equal(t, want, isLibraryFrame(fn), fn)
	}
}

func TestCallersSkip(t *testing.T) {
	pcs := Callers(0)
	require.NotEmpty(t, pcs)
	f, _ := runtime.CallersFrames(pcs).Next()
	assert.Equal(t, "github.com/oops-go/oops/internal/stack.TestCallersSkip", f.Function)

	pcs = func() []uintptr { return Callers(1) }()
	f, _ = runtime.CallersFrames(pcs).Next()
	assert.Equal(t, "github.com/oops-go/oops/internal/stack.TestCallersSkip", f.Function, "skip 1 leaves out the closure")

	assert.LessOrEqual(t, len(deep(3*MaxDepth)), MaxDepth)
}

func deep(n int) []uintptr {
	if n == 0 {
		return Callers(0)
	}
	return deep(n - 1)
}

func TestFormatEmpty(t *testing.T) {
	assert.Equal(t, "", Format(nil))
	assert.Equal(t, "", Format([]uintptr{}))
}

func TestFormatLeavesOutLeadingLibraryFrames(t *testing.T) {
	// This test is in the library's own package, so its frame is a library
	// frame: the first frame shown is the test runner that called it.
	out := Format(Callers(0))
	assert.True(t, strings.HasPrefix(out, "testing.tRunner(...)\n\t"), out)
	assert.NotContains(t, out, "internal/stack.TestFormat")
}

func TestFormatAllLibraryFramesShowsThem(t *testing.T) {
	pcs := Callers(0)
	require.NotEmpty(t, pcs)
	out := Format(pcs[:1])
	assert.True(t, strings.HasPrefix(out,
		"github.com/oops-go/oops/internal/stack.TestFormatAllLibraryFramesShowsThem(...)\n\t"), out)
	assert.Contains(t, out, "stack_test.go:")
}

func TestFormatGarbagePCs(t *testing.T) {
	assert.NotPanics(t, func() { Format([]uintptr{0, 1, 2, ^uintptr(0)}) })
}
