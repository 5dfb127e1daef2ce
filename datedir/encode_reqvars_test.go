package datedir

import (
	"fmt"
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
