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
	"strings"
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
	r := &Repo{root: dir, onSkip: opts.OnSkip}
	r.dirs = newDirCache(r)
	return r
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
	parts := make([][]store.Summary, scanWorkers())
	err := r.scan(ctx, q, true, len(parts), func(w int, s store.Summary) {
		parts[w] = append(parts[w], s)
	}, func(day time.Time) bool {
		ss := slices.Concat(parts...)
		for w := range parts {
			parts[w] = parts[w][:0]
		}
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
	// One Grouper per worker, merged at the end: the workers share nothing.
	gs := make([]store.Grouper, scanWorkers())
	err := r.scan(ctx, q, false, len(gs), func(w int, s store.Summary) {
		gs[w].Add(s)
	}, func(time.Time) bool { return true })
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(gs); i++ {
		gs[0].Merge(&gs[i])
	}
	return gs[0].Groups(q.Limit), nil
}

// scanWorkers is how many goroutines read a day's files: two per CPU the
// process may use, so that a read waiting for the disk (a cold cache) leaves
// the CPU to another. With the files in the page cache the system calls do
// not block, and the second goroutine costs almost nothing.
func scanWorkers() int { return 2 * runtime.GOMAXPROCS(0) }

// scan reads the summaries of the reports q matches, one date directory at
// a time (newest first when newest is set). The files of a day are read by
// up to workers goroutines, which hand each summary q matches to add with
// their index (0 to workers-1; each calls add from one goroutine only); then
// dayDone is called with the day, until it returns false.
// Unreadable files and directories go to onSkip, a day's in name order;
// only ctx ending, or the root being unreadable, stops the scan with an
// error.
func (r *Repo) scan(ctx context.Context, q store.Query, newest bool, workers int, add func(w int, s store.Summary), dayDone func(day time.Time) bool) error {
	root, ds, err := r.openDays()
	if err != nil {
		return err
	}
	if root == nil {
		return nil
	}
	defer root.Close()
	lo := dateOf(q.From)
	if newest {
		slices.Reverse(ds)
	}
	for _, d := range ds {
		// A day starting at or after q.To holds no report of the range
		// (reports are filed by their time): "--to" a midnight, as a
		// day's summary asks, does not read the next day's files.
		if (!q.From.IsZero() && d.date.Before(lo)) || (!q.To.IsZero() && !d.date.Before(q.To)) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		errs := r.readDay(ctx, root, d.name, q, workers, add)
		for _, err := range errs {
			r.skip(err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !dayDone(d.date) {
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

// readDay reads the files of the directory day with up to workers goroutines,
// handing add the summaries q matches, and returns the errors of the files
// it could not read, in name order (and of the directory, when it cannot be
// listed).
func (r *Repo) readDay(ctx context.Context, root *os.Root, day string, q store.Query, workers int, add func(w int, s store.Summary)) []error {
	listErr := func(err error) []error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // pruned meanwhile
		}
		return []error{fmt.Errorf("datedir: listing %s: %w", filepath.Join(r.root, day), err)}
	}
	d, err := openDayDir(root, r.root, day)
	if err != nil {
		return listErr(err)
	}
	defer d.Close()
	ents, err := d.entries()
	if err != nil {
		return listErr(err)
	}
	type fileErr struct {
		name string
		err  error
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []fileErr
		stopped atomic.Bool
	)
	for w := range min(workers, len(ents)) {
		wg.Go(func() {
			var sr summaryReader
			for n := 0; ; n++ {
				i := int(next.Add(1)) - 1
				if i >= len(ents) || stopped.Load() {
					return
				}
				if n%64 == 0 && ctx.Err() != nil {
					stopped.Store(true)
					return
				}
				s, err := sr.readFile(d, ents[i])
				switch {
				case err == nil:
					if q.Matches(s) {
						add(w, s)
					}
				case !errors.Is(err, fs.ErrNotExist): // not removed while we read
					mu.Lock()
					errs = append(errs, fileErr{ents[i].name, err})
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	slices.SortFunc(errs, func(a, b fileErr) int { return strings.Compare(a.name, b.name) })
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e.err
	}
	return out
}
