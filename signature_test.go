package oops_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

// referenceSignature is Signature spelled out from its definition: FNV-1a
// over the call site, the message and oops.TypeChain, in hex.
func referenceSignature(pc uintptr, msg string, err error) string {
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	sep := func() { h *= 1099511628211 } // FNV-1a of a zero byte
	if pc != 0 {
		f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
		add(f.Function + " " + f.File + ":" + strconv.Itoa(f.Line))
	}
	sep()
	add(msg)
	for _, t := range oops.TypeChain(err) {
		sep()
		add(t)
	}
	var b [8]byte
	for i := range b {
		b[i] = byte(h >> (56 - 8*i))
	}
	return hex.EncodeToString(b[:])
}

// panicUnwrap panics in Unwrap.
type panicUnwrap struct{}

func (panicUnwrap) Error() string { return "p" }
func (panicUnwrap) Unwrap() error { panic("boom") }

func TestSignatureMatchesDefinition(t *testing.T) {
	pcs := make([]uintptr, 4)
	n := runtime.Callers(0, pcs)
	require.Positive(t, n)
	var typedNil *fs.PathError
	errs := []error{
		nil,
		errors.New("x"),
		&fs.PathError{Op: "open", Path: "/a", Err: fs.ErrNotExist},
		fmt.Errorf("wrap: %w", &wrapErr{"w", fs.ErrNotExist}),
		errors.Join(nil, fs.ErrPermission, fs.ErrClosed),
		fmt.Errorf("two: %w %w", fs.ErrExist, errors.New("y")),
		&loopErr{},
		panicUnwrap{},
		typedNil,
	}
	for _, pc := range append(pcs[:n], 0) {
		for i, err := range errs {
			for _, msg := range []string{"", "open failed", "é\xff"} {
				want := referenceSignature(pc, msg, err)
				for range 2 { // computed, then from the cache
					assert.Equal(t, want, oops.Signature(pc, msg, err), "pc %x err #%d msg %q", pc, i, msg)
				}
			}
		}
	}
}

// TestSignatureCacheEviction asks for far more signatures than the cache
// holds, twice: each must be its own.
func TestSignatureCacheEviction(t *testing.T) {
	err := &wrapErr{"w", fs.ErrNotExist}
	for round := range 2 {
		for i := range 3000 {
			msg := "m" + strconv.Itoa(i)
			if got, want := oops.Signature(0, msg, err), referenceSignature(0, msg, err); got != want {
				t.Fatalf("round %d: Signature(%q) = %s, want %s", round, msg, got, want)
			}
		}
	}
}

// TestCallSiteCacheEviction resolves more program counters than the cache
// holds (every byte of a few functions' code), concurrently and twice.
func TestCallSiteCacheEviction(t *testing.T) {
	var pcs []uintptr
	for _, fn := range []any{TestSignatureMatchesDefinition, referenceSignature, TestCallSiteCacheEviction, TestSignatureCacheEviction, strconv.FormatFloat, fmt.Sscanf, strconv.ParseFloat, strconv.Quote, fmt.Sprintf, reflect.DeepEqual, hex.Dump} {
		f := runtime.FuncForPC(funcPC(fn))
		require.NotNil(t, f)
		for pc := f.Entry() + 1; runtime.FuncForPC(pc-1) == f; pc++ {
			pcs = append(pcs, pc)
		}
	}
	require.Greater(t, len(pcs), 2*1024, "more than the cache holds")
	want := make([]string, len(pcs))
	for i, pc := range pcs {
		f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
		want[i] = f.Function + " " + f.File + ":" + strconv.Itoa(f.Line)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for round := range 2 {
				for i := g; i < len(pcs); i += 3 {
					if got := oops.CallSite(pcs[i]); got != want[i] {
						t.Errorf("round %d: CallSite(%x) = %q, want %q", round, pcs[i], got, want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func funcPC(fn any) uintptr { return reflect.ValueOf(fn).Pointer() }

func TestSignatureAllocatesNothingWhenSeen(t *testing.T) {
	pcs := make([]uintptr, 1)
	runtime.Callers(1, pcs)
	err := fmt.Errorf("wrap: %w", &fs.PathError{Op: "open", Path: "/a", Err: fs.ErrNotExist})
	oops.Signature(pcs[0], "open failed", err)
	allocs := testing.AllocsPerRun(100, func() { oops.Signature(pcs[0], "open failed", err) })
	assert.Zero(t, allocs)
}

func TestCallSiteText(t *testing.T) {
	pcs := make([]uintptr, 1)
	runtime.Callers(1, pcs)
	assert.Contains(t, oops.CallSite(pcs[0]), "oops_test.TestCallSiteText ")
	assert.Contains(t, oops.CallSite(pcs[0]), "signature_test.go:")
	assert.Empty(t, oops.CallSite(0))
}
