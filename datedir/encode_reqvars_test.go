package datedir

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSortPairs: request variables come out in key order, few or many.
func TestSortPairs(t *testing.T) {
	for _, n := range []int{0, 1, 2, 9, 16, 17, 100} {
		vars := make([]strPair, n)
		for i := range vars {
			vars[i] = strPair{k: fmt.Sprint("K", rand.IntN(50)), v: fmt.Sprint(i)}
		}
		sortPairs(vars)
		assert.True(t, slices.IsSortedFunc(vars, func(a, b strPair) int {
			switch {
			case a.k < b.k:
				return -1
			case a.k > b.k:
				return 1
			}
			return 0
		}), "%d variables", n)
	}
}

// sortedReqVars writes m as appendReqVars did before it kept the names of
// the variables last written: every key, sorted, cleaned.
func sortedReqVars(m map[string]string) []byte {
	b := head(nil, typeDocument, "req_vars")
	b, at := begin(b)
	keys := slices.Sorted(maps.Keys(m))
	for _, k := range keys {
		b = appendStr(b, cleanKey(k), m[k])
	}
	return end(b, at)
}

// TestAppendReqVarsNames: the request variables are written the same
// whether their names are those of the report written before (looked up)
// or not (sorted, and kept for the next): reports with the same names,
// others, as many names but one different, one more or fewer, names that
// need cleaning, more than namedVars keeps.
func TestAppendReqVarsNames(t *testing.T) {
	base := map[string]string{"REQUEST_METHOD": "GET", "PATH_INFO": "/a", "HTTP_HOST": "example.com"}
	with := func(kv ...string) map[string]string {
		m := maps.Clone(base)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	many := map[string]string{}
	for i := range maxNamed + 3 {
		many[fmt.Sprintf("HTTP_X_%02d", i)] = fmt.Sprint(i)
	}
	swapped := with()
	delete(swapped, "PATH_INFO")
	swapped["PATH_INFO_"] = "/b"
	fewer := with()
	delete(fewer, "HTTP_HOST")
	seq := []map[string]string{
		base, base, with("PATH_INFO", "/other"), swapped, base, with("HTTP_A", "1"), fewer, base,
		with("bad\xffkey", "v", "nul\x00key", "w"), with("bad\xffkey", "v2", "nul\x00key", "w2"),
		many, many, base, {"ONLY": "one"}, {"ONLY": "two"}, base,
	}
	for i, m := range seq {
		got := appendReqVars(nil, "req_vars", m)
		assert.Equal(t, sortedReqVars(m), got, "report %d: %v", i, m)
	}
}

// BenchmarkAppendReqVars writes the request variables of a request with
// three headers.
func BenchmarkAppendReqVars(b *testing.B) {
	m := map[string]string{
		"REQUEST_METHOD": "GET", "PATH_INFO": "/orders/7/pay", "QUERY_STRING": "step=1",
		"SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.1:1234", "HTTP_HOST": "example.com",
		"HTTP_USER_AGENT": "bench", "HTTP_COOKIE": "<hidden>", "HTTP_ACCEPT": "*/*",
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendReqVars(buf[:0], "req_vars", m)
	}
}
