package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/internal/testenv"
)

// TestMain says whether the test was skipped for lack of a broker.
func TestMain(m *testing.M) { testenv.Main(m) }

func TestFleet(t *testing.T) {
	url := testenv.RequireAMQP(t)
	store := datedir.New(t.TempDir())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- receive(ctx, url, store, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()

	var logs bytes.Buffer
	id, err := serve(t.Context(), url, t.TempDir(), &logs)
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "oops_id="+id, "the log line quotes the report's id")
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := store.Get(t.Context(), id)
		if err == nil {
			assert.Equal(t, "checkout", r.Reporter)
			assert.True(t, strings.Contains(r.Value, "card declined"), r.Value)
			return
		}
		require.True(t, time.Now().Before(deadline), "the receiver did not store %s: %v", id, err)
		time.Sleep(20 * time.Millisecond)
	}
}
