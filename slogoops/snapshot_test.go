package slogoops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/flight"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
)

type point struct{ X, Y int }

// counter is a LogValuer that says how often it was asked.
type counter struct{ n *atomic.Int64 }

func (c counter) LogValue() slog.Value { return slog.Int64Value(c.n.Add(1)) }

// TestKeptRecordsShowWhatWasLogged: a record kept below the report level
// shows the values as they were at the log call, in the rings, in a ctx
// timeline and under WithAttrs.
func TestKeptRecordsShowWhatWasLogged(t *testing.T) {
	for _, where := range []string{"ring", "timeline"} {
		t.Run(where, func(t *testing.T) {
			rec := flight.New(nil)
			st := &store{}
			logger := slog.New(slogoops.NewHandler(nil, &oops.Config{Publisher: st}, &slogoops.Options{Recorder: rec}))
			ctx := context.Background()
			if where == "timeline" {
				ctx = timeline.NewContext(ctx, timeline.New())
			}
			items := []string{"a", "b"}
			m := map[string]int{"k": 1}
			buf := []byte("before")
			p := &point{X: 1, Y: 2}
			var n atomic.Int64
			scoped := logger.With("scope", items)
			scoped.InfoContext(ctx, "kept", "items", items, "m", m, "buf", buf, "p", p, "lazy", counter{&n},
				slog.Group("g", "inner", items))
			assert.Equal(t, int64(1), n.Load(), "the LogValuer is resolved at the log call")
			items[0], m["k"], buf[0], p.X = "CHANGED", 99, 'X', 99
			logger.ErrorContext(ctx, "report")
			assert.Equal(t, int64(1), n.Load(), "and not again")

			r := st.only(t)
			var attrs map[string]any
			if where == "ring" {
				require.Len(t, r.Log, 1)
				attrs = r.Log[0].Attrs
			} else {
				require.Len(t, r.Timeline, 1)
				assert.Equal(t, "log-INFO", r.Timeline[0].Category)
				d := r.Timeline[0].Detail
				assert.NotContains(t, d, "CHANGED")
				assert.NotContains(t, d, "99")
				assert.Contains(t, d, "lazy=1")
				return
			}
			assert.Equal(t, []any{"a", "b"}, attrs["items"])
			assert.Equal(t, []any{"a", "b"}, attrs["scope"])
			assert.Equal(t, map[string]any{"k": int64(1)}, attrs["m"])
			assert.Equal(t, "before", attrs["buf"])
			assert.Contains(t, attrs["p"], "X:1")
			assert.Equal(t, int64(1), attrs["lazy"])
			assert.Equal(t, map[string]any{"inner": []any{"a", "b"}}, attrs["g"])
		})
	}
}

// TestMapWrittenAfterTheLogCallDoesNotCrash: a map the caller keeps
// writing to after logging it is read only at the log call. Before
// snapshots, rendering it for a report while the caller wrote to it was a
// fatal "concurrent map iteration and map write".
func TestMapWrittenAfterTheLogCallDoesNotCrash(t *testing.T) {
	rec := flight.New(&flight.Options{NoRateLimit: true})
	logger := slog.New(slogoops.NewHandler(nil, &oops.Config{Publisher: &store{}}, &slogoops.Options{Recorder: rec}))
	m := map[string]int{}
	for i := range 1000 {
		m[strings.Repeat("k", i+1)] = i
	}
	logger.Info("state", "m", m)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				m[strings.Repeat("k", i%1000+1)] = i
			}
		}
	})
	for range 500 {
		logger.Error("report reads the rings")
	}
	close(stop)
	wg.Wait()
}

// TestPrecedenceAndResource: the attribute named by a key wins over the
// template and the hooks; "resource" fills Report.Resource.
func TestPrecedenceAndResource(t *testing.T) {
	st := &store{}
	cfg := &oops.Config{Publisher: st, Template: oops.Report{Topic: "from-template", Username: "template-user"}}
	logger := slog.New(slogoops.NewHandler(nil, cfg, &slogoops.Options{Recorder: flight.New(nil)}))
	ctx := oops.WithResource(context.Background(), "order/1")
	logger.ErrorContext(ctx, "failed", "topic", "from-attr", "resource", "order/8123")
	logger.ErrorContext(ctx, "failed again")
	all := st.all()
	require.Len(t, all, 2)
	assert.Equal(t, "from-attr", all[0].Topic, "the attribute wins")
	assert.Equal(t, "template-user", all[0].Username)
	assert.Equal(t, "order/8123", all[0].Resource, "the attribute wins over the context")
	assert.Equal(t, "from-template", all[1].Topic)
	assert.Equal(t, "order/1", all[1].Resource)
}

// TestIDTopLevel: under WithGroup the id lands in the group, unless
// IDTopLevel asks for the top level.
func TestIDTopLevel(t *testing.T) {
	for _, top := range []bool{false, true} {
		var buf bytes.Buffer
		st := &store{}
		logger := slog.New(slogoops.NewHandler(slog.NewJSONHandler(&buf, nil), &oops.Config{Publisher: st},
			&slogoops.Options{Recorder: flight.New(nil), IDTopLevel: top}))
		logger.With("a", 1).WithGroup("req").With("b", 2).Error("failed", "c", 3)
		var line map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
		id := st.only(t).ID
		assert.Equal(t, float64(1), line["a"])
		if top {
			assert.Equal(t, id, line["oops_id"])
			assert.Equal(t, map[string]any{"b": float64(2), "c": float64(3)}, line["req"])
		} else {
			assert.Equal(t, map[string]any{"b": float64(2), "c": float64(3), "oops_id": id}, line["req"])
		}
	}
}

// TestWindowRevisions: a report with a trailing window goes out Pending
// at revision 0 and completed at revision 1 when the window closes.
func TestWindowRevisions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := flight.New(&flight.Options{Window: true, WindowDuration: 5 * time.Second})
		st := &store{}
		logger := slog.New(slogoops.NewHandler(nil, &oops.Config{Publisher: st}, &slogoops.Options{Recorder: rec}))
		logger.Error("trigger")
		logger.Info("after")
		require.Len(t, st.all(), 1)
		assert.True(t, st.all()[0].Pending)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		all := st.all()
		require.Len(t, all, 2)
		assert.Equal(t, all[0].ID, all[1].ID)
		assert.Equal(t, 1, all[1].Revision)
		assert.False(t, all[1].Pending)
		require.NotEmpty(t, all[1].Log)
		assert.Equal(t, "after", all[1].Log[len(all[1].Log)-1].Msg)
	})
}
