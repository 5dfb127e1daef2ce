package oopshttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachRequestGetsTimelineAndRequest(t *testing.T) {
	var mu sync.Mutex
	seen := map[*timeline.Timeline]bool{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tl := timeline.FromContext(r.Context())
		if !assert.NotNil(t, tl, "timeline in context") {
			return
		}
		mu.Lock()
		seen[tl] = true
		mu.Unlock()
		assert.Same(t, r, oopshttp.RequestFromContext(r.Context()))
		// A context derived from the request's still finds it.
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		assert.Same(t, r, oopshttp.RequestFromContext(ctx))
		assert.Same(t, tl, timeline.FromContext(ctx))
		assert.False(t, oopshttp.StartFromContext(ctx).IsZero())
		_, _ = io.WriteString(w, "ok")
	})
	srv, _ := serve(t, nil, nil, h)
	for range 3 {
		resp, body := get(t, srv.URL)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "ok", body)
	}
	assert.Len(t, seen, 3, "a fresh timeline per request")

	assert.Nil(t, oopshttp.RequestFromContext(context.Background()))
	//lint:ignore SA1012 a nil context must be safe too
	assert.Nil(t, oopshttp.RequestFromContext(nil))
	assert.True(t, oopshttp.StartFromContext(context.Background()).IsZero())
}

func TestPanicBecomesReportAndPage(t *testing.T) {
	c := new(collector)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000") // must not survive onto the error page
		timeline.FromContext(r.Context()).Start("SQL-main", "SELECT 1").Finish()
		panicking()
	})
	srv, _ := serve(t, newConfig(c), nil, mux)

	resp, body := get(t, srv.URL+"/items/7?x=1", "Cookie", "session=s3cret", "Authorization", "Bearer tok3n")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	id := resp.Header.Get(oopshttp.HeaderID)
	require.True(t, oops.ValidID(id), "X-Oops-Id %q", id)
	assert.Contains(t, body, "<strong>"+id+"</strong>")

	r := c.one(t)
	assert.Equal(t, id, r.ID)
	assert.Equal(t, "*oops.PanicError", r.Type)
	assert.Equal(t, "panic: kaboom", r.Value)
	assert.Equal(t, srv.URL+"/items/7?x=1", r.URL)
	assert.Equal(t, "GET /items/{id}", r.Topic)
	assert.Equal(t, "500", r.Extra[oopshttp.StatusKey])
	assert.GreaterOrEqual(t, r.Duration, 0.0)
	assert.Equal(t, "GET", r.ReqVars["REQUEST_METHOD"])
	assert.Equal(t, "/items/7", r.ReqVars["PATH_INFO"])
	assert.Equal(t, "x=1", r.ReqVars["QUERY_STRING"])
	assert.Equal(t, "<hidden>", r.ReqVars["HTTP_COOKIE"])
	assert.Equal(t, "Bearer <hidden>", r.ReqVars["HTTP_AUTHORIZATION"])
	assert.True(t, strings.HasPrefix(r.TBText, "github.com/oops-go/oops/oopshttp_test.panicking("), "traceback starts at the panic:\n%s", r.TBText)
	require.Len(t, r.Timeline, 1)
	assert.Equal(t, "SELECT 1", r.Timeline[0].Detail)

	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "s3cret")
	assert.NotContains(t, string(b), "tok3n")
}

func panicking() { panic("kaboom") }

func TestPanicPageFormats(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), nil, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("no") }))
	for _, tc := range []struct {
		accept, contentType string
	}{
		{"", "text/html; charset=utf-8"},
		{"*/*", "text/html; charset=utf-8"},
		{"text/plain", "text/plain; charset=utf-8"},
		{"application/json", "application/json"},
		{"application/problem+json", "application/json"},
		{"text/html;q=0.5, application/json", "application/json"},
		{"application/json;q=0, text/plain;q=0.1", "text/plain; charset=utf-8"},
		{"application/json;q=0", "text/html; charset=utf-8"},
		{"image/png", "text/html; charset=utf-8"},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			resp, body := get(t, srv.URL, "Accept", tc.accept)
			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			assert.Equal(t, tc.contentType, resp.Header.Get("Content-Type"))
			id := resp.Header.Get(oopshttp.HeaderID)
			require.True(t, oops.ValidID(id))
			assert.Contains(t, body, id)
			if tc.contentType == "application/json" {
				var page struct {
					Error  string `json:"error"`
					Status int    `json:"status"`
					ID     string `json:"oops_id"`
				}
				require.NoError(t, json.Unmarshal([]byte(body), &page))
				assert.Equal(t, id, page.ID)
				assert.Equal(t, 500, page.Status)
				assert.Equal(t, "Internal Server Error", page.Error)
			}
			assert.Equal(t, id, c.byID(t, id).ID)
		})
	}
}

func TestErrorTemplate(t *testing.T) {
	c := new(collector)
	tmpl := template.Must(template.New("p").Parse(`<p>quote {{.ID}} ({{.Status}} {{.StatusText}})</p>`))
	srv, _ := serve(t, newConfig(c), &oopshttp.Options{ErrorTemplate: tmpl},
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("no") }))
	resp, body := get(t, srv.URL)
	id := resp.Header.Get(oopshttp.HeaderID)
	assert.Equal(t, "<p>quote "+id+" (500 Internal Server Error)</p>", body)

	// A template that fails still leaves the user the default page.
	broken := template.Must(template.New("p").Parse(`{{.Missing}}`))
	srv2, _ := serve(t, newConfig(c), &oopshttp.Options{ErrorTemplate: broken},
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("no") }))
	resp, body = get(t, srv2.URL)
	id = resp.Header.Get(oopshttp.HeaderID)
	assert.Contains(t, body, "<strong>"+id+"</strong>")
}

func TestPanicWithErrorKeepsItsType(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), nil, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		var s []int
		_ = s[3] // a runtime.Error
	}))
	resp, _ := get(t, srv.URL)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	r := c.one(t)
	assert.Equal(t, "runtime.boundsError", r.Type)
	assert.Contains(t, r.Value, "runtime error: index out of range")
}

func TestPanicAfterResponseStartedAborts(t *testing.T) {
	c := new(collector)
	srv, done := serve(t, newConfig(c), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic(errors.New("late failure"))
	}))
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, resp.Header.Get(oopshttp.HeaderID))
	body, err := io.ReadAll(resp.Body)
	assert.Error(t, err, "the connection is aborted, the body cut short")
	assert.Equal(t, "partial", string(body))
	<-done
	r := c.one(t)
	assert.Equal(t, "*errors.errorString", r.Type)
	assert.Equal(t, "late failure", r.Value)
	assert.Equal(t, "200", r.Extra[oopshttp.StatusKey])
}

func TestErrAbortHandlerIsNotReported(t *testing.T) {
	c := new(collector)
	srv, done := serve(t, newConfig(c), nil, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	_, err := http.Get(srv.URL)
	assert.Error(t, err, "the server aborts the connection")
	<-done
	assert.Empty(t, c.all())
}

func TestClientGoneIsNotReported(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request)
	}{
		{"5xx", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, r.Context().Err().Error(), http.StatusInternalServerError)
		}},
		{"panic", func(_ http.ResponseWriter, r *http.Request) {
			panic(r.Context().Err())
		}},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "late")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := new(collector)
			started := make(chan struct{})
			srv, done := serve(t, newConfig(c), &oopshttp.Options{SoftTimeout: time.Millisecond},
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					close(started)
					<-r.Context().Done()
					tc.fail(w, r)
				}))
			ctx, cancel := context.WithCancel(context.Background())
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			require.NoError(t, err)
			go func() {
				<-started
				cancel()
			}()
			_, err = http.DefaultClient.Do(req)
			assert.ErrorIs(t, err, context.Canceled)
			<-done
			assert.Empty(t, c.all())
		})
	}
}

func TestPanicWithCanceledWhileClientStaysIsReported(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), nil, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(context.Canceled) // the handler's own context, not the client's
	}))
	resp, _ := get(t, srv.URL)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "*errors.errorString", c.one(t).Type)
}

func Test5xxReportedWithHeader(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		unavailable(w)
	}))
	resp, body := get(t, srv.URL+"/down")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "try later\n", body, "the body is the handler's")
	id := resp.Header.Get(oopshttp.HeaderID)
	require.True(t, oops.ValidID(id), "X-Oops-Id %q", id)
	r := c.one(t)
	assert.Equal(t, id, r.ID)
	assert.Equal(t, "*oopshttp.StatusError", r.Type)
	assert.Equal(t, "HTTP status 503 Service Unavailable", r.Value)
	assert.Equal(t, "503", r.Extra[oopshttp.StatusKey])
	assert.Equal(t, srv.URL+"/down", r.URL)
	assert.True(t, strings.HasPrefix(r.TBText, "github.com/oops-go/oops/oopshttp_test.unavailable("), "traceback starts where the status was written:\n%s", r.TBText)
}

func unavailable(w http.ResponseWriter) { http.Error(w, "try later", http.StatusServiceUnavailable) }

func TestInformationalThen5xx(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusBadGateway)
	}))
	resp, _ := get(t, srv.URL)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, c.one(t).ID, resp.Header.Get(oopshttp.HeaderID))
	assert.Equal(t, "502", c.one(t).Extra[oopshttp.StatusKey])
}

func TestSuperfluousWriteHeaderMakesNoSecondReport(t *testing.T) {
	c := new(collector)
	rec := httptest.NewRecorder()
	oopshttp.Middleware(newConfig(c), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "x")
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusBadGateway, rec.Code)
	assert.Equal(t, "502", c.one(t).Extra[oopshttp.StatusKey])
}

func TestPanicAfter5xxCompletesTheStatusReport(t *testing.T) {
	c := new(collector)
	rec := httptest.NewRecorder()
	func() {
		defer func() { assert.Equal(t, http.ErrAbortHandler, recover(), "the response had started") }()
		oopshttp.Middleware(newConfig(c), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			panic("and then")
		})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	r := c.one(t)
	assert.Equal(t, r.ID, rec.Header().Get(oopshttp.HeaderID), "one request, one incident")
	assert.Equal(t, "panic: and then", r.Extra[oopshttp.PanicKey])
	assert.False(t, r.Pending)
	raw := c.raw()
	require.Len(t, raw, 2, "published at the status, completed at the end")
	assert.True(t, raw[0].Pending)
	assert.Equal(t, 0, raw[0].Revision)
	assert.Equal(t, 1, raw[1].Revision)
}

func TestReportStatuses(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), &oopshttp.Options{ReportStatuses: []string{"404", "41", ""}},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/404":
				http.NotFound(w, r)
			case "/418":
				w.WriteHeader(http.StatusTeapot)
			case "/400":
				w.WriteHeader(http.StatusBadRequest)
			case "/500":
				w.WriteHeader(http.StatusInternalServerError)
			default:
				_, _ = io.WriteString(w, "fine")
			}
		}))
	for path, reported := range map[string]bool{"/404": true, "/418": true, "/400": false, "/500": true, "/": false} {
		t.Run(path, func(t *testing.T) {
			before := len(c.all())
			resp, _ := get(t, srv.URL+path)
			all := c.all()
			if !reported {
				assert.Len(t, all, before)
				assert.Empty(t, resp.Header.Get(oopshttp.HeaderID))
				return
			}
			require.Len(t, all, before+1)
			r := all[len(all)-1]
			assert.Equal(t, path[1:], r.Extra[oopshttp.StatusKey])
			if resp.StatusCode >= 500 {
				assert.Equal(t, r.ID, resp.Header.Get(oopshttp.HeaderID))
			} else {
				assert.Empty(t, resp.Header.Get(oopshttp.HeaderID), "chosen statuses add no header")
			}
		})
	}
}

func TestImplicit200CanBeReported(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), &oopshttp.Options{ReportStatuses: []string{"200"}},
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	resp, _ := get(t, srv.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "200", c.one(t).Extra[oopshttp.StatusKey])
}

func TestSoftTimeout(t *testing.T) {
	c := new(collector)
	opts := &oopshttp.Options{SoftTimeout: 20 * time.Millisecond}
	srv, done := serve(t, newConfig(c), opts, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			time.Sleep(50 * time.Millisecond)
			_, _ = io.WriteString(w, "slow")
		case "/slow-empty":
			time.Sleep(50 * time.Millisecond)
		case "/early":
			_, _ = io.WriteString(w, "early")
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		case "/slow-5xx":
			time.Sleep(50 * time.Millisecond)
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))

	resp, body := get(t, srv.URL+"/slow")
	<-done
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "slow", body, "the response is unchanged")
	assert.Empty(t, resp.Header.Get(oopshttp.HeaderID))
	r := c.one(t)
	assert.Equal(t, oopshttp.SoftRequestTimeout, r.Type)
	assert.Contains(t, r.Value, "over the soft time-out of 20ms")
	assert.Equal(t, "200", r.Extra[oopshttp.StatusKey])
	assert.Equal(t, srv.URL+"/slow", r.URL)
	assert.GreaterOrEqual(t, r.Duration, 0.05)

	get(t, srv.URL+"/slow-empty")
	<-done
	require.Len(t, c.all(), 2, "a handler that writes nothing sends its first byte when it returns")
	assert.Equal(t, oopshttp.SoftRequestTimeout, c.all()[1].Type)

	get(t, srv.URL+"/early")
	<-done
	assert.Len(t, c.all(), 2, "the first byte came in time")

	resp, _ = get(t, srv.URL+"/slow-5xx")
	<-done
	require.Len(t, c.all(), 3, "one report for a slow 5xx")
	assert.Equal(t, "*oopshttp.StatusError", c.all()[2].Type)
	assert.Equal(t, c.all()[2].ID, resp.Header.Get(oopshttp.HeaderID))
}

func TestRelatedReportsMakeOneIncident(t *testing.T) {
	c := new(collector)
	cfg := newConfig(c)
	logged := make(chan string, 3)
	srv, _ := serve(t, cfg, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		timeline.FromContext(ctx).Start("SQL-main", "UPDATE accounts SET x = 1").Finish()
		// What the slog handler or the zap core does with an error record.
		first := cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "update failed"})
		_, err := cfg.Publish(ctx, first)
		assert.NoError(t, err)
		logged <- first.ID
		// Another goroutine of the request reports too.
		var wg sync.WaitGroup
		wg.Go(func() {
			second := cfg.Create(ctx, oops.Event{Level: "WARN", Msg: "retrying"})
			_, _ = cfg.Publish(ctx, second)
			logged <- second.ID
		})
		wg.Wait()
		// A report a filter dropped is listed nowhere.
		dropped := &oops.Config{Publisher: c, Filters: []oops.Filter{func(context.Context, *oops.Report) bool { return true }}}
		_, err = dropped.Publish(ctx, dropped.Create(ctx, oops.Event{Msg: "dropped"}))
		assert.ErrorIs(t, err, oops.ErrFiltered)
		// An id a publisher gave by other means.
		oopshttp.NoteID(ctx, "OOPS-00000000000000000000000000000001")
		oopshttp.NoteID(ctx, "")
		timeline.FromContext(ctx).Start("SQL-main", "ROLLBACK").Finish()
		panic("giving up")
	}))
	resp, _ := get(t, srv.URL+"/pay")
	first, second := <-logged, <-logged
	assert.Equal(t, first, resp.Header.Get(oopshttp.HeaderID), "the first report is the request's")
	own := c.byID(t, first)
	assert.Equal(t, []string{second, "OOPS-00000000000000000000000000000001"}, own.Extra[oopshttp.RelatedKey])
	assert.Equal(t, "update failed", own.Value, "the cause")
	assert.Equal(t, "panic: giving up", own.Extra[oopshttp.PanicKey])
	assert.Equal(t, "500", own.Extra[oopshttp.StatusKey])
	assert.Equal(t, 1, own.Revision)
	assert.False(t, own.Pending)
	require.Len(t, own.Timeline, 2, "the whole timeline, to the end of the request")
	assert.Equal(t, "ROLLBACK", own.Timeline[1].Detail)
	assert.Len(t, c.all(), 2, "no report of its own for the panic")

	for _, id := range []string{first, second} {
		r := c.byID(t, id)
		assert.Equal(t, srv.URL+"/pay", r.URL, "every report of the request carries it")
		require.NotEmpty(t, r.Timeline, "every report shares the request's timeline")
		assert.Equal(t, "UPDATE accounts SET x = 1", r.Timeline[0].Detail)
		_, listed := r.Extra[oopshttp.RelatedKey]
		assert.Equal(t, id == first, listed, "only the request's report lists the others")
	}
}

func TestRelatedIDsAreBounded(t *testing.T) {
	c := new(collector)
	srv, _ := serve(t, newConfig(c), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 150 {
			oopshttp.NoteID(r.Context(), strings.Repeat("x", i+1))
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	get(t, srv.URL)
	r := c.one(t)
	assert.Len(t, r.Extra[oopshttp.RelatedKey], 100)
	assert.Equal(t, 50, r.Extra[oopshttp.RelatedDroppedKey])
}

func TestRequestAttachedWithoutHooks(t *testing.T) {
	// The middleware's own reports carry the request even when the Config
	// does not run AttachRequest.
	c := new(collector)
	srv, _ := serve(t, &oops.Config{Publisher: c}, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	get(t, srv.URL+"/x?y=z")
	r := c.one(t)
	assert.Equal(t, srv.URL+"/x?y=z", r.URL)
	assert.Equal(t, "y=z", r.ReqVars["QUERY_STRING"])
}

func TestPublishErrors(t *testing.T) {
	failing := oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) {
		return nil, errors.New("disk full")
	})
	var mu sync.Mutex
	var got []error
	opts := &oopshttp.Options{PublishError: func(_ context.Context, r *oops.Report, err error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, err)
	}}
	srv, _ := serve(t, &oops.Config{Publisher: failing}, opts, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("no")
	}))
	resp, body := get(t, srv.URL)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Empty(t, resp.Header.Get(oopshttp.HeaderID), "no id of a report that was not stored")
	assert.NotContains(t, body, "OOPS-")
	assert.Contains(t, body, "Something broke")
	mu.Lock()
	require.Len(t, got, 1)
	assert.EqualError(t, got[0], "disk full")
	mu.Unlock()

	// A filtered report is not an error.
	got = nil
	filtered := &oops.Config{Publisher: failing, Filters: []oops.Filter{func(context.Context, *oops.Report) bool { return true }}}
	srv2, _ := serve(t, filtered, opts, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("no") }))
	get(t, srv2.URL)
	mu.Lock()
	assert.Empty(t, got)
	mu.Unlock()
}

func TestZeroValues(t *testing.T) {
	h := oopshttp.Middleware(nil, nil)(nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)

	rec = httptest.NewRecorder()
	oopshttp.Middleware(nil, nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("no") })).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Empty(t, rec.Header().Get(oopshttp.HeaderID), "the zero Config stores nothing: no id to quote")
}

func TestConcurrentRequestsKeepTheirIncidents(t *testing.T) {
	c := new(collector)
	cfg := newConfig(c)
	srv, _ := serve(t, cfg, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		rep := cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: r.URL.Path})
		_, _ = cfg.Publish(ctx, rep)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			resp, err := http.Get(srv.URL + "/r" + strings.Repeat("x", i))
			if !assert.NoError(t, err) {
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	all := c.all()
	require.Len(t, all, 20, "one incident per request")
	for _, r := range all {
		assert.Equal(t, "ERROR", r.Type)
		assert.Equal(t, "500", r.Extra[oopshttp.StatusKey])
		assert.Equal(t, r.Value, strings.TrimPrefix(r.URL, srv.URL), "the report is of its own request")
		assert.Nil(t, r.Extra[oopshttp.RelatedKey])
	}
}

func TestNestedMiddlewareReportsOnce(t *testing.T) {
	c := new(collector)
	cfg := newConfig(c)
	var outerTL *timeline.Timeline
	inner := oopshttp.Middleware(cfg, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Same(t, outerTL, timeline.FromContext(r.Context()), "the outer timeline is kept")
		panic("once")
	}))
	outer := oopshttp.Middleware(cfg, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outerTL = timeline.FromContext(r.Context())
		inner.ServeHTTP(w, r)
	}))
	rec := httptest.NewRecorder()
	outer.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, c.one(t).ID, rec.Header().Get(oopshttp.HeaderID))
}
