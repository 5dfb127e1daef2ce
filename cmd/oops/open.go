package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

// A storeHandle is an opened store: what it can do, and how to close it.
type storeHandle struct {
	name   string
	reader store.Reader
	pruner store.Pruner // nil when the store cannot prune
	// publisher stores reports (receive).
	publisher oops.Publisher
	dir       *datedir.Repo
	sql       *sqlstore.Store
	close     func() error
}

// open opens the store the flags or OOPS_STORE name. Files a directory
// store skips are reported through e.warn.
func (e *env) open(ctx context.Context) (*storeHandle, error) {
	return e.openFor(ctx, false)
}

// openFor is open; create lets a SQLite file be created (import's target).
func (e *env) openFor(ctx context.Context, create bool) (*storeHandle, error) {
	spec := strings.TrimSpace(e.storeSpec)
	if spec == "" {
		spec = strings.TrimSpace(e.getenv("OOPS_STORE"))
	}
	if spec == "" {
		return nil, usageErr("no store: give --store DIR|sqlite:PATH|postgres://… or set OOPS_STORE")
	}
	return openSpec(ctx, spec, create, e.warn)
}

func openSpec(ctx context.Context, spec string, create bool, onSkip func(error)) (*storeHandle, error) {
	switch {
	case strings.HasPrefix(spec, "sqlite:"), strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return openSQL(ctx, spec, create)
	case strings.Contains(spec, "://"):
		return nil, storeErr(fmt.Errorf("store %s: unknown kind (want a directory, sqlite:PATH or postgres://…)", spec))
	}
	fi, err := os.Stat(spec)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, storeErr(fmt.Errorf("store %s: no such directory", spec))
	case err != nil:
		return nil, storeErr(fmt.Errorf("store %s: %w", spec, err))
	case !fi.IsDir():
		return nil, storeErr(fmt.Errorf("store %s: not a directory (a SQLite file is given as sqlite:%s)", spec, spec))
	}
	if _, err := os.ReadDir(spec); err != nil {
		return nil, storeErr(fmt.Errorf("store %s: %w", spec, err))
	}
	repo := datedir.NewWithOptions(spec, &datedir.Options{OnSkip: onSkip})
	return &storeHandle{name: spec, reader: repo, pruner: repo, publisher: repo, dir: repo, close: func() error { return nil }}, nil
}
