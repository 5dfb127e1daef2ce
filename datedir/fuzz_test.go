package datedir

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FuzzDecode checks that no file content makes the decoder panic (it runs
// without Decode's recover), that every failure wraps ErrCorrupt, and that
// whatever decodes encodes again into a report that survives a second round
// trip unchanged. The seed corpus is in testdata/fuzz/FuzzDecode and
// testdata/pyrepo.
func FuzzDecode(f *testing.F) {
	// Decompression bombs up to MaxReportSize are refused, but take a
	// while; keep them small here (TestDecodeBomb covers the real limit).
	readLimit = 256 << 10
	f.Cleanup(func() { readLimit = MaxReportSize })
	for _, p := range []string{
		filepath.Join("testdata", "pyrepo", "2024-05-06", pyPlainID),
		filepath.Join("testdata", "pyrepo", "2024-05-07", pyBzip2ID),
		filepath.Join("testdata", "python-encoded.bson"),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, doc := range []bson.D{
		{{Key: "id", Value: "OOPS-1"}, {Key: "req_vars", Value: bson.A{bson.A{"a"}, "x", bson.A{"b", "c", "d"}, bson.A{"n", bson.D{{Key: "k", Value: 1}}}}}},
		{{Key: "time", Value: "10000-01-02T03:04:05Z"}, {Key: "duration", Value: "slow"}, {Key: "timeline", Value: "x"}},
		{{Key: "pending", Value: "yes"}, {Key: "undecodable_pending", Value: 1}, {Key: "log", Value: bson.A{bson.D{{Key: "time", Value: "-0001-01-01T00:00:00Z"}}}}},
	} {
		data, err := bson.Marshal(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decode(data)
		if err != nil {
			if r != nil {
				t.Fatal("a report and an error")
			}
			if !isCorrupt(err) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		once, err := Encode(r)
		if err != nil {
			t.Fatalf("a decoded report does not encode: %v", err)
		}
		if err := bson.Raw(once).Validate(); err != nil {
			t.Fatalf("encoded an invalid document: %v", err)
		}
		r2, err := decode(once)
		if err != nil {
			t.Fatalf("our own encoding does not decode: %v\n%s", err, bson.Raw(once))
		}
		twice, err := Encode(r2)
		if err != nil {
			t.Fatal(err)
		}
		r3, err := decode(twice)
		if err != nil {
			t.Fatal(err)
		}
		thrice, err := Encode(r3)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(twice, thrice) {
			t.Fatalf("round trip is not stable:\n%s\n%s", bson.Raw(twice), bson.Raw(thrice))
		}
	})
}
