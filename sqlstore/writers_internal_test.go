package sqlstore

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A SQLite file that Open opened is written on a connection of the
// writer's own, with SQLite's default page cache (the readers keep 32 MiB),
// and checkpointed by the store's goroutine, SQLite's own checkpoint being
// put off to 4,000 pages; every report is there after all that.
func TestSQLiteFileWriterAndCheckpoints(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s, err := Open(ctx, "sqlite", path, nil)
	require.NoError(t, err)
	require.NotNil(t, s.wconns)
	require.Len(t, s.wconns, 1)
	c := <-s.wconns
	var writer, reader, auto int
	require.NoError(t, c.conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&writer))
	s.wconns <- c
	require.NoError(t, s.db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&reader))
	require.NoError(t, s.db.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto))
	assert.Equal(t, writerCache, writer)
	assert.Equal(t, -32768, reader)
	assert.Equal(t, checkpointBackstop, auto)

	rng := rand.New(rand.NewPCG(5, 5))
	var ids []string
	for i := range 3*checkpointReports + 1 {
		got, err := s.Publish(ctx, benchReport(rng, benchDay0.Add(time.Duration(i)*time.Second)))
		require.NoError(t, err)
		ids = append(ids, got...)
	}
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close twice")
	assert.GreaterOrEqual(t, s.checkpointed.Load(), int64(1), "the store's goroutine checkpointed")

	s, err = Open(ctx, "sqlite", path, nil)
	require.NoError(t, err)
	defer s.Close()
	for _, id := range ids {
		_, err := s.Get(ctx, id)
		require.NoError(t, err, id)
	}
}

// A database with no log to checkpoint (SQLite in memory) gets no
// goroutine and no connection set aside: its one connection is the
// readers' too. A caller's pool (New) lends no connection to a writer.
func TestNoWriterConnectionOutsideOpenedFiles(t *testing.T) {
	ctx := context.Background()
	m, err := Open(ctx, "sqlite", ":memory:", nil)
	require.NoError(t, err)
	defer m.Close()
	assert.Nil(t, m.wconns)
	assert.Nil(t, m.ckpt)
	id, err := m.Publish(ctx, benchReport(rand.New(rand.NewPCG(1, 1)), benchDay0))
	require.NoError(t, err)
	_, err = m.Get(ctx, id[0])
	require.NoError(t, err)

	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "n.db")+"?_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	n, err := New(ctx, db, nil)
	require.NoError(t, err)
	assert.Nil(t, n.wconns)
	assert.NotNil(t, n.ckpt, "a log to checkpoint")
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range checkpointReports + 1 {
		_, err := n.Publish(ctx, benchReport(rng, benchDay0.Add(time.Duration(i)*time.Second)))
		require.NoError(t, err)
	}
	require.NoError(t, n.Close())
	assert.NoError(t, db.Ping())
}

// Publish waits for another process's write lock until
// Options.WriteTimeout, not the longer busy timeout (a writer's connection
// has none: the store waits and tries again), and says so.
func TestWriteTimeoutBoundsTheWaitForTheLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	s, err := Open(ctx, "sqlite", path, &Options{WriteTimeout: 200 * time.Millisecond, BusyTimeout: time.Hour})
	require.NoError(t, err)
	defer s.Close()

	other, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer other.Close()
	c, err := other.Conn(ctx)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	rng := rand.New(rand.NewPCG(4, 4))
	_, err = s.Publish(ctx, benchReport(rng, benchDay0))
	require.ErrorIs(t, err, context.DeadlineExceeded, "the wait ended at the write's deadline")

	_, err = c.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, err)
	id, err := s.Publish(ctx, benchReport(rng, benchDay0))
	require.NoError(t, err, "the writer's connection is still good")
	_, err = s.Get(ctx, id[0])
	require.NoError(t, err)
}

// Writers beyond one, each on a connection of its own, take the write lock
// in turn and lose nothing.
func TestSeveralSQLiteWriters(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite", filepath.Join(t.TempDir(), "m.db"), &Options{Writers: 3, MaxBatch: 4})
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.wconns, 3)
	const goroutines, each = 8, 40
	errs := make(chan error, goroutines*each)
	ids := make(chan string, goroutines*each)
	for g := range goroutines {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for i := range each {
				id, err := s.Publish(ctx, benchReport(rng, benchDay0.Add(time.Duration(g*each+i)*time.Second)))
				if err == nil {
					ids <- id[0]
				}
				errs <- err
			}
		}()
	}
	for range goroutines * each {
		require.NoError(t, <-errs)
	}
	close(ids)
	var n int
	require.NoError(t, s.db.QueryRowContext(ctx, "SELECT count(*) FROM oops_reports").Scan(&n))
	assert.Equal(t, goroutines*each, n)
	for id := range ids {
		_, err := s.Get(ctx, id)
		require.NoError(t, err, id)
	}
}

// A writer's connection that is gone fails the batch that finds it so, and
// is replaced: the next Publish stores its report.
func TestLostWriterConnectionIsReplaced(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite", filepath.Join(t.TempDir(), "g.db"), nil)
	require.NoError(t, err)
	defer s.Close()
	w := <-s.wconns
	require.NoError(t, w.conn.Close())
	s.wconns <- w

	rng := rand.New(rand.NewPCG(6, 6))
	_, err = s.Publish(ctx, benchReport(rng, benchDay0))
	require.ErrorIs(t, err, sql.ErrConnDone)
	id, err := s.Publish(ctx, benchReport(rng, benchDay0))
	require.NoError(t, err)
	_, err = s.Get(ctx, id[0])
	require.NoError(t, err)
	require.Len(t, s.wconns, 1)
	nw := <-s.wconns
	s.wconns <- nw
	assert.NotSame(t, w, nw)
}
