package flight

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
)

// shifty wraps an error of another type once path is set: the same error
// value with another chain must not get the signature remembered for the
// first.
type shifty struct{ path *bool }

func (s shifty) Error() string { return "shifty" }
func (s shifty) Unwrap() error {
	if *s.path {
		return &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}
	}
	return errors.New("plain")
}

// The remembered signature is oops.Signature's, for every call site,
// message and chain, the first time and every time after.
func TestSignatureCacheMatchesOops(t *testing.T) {
	var path bool
	deep := errors.New("root")
	for range 6 {
		deep = fmt.Errorf("wrap: %w", deep)
	}
	errs := []error{
		nil,
		errors.New("connection refused"),
		errors.New("other text, same type"),
		fmt.Errorf("query: %w", errors.New("x")),
		fmt.Errorf("query: %w", &fs.PathError{Op: "open", Path: "p", Err: fs.ErrNotExist}),
		errors.Join(errors.New("a"), &fs.PathError{}),
		deep, // longer than the cache remembers
		shifty{&path},
	}
	pcs := []uintptr{0, 1234, 5678}
	msgs := []string{"", "query failed", "query failez", strings.Repeat("m", sigMaxMsg+1)}
	for i := range 4 {
		path = i%2 == 1
		for _, pc := range pcs {
			for _, msg := range msgs {
				for _, err := range errs {
					assert.Equal(t, oops.Signature(pc, msg, err), signature(pc, msg, err), "pc %d msg %.20q err %v", pc, msg, err)
				}
			}
		}
	}
}
