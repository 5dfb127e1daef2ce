package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the postgres:// stores
	_ "modernc.org/sqlite"             // the sqlite: stores

	"github.com/oops-go/oops/sqlstore"
)

// openSQL opens a SQL store: sqlite:PATH or a postgres:// URL. A SQLite
// file is created only when create is set (import); reading one that does
// not exist is an error, not an empty store.
func openSQL(ctx context.Context, spec string, create bool) (*storeHandle, error) {
	driver, dsn := "pgx", spec
	name := spec
	if path, ok := strings.CutPrefix(spec, "sqlite:"); ok {
		driver, dsn = "sqlite", path
		if path == "" {
			return nil, usageErr("store %s: give a file, sqlite:PATH", spec)
		}
		if !create && !strings.HasPrefix(path, "file:") && path != ":memory:" {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil, storeErr(fmt.Errorf("store %s: no such file", spec))
			} else if err != nil {
				return nil, storeErr(fmt.Errorf("store %s: %w", spec, err))
			}
		}
	} else {
		name = redactURL(spec)
	}
	s, err := sqlstore.Open(ctx, driver, dsn, nil)
	if err != nil {
		return nil, storeErr(fmt.Errorf("store %s: %s", name, strings.ReplaceAll(err.Error(), spec, name)))
	}
	return &storeHandle{name: name, reader: s, pruner: s, publisher: s, sql: s, close: s.Close}, nil
}

// redactURL hides a URL's password, which must not reach a terminal or a
// log.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return s
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
