package oopshttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/timeline"
)

func ExampleNewTransport() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "[]")
	}))
	defer api.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: oopshttp.NewTransport(base, nil)}

	// In a handler behind the middleware, r.Context() carries the timeline.
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api.URL+"/v1/items?page=2&token=s3cr3t", nil)
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close() // the entry ends here

	for _, e := range tl.Entries() {
		fmt.Println(e.Category, strings.Replace(e.Detail, api.URL, "http://api", 1))
	}
	// Output:
	// http-GET http://api/v1/items?page=2&token=<hidden> -> 200
}
