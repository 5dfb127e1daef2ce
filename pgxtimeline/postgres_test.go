package pgxtimeline_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/tracelog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/pgxtimeline"
	"github.com/oops-go/oops/timeline"
)

func TestQueries(t *testing.T) {
	conn := connect(t, pgxtimeline.New("main", nil))
	ctx, tl := traced()

	_, err := conn.Exec(ctx, `CREATE TABLE users (id int PRIMARY KEY, name text)`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `INSERT INTO users VALUES ($1, $2), ($3, $4)`, 1, "ann", 2, "bob")
	require.NoError(t, err)
	rows, err := conn.Query(ctx, `SELECT name FROM users ORDER BY id`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Equal(t, []string{"ann", "bob"}, names)
	var n string
	require.NoError(t, conn.QueryRow(ctx, `SELECT name FROM users WHERE id = $1`, 2).Scan(&n))
	err = conn.QueryRow(ctx, `SELECT name FROM users WHERE id = $1`, 99).Scan(&n)
	require.ErrorIs(t, err, pgx.ErrNoRows)
	_, err = conn.Exec(ctx, `INSERT INTO nosuch VALUES (1)`)
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)

	assert.Equal(t, []string{
		"SQL-main: CREATE TABLE users (id int PRIMARY KEY, name text)",
		"SQL-main: INSERT INTO users VALUES ($1, $2), ($3, $4)",
		"SQL-main: SELECT name FROM users ORDER BY id",
		"SQL-main: SELECT name FROM users WHERE id = $1",
		"SQL-main: SELECT name FROM users WHERE id = $1",
		"SQL-main: INSERT INTO nosuch VALUES (1)",
	}, details(tl))
	es := tl.Entries()
	for _, e := range es {
		assert.False(t, e.Unfinished, e.Detail)
		assert.LessOrEqual(t, e.Start, e.End)
	}
	// No row is not the statement's failure.
	assert.Equal(t, []string{"", "", "", "", "", es[5].Err.Error()}, errs(tl))
	assert.ErrorAs(t, es[5].Err, &pgErr)
	assert.Equal(t, "42P01", pgErr.Code)
}

// TestQueryLastsUntilRowsClose: the entry of a query still being read is
// unfinished, and ends when the rows close.
func TestQueryLastsUntilRowsClose(t *testing.T) {
	conn := connect(t, pgxtimeline.New("main", nil))
	ctx, tl := traced()
	rows, err := conn.Query(ctx, `SELECT generate_series(1, 3)`)
	require.NoError(t, err)
	require.True(t, rows.Next())
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.True(t, es[0].Unfinished)
	rows.Close()
	require.NoError(t, rows.Err())
	es = tl.Entries()
	assert.False(t, es[0].Unfinished)
}

func TestNoTimelineRecordsNothing(t *testing.T) {
	tr := pgxtimeline.New("main", nil)
	conn := connect(t, tr)
	ctx := context.Background()
	var one int
	require.NoError(t, conn.QueryRow(ctx, `SELECT 1`).Scan(&one))
	// The context comes back as it went in.
	got := tr.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	assert.Equal(t, ctx, got)
	tr.TraceQueryEnd(got, conn, pgx.TraceQueryEndData{})

	// A timeline elsewhere sees nothing of it.
	other := timeline.New()
	_, err := conn.Exec(ctx, `SELECT 2`)
	require.NoError(t, err)
	assert.Zero(t, other.Len())
}

func TestArgsPolicy(t *testing.T) {
	redact := func(query string, arg driver.NamedValue) any {
		if arg.Name == "password" || (arg.Name == "" && arg.Ordinal == 2) {
			return "<hidden>"
		}
		return arg.Value
	}
	conn := connect(t, pgxtimeline.New("main", &pgxtimeline.Options{Args: true, Redact: redact, MaxArgLen: 8}))
	ctx, tl := traced()
	_, err := conn.Exec(ctx, `SELECT $1::int, $2::text, $3::text`, 42, "hunter2", "a long value")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SELECT @user::text, @password::text`, pgx.NamedArgs{"user": "ann", "password": "hunter2"})
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SELECT $1::int`, pgx.QueryExecModeSimpleProtocol, 7)
	require.NoError(t, err)
	assert.Equal(t, []string{
		`SQL-main: SELECT $1::int, $2::text, $3::text -- args: $1=42, $2="<hidden>", $3="a long v"…(12 bytes)`,
		`SQL-main: SELECT @user::text, @password::text -- args: @password="<hidden>", @user="ann"`,
		`SQL-main: SELECT $1::int -- args: $1=7`,
	}, details(tl))

	// Off by default.
	conn2 := connect(t, pgxtimeline.New("main", nil))
	ctx, tl = traced()
	_, err = conn2.Exec(ctx, `SELECT $1::text`, "secret")
	require.NoError(t, err)
	assert.Equal(t, []string{"SQL-main: SELECT $1::text"}, details(tl))
}

func TestCategoryFilterAndStacks(t *testing.T) {
	opts := &pgxtimeline.Options{
		Category: "SQL-reports",
		Stacks:   true,
		Filter:   func(_ context.Context, q string) bool { return !strings.HasPrefix(q, "SELECT 'ping'") },
	}
	conn := connect(t, pgxtimeline.New("main", opts))
	ctx, tl := traced()
	_, err := conn.Exec(ctx, `SELECT 'ping'`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SELECT 'work'`)
	require.NoError(t, err)
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.Equal(t, "SQL-reports", es[0].Category)
	assert.Equal(t, "SELECT 'work'", es[0].Detail)
	// The stack starts at the code that ran the statement, not in pgx or
	// this module.
	first, _, _ := strings.Cut(es[0].Stack, "\n")
	assert.Contains(t, first, "TestCategoryFilterAndStacks", es[0].Stack)

	// Empty name: plain "SQL".
	conn2 := connect(t, pgxtimeline.New("", nil))
	ctx, tl = traced()
	_, err = conn2.Exec(ctx, `SELECT 1`)
	require.NoError(t, err)
	assert.Equal(t, []string{"SQL: SELECT 1"}, details(tl))
	assert.Empty(t, tl.Entries()[0].Stack)
}

func TestBatch(t *testing.T) {
	conn := connect(t, pgxtimeline.New("main", &pgxtimeline.Options{Args: true}))
	ctx := context.Background()
	_, err := conn.Exec(ctx, `CREATE TABLE items (id int PRIMARY KEY)`)
	require.NoError(t, err)

	ctx, tl := traced()
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO items VALUES ($1)`, 1)
	b.Queue(`INSERT INTO items VALUES ($1)`, 2)
	b.Queue(`SELECT id FROM items ORDER BY id`)
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec()
	require.NoError(t, err)
	_, err = br.Exec()
	require.NoError(t, err)
	rows, err := br.Query()
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(t, err)
	assert.Equal(t, []int32{1, 2}, ids)
	require.NoError(t, br.Close())

	assert.Equal(t, []string{
		"SQL-main: INSERT INTO items VALUES ($1) -- args: $1=1",
		"SQL-main: INSERT INTO items VALUES ($1) -- args: $1=2",
		"SQL-main: SELECT id FROM items ORDER BY id",
	}, details(tl))
	es := tl.Entries()
	for i, e := range es {
		assert.False(t, e.Unfinished)
		assert.NoError(t, e.Err)
		if i > 0 {
			assert.GreaterOrEqual(t, e.Start, es[i-1].End, "batch entries follow each other")
		}
	}

	// A failing query: its entry has the error, and the queries after it,
	// never read, end with the batch's error.
	ctx, tl = traced()
	b = &pgx.Batch{}
	b.Queue(`INSERT INTO items VALUES (3)`)
	b.Queue(`INSERT INTO items VALUES (1)`) // duplicate key
	b.Queue(`INSERT INTO items VALUES (4)`)
	err = conn.SendBatch(ctx, b).Close()
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "23505", pgErr.Code)
	got := errs(tl)
	require.Len(t, got, 3)
	assert.Empty(t, got[0])
	assert.Contains(t, got[1], "23505")
	assert.Contains(t, got[2], "23505")
	for _, e := range tl.Entries() {
		assert.False(t, e.Unfinished)
	}
}

func TestCopyFrom(t *testing.T) {
	conn := connect(t, pgxtimeline.New("main", nil))
	_, err := conn.Exec(context.Background(), `CREATE TABLE points (x int, "Y" int)`)
	require.NoError(t, err)
	ctx, tl := traced()
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"points"}, []string{"x", "Y"}, pgx.CopyFromRows([][]any{{1, 2}, {3, 4}}))
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"nosuch"}, []string{"x"}, pgx.CopyFromRows([][]any{{1}}))
	require.Error(t, err)
	assert.Equal(t, []string{
		`SQL-main: COPY "points" ("x", "Y") FROM STDIN`,
		`SQL-main: COPY "nosuch" ("x") FROM STDIN`,
	}, details(tl))
	got := errs(tl)
	assert.Empty(t, got[0])
	assert.Contains(t, got[1], "42P01")
	for _, e := range tl.Entries() {
		assert.False(t, e.Unfinished)
	}
}

func TestPrepared(t *testing.T) {
	conn := connect(t, pgxtimeline.New("main", nil))
	ctx, tl := traced()
	_, err := conn.Prepare(ctx, "one", `SELECT $1::int + 1`)
	require.NoError(t, err)
	var n int
	require.NoError(t, conn.QueryRow(ctx, "one", 41).Scan(&n))
	assert.Equal(t, 42, n)
	// Preparing again is nothing; a failed prepare is an entry.
	_, err = conn.Prepare(ctx, "one", `SELECT $1::int + 1`)
	require.NoError(t, err)
	_, err = conn.Prepare(ctx, "bad", `SELEC 1`)
	require.Error(t, err)
	// A statement pgx prepares itself (its statement cache) is one entry,
	// with the error when preparing failed.
	_, err = conn.Exec(ctx, `SELEC 2`)
	require.Error(t, err)

	assert.Equal(t, []string{
		"SQL-main: one",
		"SQL-main: SELEC 1",
		"SQL-main: SELEC 2",
	}, details(tl))
	got := errs(tl)
	assert.Empty(t, got[0])
	assert.Contains(t, got[1], "42601")
	assert.Contains(t, got[2], "42601")
}

func TestTransactions(t *testing.T) {
	pool := newPool(t, pgxtimeline.New("main", nil), 2)
	_, err := pool.Exec(context.Background(), `CREATE TABLE accounts (id int PRIMARY KEY, balance int)`)
	require.NoError(t, err)

	ctx, tl := traced()
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO accounts VALUES (1, 10)`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))

	tx, err = pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO accounts VALUES (1, 20)`)
	require.Error(t, err)
	require.NoError(t, tx.Rollback(ctx))

	d := details(tl)
	// A connection made for this request may come first.
	for len(d) > 0 && strings.HasPrefix(d[0], "SQL-main: CONNECT ") {
		d = d[1:]
	}
	assert.Equal(t, []string{
		"SQL-main: begin isolation level serializable",
		"SQL-main: INSERT INTO accounts VALUES (1, 10)",
		"SQL-main: commit",
		"SQL-main: begin",
		"SQL-main: INSERT INTO accounts VALUES (1, 20)",
		"SQL-main: rollback",
	}, d)
}

// TestCancelledQuery: a query whose context is cancelled while it runs ends
// with the error, which wraps context.Canceled.
func TestCancelledQuery(t *testing.T) {
	conn := connect(t, pgxtimeline.New("main", nil))
	watcher := connect(t, nil)
	ctx, tl := traced()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, `SELECT pg_sleep(60) /* pgxtimeline-cancel */`)
		done <- err
	}()
	// Cancel once the server runs the statement; pg_stat_activity tells.
	for {
		var n int
		err := watcher.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pgxtimeline-cancel */'`).Scan(&n)
		require.NoError(t, err)
		if n > 0 {
			break
		}
	}
	cancel()
	err := <-done
	require.Error(t, err)
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.False(t, es[0].Unfinished)
	require.Error(t, es[0].Err)
	assert.True(t, errors.Is(es[0].Err, context.Canceled) || pgconn.Timeout(es[0].Err), "%v", es[0].Err)
}

// TestPoolManyGoroutines: one pool, many goroutines, each request with its
// own timeline and one shared by all; run with -race.
func TestPoolManyGoroutines(t *testing.T) {
	pool := newPool(t, pgxtimeline.New("main", nil), 4)
	shared := timeline.New()
	sharedCtx := timeline.NewContext(context.Background(), shared)
	const goroutines, queries = 8, 20
	var wg sync.WaitGroup
	tls := make([]*timeline.Timeline, goroutines)
	for g := range goroutines {
		tls[g] = timeline.New()
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := timeline.NewContext(context.Background(), tls[g])
			for i := range queries {
				var n int
				if err := pool.QueryRow(ctx, `SELECT $1::int`, i).Scan(&n); err != nil {
					t.Error(err)
					return
				}
				if _, err := pool.Exec(sharedCtx, `SELECT 1`); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, tl := range tls {
		n := 0
		for _, e := range tl.Entries() {
			if e.Detail == "SELECT $1::int" {
				n++
			}
			assert.False(t, e.Unfinished)
			assert.NoError(t, e.Err)
		}
		assert.Equal(t, queries, n)
	}
	n := 0
	for _, e := range shared.Entries() {
		if e.Detail == "SELECT 1" {
			n++
		}
	}
	assert.Equal(t, goroutines*queries, n)
}

func TestConnectEntry(t *testing.T) {
	cfg := connConfig(t, pgxtimeline.New("main", nil))
	cfg.Password = "hunter2"
	ctx, tl := traced()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	es := tl.Entries()
	require.Len(t, es, 1)
	want := fmt.Sprintf("CONNECT %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	assert.Equal(t, want, es[0].Detail)
	assert.NotContains(t, es[0].Detail, "hunter2")
	assert.False(t, es[0].Unfinished)

	cfg.Database = "pgxtimeline_no_such_database"
	ctx, tl = traced()
	_, err = pgx.ConnectConfig(ctx, cfg)
	require.Error(t, err)
	es = tl.Entries()
	require.Len(t, es, 1)
	assert.Error(t, es[0].Err)
}

// TestChain: the tracer and one the user already has both see every call.
func TestChain(t *testing.T) {
	var mu sync.Mutex
	var logged []string
	logger := tracelog.LoggerFunc(func(_ context.Context, _ tracelog.LogLevel, msg string, data map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		if sql, ok := data["sql"].(string); ok {
			logged = append(logged, msg+": "+sql)
		}
	})
	tl2 := &tracelog.TraceLog{Logger: logger, LogLevel: tracelog.LogLevelInfo}
	tracer := pgxtimeline.Chain(pgxtimeline.New("main", nil), nil, tl2)
	conn := connect(t, tracer)
	ctx, tl := traced()
	_, err := conn.Exec(ctx, `SELECT 1`)
	require.NoError(t, err)
	b := &pgx.Batch{}
	b.Queue(`SELECT 2`)
	require.NoError(t, conn.SendBatch(ctx, b).Close())
	assert.Equal(t, []string{"SQL-main: SELECT 1", "SQL-main: SELECT 2"}, details(tl))
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logged, "Query: SELECT 1")
	assert.Contains(t, logged, "BatchQuery: SELECT 2")

	single := pgxtimeline.New("x", nil)
	assert.Same(t, single, pgxtimeline.Chain(nil, single))
}
