package sqltimeline_test

import (
	"context"
	"fmt"

	_ "modernc.org/sqlite"

	"github.com/oops-go/oops/sqltimeline"
	"github.com/oops-go/oops/timeline"
)

func Example() {
	db, err := sqltimeline.Open("sqlite", ":memory:", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one in-memory database

	// Each request gets a timeline in its context (oopshttp does this).
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)

	db.ExecContext(ctx, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`)
	db.ExecContext(ctx, `INSERT INTO users (name) VALUES (?)`, "ann")
	var name string
	db.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, 1).Scan(&name)
	_, err = db.ExecContext(ctx, `INSERT INTO nosuch VALUES (1)`)

	for _, e := range tl.Entries() {
		fmt.Printf("%s %s", e.Category, e.Detail)
		if e.Err != nil {
			fmt.Printf(" -> %v", e.Err)
		}
		fmt.Println()
	}
	// Output:
	// SQL-sqlite CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)
	// SQL-sqlite INSERT INTO users (name) VALUES (?)
	// SQL-sqlite SELECT name FROM users WHERE id = ?
	// SQL-sqlite INSERT INTO nosuch VALUES (1) -> SQL logic error: no such table: nosuch (1)
}

// RawConn reaches the driver's own connection from sql.Conn.Raw, for methods
// database/sql does not know (pgx's CopyFrom, say).
func ExampleRawConn() {
	db, err := sqltimeline.Open("sqlite", ":memory:", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	conn.Raw(func(dc any) error {
		fmt.Printf("the driver's own: %T\n", sqltimeline.RawConn(dc))
		return nil
	})
	// Output:
	// the driver's own: *sqlite.conn
}
