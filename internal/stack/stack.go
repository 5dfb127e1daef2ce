// Package stack captures program counters cheaply and renders them, only when
// a report is made, in the format of a goroutine dump, leaving out the
// leading frames of the machinery between the user's code and the capture
// (see Format). It imports the standard library only.
package stack

import (
	"runtime"
	"strconv"
	"strings"
)

// MaxDepth bounds how many frames are captured.
const MaxDepth = 64

// Callers returns the program counters of the calling goroutine's stack,
// skipping skip frames above the caller of Callers (0 = the caller itself):
// at most MaxDepth, as runtime.Callers gives them (see Fill).
func Callers(skip int) []uintptr {
	var buf [MaxDepth]uintptr
	n := Fill(skip+1, buf[:])
	pcs := make([]uintptr, n)
	copy(pcs, buf[:n])
	return pcs
}

// Format renders program counters like a goroutine dump:
//
//	pkg.Func(...)
//		/path/file.go:42
//
// Leading frames of these packages are left out, so that the first frame
// shown is the user's code: runtime (not its subpackages), database/sql,
// log/slog, net/http, go.uber.org/zap, github.com/jackc/pgx and
// google.golang.org/grpc and their subpackages, and the packages
// of this module other than its tests and examples (package names ending in
// _test, paths under examples/). Frames after the first user frame are all
// shown, whatever their package. When every frame is such a frame, all are
// shown rather than nothing.
//
// Results are cached by the whole PC sequence (see Cache): a call site that
// reports again and again is resolved once.
func Format(pcs []uintptr) string {
	if len(pcs) == 0 {
		return ""
	}
	return formatted.Get(pcs, format)
}

// formatted caches Format's results.
var formatted Cache[string]

func format(pcs []uintptr) string {
	if s := render(pcs, true); s != "" {
		return s
	}
	// Every frame was the library's own: show them rather than nothing.
	return render(pcs, false)
}

// render writes one "func(...)\n\tfile:line\n" per frame, leaving out the
// leading library frames when trim is set.
func render(pcs []uintptr, trim bool) string {
	var b strings.Builder
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		known := f.Function != "" || f.File != ""
		if known && !(trim && isLibraryFrame(f.Function)) {
			trim = false
			fn := f.Function
			if fn == "" {
				fn = "???"
			}
			b.WriteString(fn)
			b.WriteString("(...)\n\t")
			b.WriteString(f.File)
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(f.Line))
			b.WriteByte('\n')
		}
		if !more {
			break
		}
	}
	return b.String()
}

// PackageOf returns the import path of the package that defines the function
// named fn (as runtime.Frame.Function spells it).
func PackageOf(fn string) string {
	// Type arguments ("pkg.F[go.shape.*example.com/x.T]") hold slashes of
	// their own: the package path ends before them.
	head := fn
	if i := strings.IndexByte(head, '['); i >= 0 {
		head = head[:i]
	}
	slash := strings.LastIndexByte(head, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}

// isLibraryFrame reports whether the function fn is of a package whose
// leading frames Format leaves out; Format's documentation lists them.
func isLibraryFrame(fn string) bool {
	pkg := PackageOf(fn)
	switch {
	case pkg == "runtime", pkg == "database/sql", pkg == "log/slog", pkg == "net/http":
		return true
	case strings.HasPrefix(pkg, "go.uber.org/zap"):
		return true
	case strings.HasPrefix(pkg, "github.com/jackc/pgx/v5"), strings.HasPrefix(pkg, "google.golang.org/grpc"):
		// The instrumented clients: a statement's or call's stack starts
		// at the code that made it.
		return true
	case pkg == "github.com/oops-go/oops" || strings.HasPrefix(pkg, "github.com/oops-go/oops/"):
		// Our packages' own tests and examples are user code.
		return !strings.HasSuffix(pkg, "_test") && !strings.Contains(pkg, "/examples/")
	}
	return false
}
