package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/oops-go/oops/internal/testenv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/store"
)

func amqpURL(t *testing.T) string {
	url := testenv.RequireAMQP(t)
	return url
}

// A spool forwarded to the broker lands, through a receiver, in another
// store: a SQLite database.
func TestForwardAndReceive(t *testing.T) {
	url := amqpURL(t)
	f := newFixture(t)
	name := fmt.Sprintf("oops-cmd-%d", time.Now().UnixNano())
	db := "sqlite:" + filepath.Join(t.TempDir(), "received.db")

	r := oopsCmd(t, nil, "forward", "--once", "--amqp", url, "--exchange", name, "--queue", name, f.root)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "forwarded 7 reports from "+f.root+" to "+redactURL(url)+"\n", r.stdout)
	left, err := datedir.New(f.root).List(context.Background(), store.Query{})
	require.NoError(t, err)
	assert.Empty(t, left.Reports, "each forwarded report left the spool")

	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- runEnv(ctx, []string{"-s", db, "receive", "--amqp", url, "--exchange", name, "--queue", name}, &out, &errb,
			func(string) string { return "" })
	}()
	require.Eventually(t, func() bool {
		l := oopsCmd(t, nil, "-s", db, "list", "--json")
		return l.code == 0 && strings.Count(l.stdout, "\n") == 7
	}, 30*time.Second, 50*time.Millisecond, "the receiver stores every report")
	cancel()
	assert.Equal(t, 0, <-done, errb.String())
	assert.Equal(t, fmt.Sprintf("received 7 reports into %s (0 rejected, 0 returned to the queue)\n", db), out.String())

	show := oopsCmd(t, nil, "-s", db, "show", f.nplus1)
	require.Equal(t, 0, show.code, show.stderr)
	assert.Contains(t, show.stdout, "N+1 queries:")
}

func TestQueueUsage(t *testing.T) {
	f := newFixture(t)
	r := oopsCmd(t, nil, "forward", "--once", f.root)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "OOPS_AMQP_URL")
	r = oopsCmd(t, map[string]string{"OOPS_AMQP_URL": "http://x"}, "forward", f.root)
	assert.Equal(t, exitUsage, r.code)
	r = oopsCmd(t, map[string]string{"OOPS_AMQP_URL": "amqp://u:secret@127.0.0.1:1/"}, "forward", "--once", "--wait", "200ms", f.root)
	assert.Equal(t, exitStore, r.code)
	assert.NotContains(t, r.stderr, "secret")
	r = oopsCmd(t, map[string]string{"OOPS_AMQP_URL": "amqp://u:p@127.0.0.1:1/"}, "forward", filepath.Join(t.TempDir(), "nope"))
	assert.Equal(t, exitStore, r.code)
	r = oopsCmd(t, map[string]string{"OOPS_AMQP_URL": "amqp://u:p@127.0.0.1:1/"}, "receive")
	assert.Equal(t, exitUsage, r.code, "no store")
}
