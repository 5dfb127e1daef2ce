package oops

import (
	"fmt"
	"reflect"

	"github.com/oops-go/oops/internal/errchain"
)

// ErrorType returns the name of err's most specific type: the first error
// along its Unwrap chain, outermost first, that is not a mere wrapper (for
// Unwrap() []error, the first non-nil branch is followed). So an os.Open
// failure wrapped by fmt.Errorf is "*fs.PathError", not "*fmt.wrapError" and
// not the syscall.Errno the PathError carries. A wrapper is an error that only
// adds context to the one it wraps: fmt's and errors' own wrapping and joining
// types, github.com/pkg/errors' withStack and withMessage, golang.org/x/xerrors'
// wrapError, any error with Unwrap() []error, and any error whose text is its
// cause's text. When every error of the chain is a wrapper (a chain that
// loops), the last one looked at is named. It returns "" for a nil err.
func ErrorType(err error) string {
	e, n := err, 0
	for e != nil {
		next := errchain.UnwrapFirst(e)
		n++
		if next == nil || n >= errchain.Max || !isWrapper(e, next) {
			return reflect.TypeOf(e).String()
		}
		e = next
	}
	return ""
}

// wrapperTypes are error types, by package path and name, that only add
// context (a message, a stack) to the error they wrap.
var wrapperTypes = map[[2]string]bool{
	{"fmt", "wrapError"}:                     true,
	{"fmt", "wrapErrors"}:                    true,
	{"errors", "joinError"}:                  true,
	{"github.com/pkg/errors", "withStack"}:   true,
	{"github.com/pkg/errors", "withMessage"}: true,
	{"golang.org/x/xerrors", "wrapError"}:    true,
}

// isWrapper reports whether err, which unwraps to next, only wraps it.
func isWrapper(err, next error) bool {
	if _, ok := err.(interface{ Unwrap() []error }); ok {
		return true
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if wrapperTypes[[2]string{t.PkgPath(), t.Name()}] {
		return true
	}
	return ErrorText(err) == ErrorText(next)
}

// TypeChain returns the type names along err's Unwrap chain, outermost first,
// following the first non-nil branch of Unwrap() []error. A chain longer than
// 100 (one that loops) is cut there.
func TypeChain(err error) []string {
	var out []string
	for e := err; e != nil && len(out) < errchain.Max; e = errchain.UnwrapFirst(e) {
		out = append(out, reflect.TypeOf(e).String())
	}
	return out
}

// ErrorText returns err.Error() safely: "<nil>" for a nil error or a typed nil
// whose Error method panics, and a placeholder naming the panic otherwise.
func ErrorText(err error) (s string) {
	if err == nil {
		return "<nil>"
	}
	defer func() {
		if r := recover(); r != nil {
			if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
				s = "<nil>"
				return
			}
			s = fmt.Sprintf("<Error method panicked: %v>", r)
		}
	}()
	return err.Error()
}
