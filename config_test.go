package oops_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oops-go/oops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// collector is a Publisher that keeps what it is given and answers with
// the report's id (or the ids it is told to).
type collector struct {
	got []*oops.Report
	ids []string // returned instead of r.ID when set
	err error
}

func (c *collector) Publish(_ context.Context, r *oops.Report) ([]string, error) {
	c.got = append(c.got, r)
	if c.err != nil {
		return nil, c.err
	}
	if c.ids != nil {
		return c.ids, nil
	}
	return []string{r.ID}, nil
}

func TestCreateRunsHooksInOrder(t *testing.T) {
	var order []string
	hook := func(name string) oops.Hook {
		return func(_ context.Context, r *oops.Report, _ *oops.Event) {
			order = append(order, name)
			r.Topic += name // a hook sees what earlier hooks wrote
		}
	}
	cfg := &oops.Config{Hooks: []oops.Hook{hook("a"), hook("b"), hook("c")}}
	r := cfg.Create(context.Background(), oops.Event{})
	assert.Equal(t, []string{"a", "b", "c"}, order)
	assert.Equal(t, "abc", r.Topic)
}

func TestCreateHooksSeeContextAndEvent(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "request-7")
	boom := errors.New("boom")
	var sawCtx any
	var sawEv *oops.Event
	cfg := &oops.Config{Hooks: []oops.Hook{func(ctx context.Context, _ *oops.Report, ev *oops.Event) {
		sawCtx = ctx.Value(key{})
		sawEv = ev
	}}}
	cfg.Create(ctx, oops.Event{Err: boom, Level: "ERROR", Msg: "m"})
	assert.Equal(t, "request-7", sawCtx)
	require.NotNil(t, sawEv)
	assert.Same(t, boom, sawEv.Err)
	assert.Equal(t, "m", sawEv.Msg)

	// A nil context is tolerated: hooks get a usable one.
	var got context.Context
	cfg.Hooks = []oops.Hook{func(ctx context.Context, _ *oops.Report, _ *oops.Event) { got = ctx }}
	cfg.Filters = []oops.Filter{func(ctx context.Context, _ *oops.Report) bool { got = ctx; return false }}
	//lint:ignore SA1012 the API must not panic on a nil ctx
	r := cfg.Create(nil, oops.Event{})
	require.NotNil(t, got)
	assert.NoError(t, got.Err())
	got = nil
	//lint:ignore SA1012 the API must not panic on a nil ctx
	_, err := cfg.Publish(nil, r)
	assert.NoError(t, err)
	require.NotNil(t, got)
}

func TestCreateNilHooksRunDefaults(t *testing.T) {
	cfg := &oops.Config{}
	r := cfg.Create(context.Background(), oops.Event{Err: errors.New("boom")})
	assert.False(t, r.Time.IsZero(), "AttachTime ran")
	assert.NotEmpty(t, r.Hostname, "AttachHostname ran")
	assert.Equal(t, "*errors.errorString", r.Type, "AttachError ran")
	assert.Equal(t, "boom", r.Value)
	assert.True(t, oops.ValidID(r.ID))
	assert.Equal(t, -1.0, r.Duration, "duration unknown unless set")
}

func TestCreateNoHooksRunsNone(t *testing.T) {
	cfg := &oops.Config{NoHooks: true}
	r := cfg.Create(context.Background(), oops.Event{Err: errors.New("boom")})
	assert.True(t, r.Time.IsZero())
	assert.Empty(t, r.Hostname)
	assert.Empty(t, r.Type)
	assert.Empty(t, r.Value)
	assert.True(t, oops.ValidID(r.ID), "the id is given even without hooks")
}

func TestCreateCopiesTemplate(t *testing.T) {
	cfg := &oops.Config{
		Template: oops.Report{
			ID:       "OOPS-template-id-is-not-kept",
			Reporter: "billing-7",
			Hostname: "from-template",
			Duration: 2.5,
			ReqVars:  map[string]string{"a": "1"},
			Attrs:    map[string]any{"b": 2},
			Extra:    map[string]any{"c": 3},
			Timeline: []oops.TimelineEntry{{Category: "boot"}},
			Log:      []oops.LogRecord{{Msg: "started"}},
		},
		Hooks: []oops.Hook{oops.AttachHostname},
	}
	r1 := cfg.Create(context.Background(), oops.Event{})
	r2 := cfg.Create(context.Background(), oops.Event{})
	assert.Equal(t, "billing-7", r1.Reporter)
	assert.Equal(t, "from-template", r1.Hostname, "the template's hostname wins")
	assert.Equal(t, 2.5, r1.Duration)
	assert.NotEqual(t, cfg.Template.ID, r1.ID)
	assert.NotEqual(t, r1.ID, r2.ID)

	r1.ReqVars["a"] = "changed"
	r1.Attrs["b"] = "changed"
	r1.Extra["c"] = "changed"
	r1.Timeline[0].Category = "changed"
	r1.Log[0].Msg = "changed"
	for _, r := range []*oops.Report{&cfg.Template, r2} {
		assert.Equal(t, "1", r.ReqVars["a"])
		assert.Equal(t, 2, r.Attrs["b"])
		assert.Equal(t, 3, r.Extra["c"])
		assert.Equal(t, "boot", r.Timeline[0].Category)
		assert.Equal(t, "started", r.Log[0].Msg)
	}
}

func TestPublishFilters(t *testing.T) {
	var ran []string
	filter := func(name string, drop bool) oops.Filter {
		return func(context.Context, *oops.Report) bool { ran = append(ran, name); return drop }
	}
	pub := &collector{}
	cfg := &oops.Config{
		NoHooks:   true,
		Filters:   []oops.Filter{filter("keep", false), filter("drop", true), filter("never", true)},
		Publisher: pub,
	}
	r := cfg.Create(context.Background(), oops.Event{})
	ids, err := cfg.Publish(context.Background(), r)
	assert.ErrorIs(t, err, oops.ErrFiltered)
	assert.Nil(t, ids)
	assert.Equal(t, []string{"keep", "drop"}, ran, "the first filter that drops stops the rest")
	assert.Empty(t, pub.got, "a dropped report is not published")

	ran = nil
	cfg.Filters = []oops.Filter{filter("keep", false)}
	ids, err = cfg.Publish(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{r.ID}, ids)
	assert.Len(t, pub.got, 1)
}

func TestPublishNowhereIsNotFiltered(t *testing.T) {
	for name, p := range map[string]oops.Publisher{
		"nil publisher":   nil,
		"discard":         oops.Discard,
		"to many of none": oops.ToMany(),
	} {
		cfg := &oops.Config{Publisher: p}
		r := cfg.Create(context.Background(), oops.Event{})
		id := r.ID
		ids, err := cfg.Publish(context.Background(), r)
		assert.NoError(t, err, name)
		assert.Empty(t, ids, name)
		assert.Equal(t, id, r.ID, name)
		assert.NotErrorIs(t, err, oops.ErrFiltered, name)
	}
}

func TestPublishWritesLastIDBack(t *testing.T) {
	pub := &collector{ids: []string{"first", "OOPS-ffffffffffffffffffffffffffffffff"}}
	cfg := &oops.Config{Publisher: pub}
	r := cfg.Create(context.Background(), oops.Event{})
	ids, err := cfg.Publish(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, pub.ids, ids)
	assert.Equal(t, "OOPS-ffffffffffffffffffffffffffffffff", r.ID)

	// A publisher's error is returned with whatever ids it gave.
	boom := errors.New("disk full")
	cfg.Publisher = oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) {
		return []string{"partial"}, boom
	})
	ids, err = cfg.Publish(context.Background(), r)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, []string{"partial"}, ids)
	assert.Equal(t, "partial", r.ID)
}

func TestConfigConcurrentUse(t *testing.T) {
	pub := oops.NewAsync(oops.Discard, nil)
	defer func() { require.NoError(t, pub.Close(context.Background())) }()
	cfg := &oops.Config{Template: oops.Report{ReqVars: map[string]string{"a": "b"}}, Publisher: pub}
	done := make(chan string, 8)
	for range 8 {
		go func() {
			var last string
			for range 200 {
				r := cfg.Create(context.Background(), oops.Event{Err: errors.New("x")})
				r.ReqVars["n"] = "mine" // no other report shares this map
				if _, err := cfg.Publish(context.Background(), r); err != nil && !errors.Is(err, oops.ErrQueueFull) {
					last = err.Error()
				}
			}
			done <- last
		}()
	}
	for range 8 {
		assert.Empty(t, <-done)
	}
	assert.Equal(t, map[string]string{"a": "b"}, cfg.Template.ReqVars, "no report wrote into the template's map")
}

func TestDefaultHooksIsAFreshCopy(t *testing.T) {
	h := oops.DefaultHooks()
	require.NotEmpty(t, h)
	h[0] = func(context.Context, *oops.Report, *oops.Event) { panic("changed") }
	_ = append(h[:1], func(context.Context, *oops.Report, *oops.Event) { panic("appended") })
	var c oops.Config
	assert.NotPanics(t, func() { c.Create(context.Background(), oops.Event{Msg: "x"}) },
		"changing the returned slice changes no Config")
	k := oops.WireKeys()
	k[0] = "changed"
	assert.Equal(t, "id", oops.WireKeys()[0])
}
