package oopshttp

import (
	"strconv"
	"sync"
)

// statusValues holds the text of each valid status code (100 to 599) as
// the value Report.Extra[StatusKey] takes: a request's report gets its
// status twice (made, then completed), and a boxed string made once costs
// neither the text nor the interface an allocation.
var statusValues = sync.OnceValue(func() *[500]any {
	var a [500]any
	for i := range a {
		a[i] = strconv.Itoa(100 + i)
	}
	return &a
})

// statusValue returns code's text, for Report.Extra[StatusKey].
func statusValue(code int) any {
	if code >= 100 && code < 600 {
		return statusValues()[code-100]
	}
	return strconv.Itoa(code)
}
