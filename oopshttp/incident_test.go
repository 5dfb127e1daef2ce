package oopshttp_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	_ "modernc.org/sqlite"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/oopshttp"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/sqltimeline"
	"github.com/oops-go/oops/zapoops"
)

// openDB opens a fresh in-memory SQLite database through the wrapper.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqltimeline.Open("sqlite", fmt.Sprintf("file:%s?mode=memory&cache=shared", strings.ReplaceAll(t.Name(), "/", "_")), nil)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO accounts VALUES (1, 10)`)
	require.NoError(t, err)
	return db
}

// lines decodes JSON log lines.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		out = append(out, m)
	}
	return out
}

// TestQuotedIDLeadsToTheCause: a request that logs the database error and
// then answers 500 is one incident. The id on the page, in X-Oops-Id and on
// the log line is the report with the cause, completed at the end of the
// request with the status, the duration, the request and the whole
// timeline.
func TestQuotedIDLeadsToTheCause(t *testing.T) {
	for _, how := range []string{"http.Error", "oopshttp.Error", "panic"} {
		t.Run(how, func(t *testing.T) {
			c := new(collector)
			cfg := newConfig(c)
			var logBuf bytes.Buffer
			logger := slog.New(slogoops.NewHandler(slog.NewJSONHandler(&logBuf, nil), cfg,
				&slogoops.Options{Recorder: flight.New(nil)}))
			db := openDB(t)
			srv, done := serve(t, cfg, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := r.Context()
				logger.InfoContext(ctx, "withdrawing", "amount", 50)
				_, err := db.ExecContext(ctx, `UPDATE accounts SET balance = balance - 50 WHERE id = 1`)
				require.Error(t, err)
				logger.ErrorContext(ctx, "withdrawal failed", "err", err)
				_, _ = db.ExecContext(ctx, `SELECT balance FROM accounts WHERE id = 1`)
				switch how {
				case "http.Error":
					http.Error(w, "sorry", http.StatusInternalServerError)
				case "oopshttp.Error":
					oopshttp.Error(w, r, err)
				case "panic":
					panic(err)
				}
			}))
			resp, body := get(t, srv.URL+"/withdraw?amount=50&token=s3cret", "Accept", "text/plain")
			<-done
			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			id := resp.Header.Get(oopshttp.HeaderID)
			require.True(t, oops.ValidID(id), "X-Oops-Id %q", id)
			if how != "http.Error" {
				assert.Contains(t, body, id, "the page quotes it")
			}
			ls := lines(t, &logBuf)
			require.Len(t, ls, 2)
			assert.Equal(t, id, ls[1]["oops_id"], "the log line quotes the same id")

			all := c.all()
			require.Len(t, all, 1, "one request, one incident")
			r := all[0]
			assert.Equal(t, id, r.ID)
			assert.NotContains(t, r.Type, "StatusError")
			assert.Contains(t, r.Value, "CHECK constraint failed", "the cause")
			assert.Equal(t, "withdrawal failed", r.Msg)
			assert.Equal(t, "500", r.Extra[oopshttp.StatusKey])
			assert.Greater(t, r.Duration, 0.0)
			assert.Equal(t, "GET", r.ReqVars["REQUEST_METHOD"])
			assert.Equal(t, "amount=50&token=<hidden>", r.ReqVars["QUERY_STRING"])
			assert.NotContains(t, r.URL, "s3cret")
			var cats []string
			for _, e := range r.Timeline {
				cats = append(cats, e.Category+" "+e.Detail)
			}
			assert.Equal(t, []string{
				"log-INFO withdrawing amount=50",
				"SQL-sqlite UPDATE accounts SET balance = balance - 50 WHERE id = 1",
				"SQL-sqlite SELECT balance FROM accounts WHERE id = 1",
			}, cats, "the whole timeline, also what ran after the report")
			if how == "panic" {
				assert.Contains(t, r.Extra[oopshttp.PanicKey], "CHECK constraint failed")
			}

			raw := c.raw()
			require.Len(t, raw, 2)
			assert.Equal(t, []int{0, 1}, []int{raw[0].Revision, raw[1].Revision})
			assert.Equal(t, []bool{true, false}, []bool{raw[0].Pending, raw[1].Pending})
			assert.Nil(t, raw[0].Extra[oopshttp.StatusKey], "the first revision is made before the status is known")
		})
	}
}

// TestRequestWithoutEarlierReportGetsItsOwn: oopshttp.Error with nothing
// logged before makes the request's report about err.
func TestRequestWithoutEarlierReportGetsItsOwn(t *testing.T) {
	c := new(collector)
	srv, done := serve(t, newConfig(c), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := oopshttp.Error(w, r, fmt.Errorf("loading cart: %w", sql.ErrNoRows))
		assert.True(t, oops.ValidID(id))
	}))
	resp, body := get(t, srv.URL+"/cart", "Accept", "application/json")
	<-done
	id := resp.Header.Get(oopshttp.HeaderID)
	var page struct {
		ID string `json:"oops_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	assert.Equal(t, id, page.ID)
	r := c.one(t)
	assert.Equal(t, id, r.ID)
	assert.Equal(t, "loading cart: sql: no rows in result set", r.Value)
	assert.Equal(t, "500", r.Extra[oopshttp.StatusKey])
	assert.False(t, r.Pending)

	// Outside the middleware: a plain 500, no id.
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	assert.Empty(t, oopshttp.Error(rec, req, errors.New("x")))
	assert.Equal(t, http.StatusInternalServerError, rec.code)
}

type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// TestEveryQuotedIDWasStored: related_ids and log lines name only reports a
// store has; the line says why when nothing was stored.
func TestEveryQuotedIDWasStored(t *testing.T) {
	c := new(collector)
	dropSecond := func(_ context.Context, r *oops.Report) bool { return r.Msg == "dropped by a filter" }
	cfg := newConfig(c)
	cfg.Filters = []oops.Filter{dropSecond}
	var logBuf bytes.Buffer
	rec := flight.New(&flight.Options{OnDrops: func(flight.DropSummary) {}})
	logger := slog.New(slogoops.NewHandler(slog.NewJSONHandler(&logBuf, nil), cfg, &slogoops.Options{Recorder: rec}))
	// zap with a trailing window: its report is published again, under the
	// same id, when the window closes.
	windowed := flight.New(&flight.Options{Window: true})
	zlogs, zobs := observer.New(zapcore.InfoLevel)
	zlogger := zap.New(zlogs).WithOptions(zapoops.WrapCore(cfg, &zapoops.Options{Recorder: windowed}))
	srv, done := serve(t, cfg, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		logger.ErrorContext(ctx, "first")
		logger.WarnContext(ctx, "dropped by a filter")
		zlogger.Error("zap under the window", zapoops.Context(ctx))
		w.WriteHeader(http.StatusBadGateway)
	}))
	resp, _ := get(t, srv.URL)
	<-done
	require.NoError(t, windowed.Flush(context.Background()))
	stored := map[string]bool{}
	for _, r := range c.all() {
		stored[r.ID] = true
	}
	id := resp.Header.Get(oopshttp.HeaderID)
	assert.True(t, stored[id], "X-Oops-Id was stored")
	for _, l := range lines(t, &logBuf) {
		if v, ok := l["oops_id"]; ok {
			assert.True(t, stored[v.(string)], "log line %v quotes a stored id", l)
		} else {
			assert.Equal(t, flight.DropFiltered, l["oops_dropped"], "%v", l)
		}
	}
	require.Equal(t, 1, zobs.Len())
	zid, _ := zobs.All()[0].ContextMap()["oops_id"].(string)
	assert.True(t, stored[zid], "the zap line quotes a stored id")
	own := c.byID(t, id)
	assert.Equal(t, "first", own.Msg)
	assert.Equal(t, []string{zid}, own.Extra[oopshttp.RelatedKey], "the zap report, under the id it is stored under")
	for _, r := range c.all() {
		ids, _ := r.Extra[oopshttp.RelatedKey].([]string)
		for _, rid := range ids {
			assert.True(t, stored[rid], "related id %s was stored", rid)
		}
	}
	assert.Equal(t, uint64(1), rec.Stats().Dropped.Filtered)
}

// TestQueueFullIsSaidOnTheLine: a report an oops.Async refused puts no id on
// the line, but oops_dropped=queue_full.
func TestQueueFullIsSaidOnTheLine(t *testing.T) {
	block := make(chan struct{})
	slow := oops.PublisherFunc(func(ctx context.Context, r *oops.Report) ([]string, error) {
		<-block
		return []string{r.ID}, nil
	})
	async := oops.NewAsync(slow, &oops.AsyncOptions{QueueSize: 1})
	defer func() {
		close(block)
		require.NoError(t, async.Close(context.Background()))
	}()
	var logBuf bytes.Buffer
	var mu sync.Mutex
	var summaries []flight.DropSummary
	rec := flight.New(&flight.Options{NoRateLimit: true, OnDrops: func(s flight.DropSummary) {
		mu.Lock()
		summaries = append(summaries, s)
		mu.Unlock()
	}})
	logger := slog.New(slogoops.NewHandler(slog.NewJSONHandler(&logBuf, nil), &oops.Config{Publisher: async},
		&slogoops.Options{Recorder: rec}))
	for range 5 {
		logger.Error("storm")
	}
	var reasons []string
	ids := 0
	for _, l := range lines(t, &logBuf) {
		if _, ok := l["oops_id"]; ok {
			ids++
			continue
		}
		reasons = append(reasons, l["oops_dropped"].(string))
	}
	assert.GreaterOrEqual(t, ids, 1)
	assert.LessOrEqual(t, ids, 2, "one in flight, one queued")
	assert.NotEmpty(t, reasons)
	for _, r := range reasons {
		assert.Equal(t, flight.DropQueueFull, r)
	}
	mu.Lock()
	assert.Len(t, summaries, 1, "one summary, not one line per drop")
	mu.Unlock()
	assert.Equal(t, uint64(len(reasons)), rec.Stats().Dropped.QueueFull)
}

// TestNoRecordOfOneRequestInAnother: records logged with a request's
// context stay in its timeline; a report made without one shows only what
// was logged without one, under the process log.
func TestNoRecordOfOneRequestInAnother(t *testing.T) {
	c := new(collector)
	cfg := newConfig(c)
	rec := flight.New(nil)
	logger := slog.New(slogoops.NewHandler(nil, cfg, &slogoops.Options{Recorder: rec}))
	srv, done := serve(t, cfg, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "request record", "user", "alice")
		if r.URL.Path == "/fail" {
			logger.ErrorContext(r.Context(), "request failed")
		}
	}))
	get(t, srv.URL+"/ok")
	<-done
	logger.Info("process record")
	logger.Error("background job failed")
	get(t, srv.URL+"/fail")
	<-done

	var bg, req *oops.Report
	for _, r := range c.all() {
		switch r.Msg {
		case "background job failed":
			bg = r
		case "request failed":
			req = r
		}
	}
	require.NotNil(t, bg)
	require.NotNil(t, req)
	var msgs []string
	for _, l := range bg.Log {
		msgs = append(msgs, l.Msg)
	}
	assert.Equal(t, []string{"process record"}, msgs, "no record of any request")
	assert.Empty(t, bg.Timeline)
	var tl []string
	for _, e := range req.Timeline {
		tl = append(tl, e.Detail)
	}
	assert.Equal(t, []string{"request record user=alice"}, tl, "only its own request's record")
	assert.False(t, slices.ContainsFunc(req.Log, func(l oops.LogRecord) bool { return l.Msg == "request record" }))
	var text bytes.Buffer
	require.NoError(t, bg.WriteText(&text))
	assert.Contains(t, text.String(), "logged without a request context")
}

// TestCompletionTimelineAsMadeWhenNothingFollows: a request that records
// nothing after its logged error is completed with the timeline its report
// was made with, the kept record and the statements as they were; one that
// records more is completed with that too.
func TestCompletionTimelineAsMadeWhenNothingFollows(t *testing.T) {
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprint("statement after: ", after), func(t *testing.T) {
			c := new(collector)
			cfg := newConfig(c)
			logger := slog.New(slogoops.NewHandler(slog.DiscardHandler, cfg, &slogoops.Options{Recorder: flight.New(nil)}))
			db := openDB(t)
			srv, done := serve(t, cfg, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := r.Context()
				logger.InfoContext(ctx, "withdrawing", "amount", 50)
				_, err := db.ExecContext(ctx, `UPDATE accounts SET balance = balance - 50 WHERE id = 1`)
				require.Error(t, err)
				logger.ErrorContext(ctx, "withdrawal failed", "err", err)
				if after {
					_, _ = db.ExecContext(ctx, `SELECT balance FROM accounts WHERE id = 1`)
				}
				w.WriteHeader(http.StatusOK)
			}))
			resp, _ := get(t, srv.URL+"/withdraw")
			<-done
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			raw := c.raw()
			require.Len(t, raw, 2)
			require.Len(t, raw[0].Timeline, 2)
			assert.Equal(t, "withdrawing amount=50", raw[0].Timeline[0].Detail)
			assert.Contains(t, raw[0].Timeline[1].Error, "CHECK constraint failed")
			if !after {
				assert.Equal(t, raw[0].Timeline, raw[1].Timeline)
				return
			}
			require.Len(t, raw[1].Timeline, 3)
			assert.Equal(t, raw[0].Timeline, raw[1].Timeline[:2])
			assert.Equal(t, "SELECT balance FROM accounts WHERE id = 1", raw[1].Timeline[2].Detail)
		})
	}
}
