package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

// childEnv, when set to a SQLite file, makes the test binary a child process
// of TestTwoProcessesOneSQLiteFile: it opens the file (migrating it at the
// same time as its sibling) and publishes childReports reports.
const childEnv = "OOPS_SQLSTORE_CHILD"

const childReports = 200

func childMain() int {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite", os.Getenv(childEnv), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer s.Close()
	tag := os.Getenv(childEnv + "_TAG")
	var wg sync.WaitGroup
	errs := make(chan error, childReports)
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < childReports; i += 4 {
				r := report(i)
				r.Reporter = tag
				if _, err := s.Publish(ctx, r); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// Two processes open one SQLite file at once (both migrating it) and
// publish from several goroutines each: nothing is lost.
func TestTwoProcessesOneSQLiteFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	path := t.TempDir() + "/shared.db"
	var cmds []*exec.Cmd
	for _, tag := range []string{"proc-a", "proc-b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+path, childEnv+"_TAG="+tag)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	s, err := sqlstore.Open(context.Background(), "sqlite", path, nil)
	require.NoError(t, err)
	defer s.Close()
	for _, tag := range []string{"proc-a", "proc-b"} {
		got := listAll(t, s, store.Query{Reporter: tag, Limit: store.MaxLimit})
		assert.Len(t, got, childReports, tag)
	}
	v, err := s.Version(context.Background())
	require.NoError(t, err)
	assert.Equal(t, sqlstore.SchemaVersion, v)
	var migrations int
	require.NoError(t, s.DB().QueryRow("SELECT COUNT(*) FROM oops_schema_version").Scan(&migrations))
	assert.Equal(t, sqlstore.SchemaVersion, migrations, "each migration applied once")
}

// Many goroutines publish at once, some of them the same ids again: every
// report is stored once.
func TestConcurrentPublishers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		const goroutines, each = 16, 25
		var wg sync.WaitGroup
		ids := make([][]string, goroutines)
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					r := report(g*each + i)
					r.Resource = "order/" + strconv.Itoa(i%3)
					got, err := s.Publish(ctx, r)
					if !assert.NoError(t, err) {
						return
					}
					ids[g] = append(ids[g], got...)
					if i%5 == 0 { // the trailing window republishes
						r2 := r.Clone()
						r2.Revision = 1
						_, err := s.Publish(ctx, r2)
						assert.NoError(t, err)
					}
				}
			})
		}
		wg.Wait()
		all := listAll(t, s, store.Query{Limit: store.MaxLimit})
		assert.Len(t, all, goroutines*each)
		for _, gids := range ids {
			for _, id := range gids {
				_, err := s.Get(ctx, id)
				assert.NoError(t, err)
			}
		}
		f, err := s.LatestFault(ctx, "order/0", store.Viewer)
		require.NoError(t, err)
		assert.NotEmpty(t, f.ID)
	})
}

// Opening one database from many goroutines at once migrates it once.
func TestConcurrentOpen(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if b.name == "sqlite-memory" {
			t.Skip("each memory database is its own")
		}
		driver, dsn := b.dsn(t)
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				s, err := sqlstore.Open(context.Background(), driver, dsn, nil)
				if assert.NoError(t, err) {
					_, err := s.Publish(context.Background(), &oops.Report{Value: "x"})
					assert.NoError(t, err)
					assert.NoError(t, s.Close())
				}
			})
		}
		wg.Wait()
		s, err := sqlstore.Open(context.Background(), driver, dsn, nil)
		require.NoError(t, err)
		defer s.Close()
		var n int
		require.NoError(t, s.DB().QueryRow("SELECT COUNT(*) FROM oops_schema_version").Scan(&n))
		assert.Equal(t, sqlstore.SchemaVersion, n)
		assert.Len(t, listAll(t, s, store.Query{}), 6)
	})
}

func TestPublishAfterClose(t *testing.T) {
	s, err := sqlstore.Open(context.Background(), "sqlite", ":memory:", nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Publish(context.Background(), report(0))
	assert.ErrorIs(t, err, sqlstore.ErrClosed)
}
