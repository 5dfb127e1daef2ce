package datedir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// A Repo reads as a store: it implements store.Reader and store.Pruner.
var (
	_ store.Reader = (*Repo)(nil)
	_ store.Pruner = (*Repo)(nil)
)

// Options tune a Repo's reading.
type Options struct {
	// OnSkip, when set, is called for each file or directory that List and
	// Groups skip because it cannot be read or holds no report (its error
	// names it and wraps ErrCorrupt for the latter). Without it such files
	// are skipped silently. The scan goes on either way: one garbage file
	// does not hide the good ones. It is called from one goroutine at a
	// time.
	OnSkip func(err error)
}

// NewWithOptions returns the repository rooted at dir, reading with opts;
// nil means the defaults.
func NewWithOptions(dir string, o *Options) *Repo {
	var opts Options
	if o != nil {
		opts = *o
	}
	return &Repo{root: dir, onSkip: opts.OnSkip}
}

// notFound is the error Get wraps when it finds no report: both this
// package's ErrNotFound and store.ErrNotFound, so that code written against
// either (a command reading any store) recognises it.
type notFound struct{}

func (notFound) Error() string   { return ErrNotFound.Error() }
func (notFound) Unwrap() []error { return []error{ErrNotFound, store.ErrNotFound} }

// badName is the error Get wraps for a name it refuses: ErrInvalidName and
// oops.ErrBadID.
type badName struct{}

func (badName) Error() string   { return ErrInvalidName.Error() }
func (badName) Unwrap() []error { return []error{ErrInvalidName, oops.ErrBadID} }

// candidates returns the file names Get looks up for id, as people paste
// it: id itself when it can be a file's name, and what oops.ParseID makes of
// it ("oops-3F2A…", a URL ending in an id).
func candidates(id string) []string {
	var out []string
	if oops.ValidID(id) || validName(id) {
		out = append(out, id)
	}
	if p, err := oops.ParseID(id); err == nil && p != id && validName(p) {
		out = append(out, p)
	}
	return out
}

// List returns the summaries of the reports q matches, newest first, a page
// at a time (store.Reader). It scans: each date directory of q's range,
// newest first, is read whole (reports are filed by date, not time) until
// the page is full. Files that cannot be read are skipped and handed to
// Options.OnSkip.
func (r *Repo) List(ctx context.Context, q store.Query) (store.Page, error) {
	var after *store.Position
	if q.Cursor != "" {
		p, err := store.DecodeCursor(q.Cursor)
		if err != nil {
			return store.Page{}, fmt.Errorf("datedir: list: %w", err)
		}
		after = &p
	}
	size := q.PageSize()
	var page store.Page
	err := r.scan(ctx, q, true, func(day time.Time, ss []store.Summary) bool {
		if after != nil && day.After(dateOf(after.Time)) {
			return true // wholly before the cursor
		}
		slices.SortFunc(ss, func(a, b store.Summary) int {
			if store.Before(a, b) {
				return -1
			}
			if store.Before(b, a) {
				return 1
			}
			return 0
		})
		for _, s := range ss {
			if after != nil && !after.After(s) {
				continue
			}
			if len(page.Reports) == size {
				last := page.Reports[size-1]
				page.Next = store.EncodeCursor(store.Position{Time: last.Time, ID: last.ID})
				return false
			}
			page.Reports = append(page.Reports, s)
		}
		return true
	})
	if err != nil {
		return store.Page{}, err
	}
	return page, nil
}

// Groups returns the reports q matches grouped by signature, the most
// frequent first (store.Reader), by reading every report of q's date range.
// Files that cannot be read are skipped and handed to Options.OnSkip.
func (r *Repo) Groups(ctx context.Context, q store.Query) ([]store.Group, error) {
	var g store.Grouper
	err := r.scan(ctx, q, false, func(_ time.Time, ss []store.Summary) bool {
		for _, s := range ss {
			g.Add(s)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return g.Groups(q.Limit), nil
}

// scan reads the summaries of the reports q matches, one date directory at
// a time (newest first when newest is set), and hands each day's to fn
// until it returns false. Files of a day are read in parallel. Unreadable
// files and directories go to onSkip; only ctx ending, or the root being
// unreadable, stops the scan with an error.
func (r *Repo) scan(ctx context.Context, q store.Query, newest bool, fn func(day time.Time, ss []store.Summary) bool) error {
	root, ds, err := r.openDays()
	if err != nil {
		return err
	}
	if root == nil {
		return nil
	}
	defer root.Close()
	lo, hi := dateOf(q.From), dateOf(q.To)
	if newest {
		slices.Reverse(ds)
	}
	for _, d := range ds {
		if (!q.From.IsZero() && d.date.Before(lo)) || (!q.To.IsZero() && d.date.After(hi)) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		names, err := files(root, d.name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				r.skip(fmt.Errorf("datedir: listing %s: %w", filepath.Join(r.root, d.name), err))
			}
			continue
		}
		ss, errs := r.readDay(ctx, root, d.name, names, q)
		for _, err := range errs {
			r.skip(err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !fn(d.date, ss) {
			return nil
		}
	}
	return nil
}

func (r *Repo) skip(err error) {
	if r.onSkip != nil {
		r.onSkip(err)
	}
}

// readDay reads the files names of the directory day with one worker per
// CPU and returns the summaries q matches, and the errors of the files it
// could not read (in name order).
func (r *Repo) readDay(ctx context.Context, root *os.Root, day string, names []string, q store.Query) ([]store.Summary, []error) {
	type result struct {
		s   store.Summary
		ok  bool
		err error
	}
	results := make([]result, len(names))
	// One handle on the day's directory: each file is then one openat,
	// not a walk from the repository's root.
	dayRoot, err := root.OpenRoot(day)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, []error{fmt.Errorf("datedir: listing %s: %w", filepath.Join(r.root, day), err)}
	}
	defer dayRoot.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			var buf []byte
			for {
				i := int(next.Add(1)) - 1
				if i >= len(names) || ctx.Err() != nil {
					return
				}
				s, err := r.readSummary(dayRoot, day, names[i], &buf)
				if err != nil {
					if !errors.Is(err, fs.ErrNotExist) { // removed while we read
						results[i].err = err
					}
					continue
				}
				results[i] = result{s: s, ok: q.Matches(s)}
			}
		})
	}
	wg.Wait()
	var ss []store.Summary
	var errs []error
	for _, res := range results {
		switch {
		case res.err != nil:
			errs = append(errs, res.err)
		case res.ok:
			ss = append(ss, res.s)
		}
	}
	return ss, errs
}
