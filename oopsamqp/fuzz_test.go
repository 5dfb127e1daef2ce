package oopsamqp

import (
	"errors"
	"testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
)

// FuzzDecodeMessage feeds the receiver's decoder any body: it returns a
// report with a well-formed id or an error wrapping ErrNotReport, and never
// panics.
func FuzzDecodeMessage(f *testing.F) {
	good, err := datedir.Encode(&oops.Report{ID: oops.NewID(), Type: "ERROR", Value: "x"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte("garbage"))
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add([]byte("BZh91AY&SY"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rep, err := decodeMessage(body, 1<<20)
		if err != nil {
			if !errors.Is(err, ErrNotReport) {
				t.Fatalf("error does not wrap ErrNotReport: %v", err)
			}
			return
		}
		if !oops.ValidID(rep.ID) {
			t.Fatalf("accepted id %q", rep.ID)
		}
	})
}
