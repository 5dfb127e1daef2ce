package datedir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oops-go/oops"
)

// An Entry is one report file met by Walk.
type Entry struct {
	Day    time.Time    // the date of the file's directory, midnight UTC
	Name   string       // the file's name: the report's id, for reports Publish wrote
	Path   string       // the file's path: the repository's root, the date, the name
	Report *oops.Report // the report; nil when reading it failed
}

// Walk returns an iterator over the reports filed in the date directories
// from from's date through to's date (UTC, both included; a zero time leaves
// that end open), in date order and, within a day, in name order. Files
// being written (".tmp") are skipped, and so are files that vanish while
// the walk runs (Republish or Prune removed them).
//
// A file that cannot be read or holds no report is yielded with its error
// (wrapping ErrCorrupt for the latter) and Entry.Report nil, and the walk goes
// on if the loop does. A directory that cannot be listed is yielded the same
// way with Entry.Name empty. When ctx is done the walk yields ctx.Err() and
// stops. A repository whose root does not exist yet is empty.
func (r *Repo) Walk(ctx context.Context, from, to time.Time) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		root, ds, err := r.openDays()
		if err != nil {
			yield(Entry{Path: r.root}, err)
		}
		if root == nil {
			return
		}
		defer root.Close()
		lo, hi := dateOf(from), dateOf(to)
		for _, d := range ds {
			if (!from.IsZero() && d.date.Before(lo)) || (!to.IsZero() && d.date.After(hi)) {
				continue
			}
			dirPath := filepath.Join(r.root, d.name)
			names, err := files(root, d.name)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if !yield(Entry{Day: d.date, Path: dirPath}, fmt.Errorf("datedir: listing %s: %w", dirPath, err)) {
					return
				}
				continue
			}
			for _, name := range names {
				if err := ctx.Err(); err != nil {
					yield(Entry{}, err)
					return
				}
				e := Entry{Day: d.date, Name: name, Path: filepath.Join(dirPath, name)}
				e.Report, err = r.read(root, d.name+"/"+name)
				if err != nil && errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if !yield(e, err) {
					return
				}
			}
		}
	}
}

// dateOf returns midnight UTC of t's date in UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Prune removes every file in the date directories dated before before's
// date (UTC): reports, stale ".tmp" files and files that hold no report
// alike, and then each directory it emptied; in later directories older than
// two days it removes the stale ".tmp" files and the empty files, as
// Republish does. A ".tmp" file a writer of this package is still writing is
// never removed (writers hold an advisory lock on it; where there are none,
// a ".tmp" modified in the last minute counts as being written). It returns
// how many files it removed. Errors do not stop it; they are joined, each naming its file.
// Subdirectories of a date directory are left alone (and so is the
// directory holding them).
func (r *Repo) Prune(ctx context.Context, before time.Time) (int, error) {
	root, ds, err := r.openDays()
	if root == nil {
		return 0, err
	}
	defer root.Close()
	cut := dateOf(before)
	stale := staleBefore()
	removed := 0
	var errs []error
	for _, d := range ds {
		if err := ctx.Err(); err != nil {
			return removed, errors.Join(append(errs, err)...)
		}
		if !d.date.Before(cut) {
			if d.date.Before(stale) {
				n, err := tidy(root, r.root, d.name)
				removed += n
				errs = append(errs, err...)
			}
			continue
		}
		dirPath := filepath.Join(r.root, d.name)
		dir, err := root.Open(d.name)
		if err != nil {
			errs = append(errs, fmt.Errorf("datedir: listing %s: %w", dirPath, err))
			continue
		}
		ents, err := dir.ReadDir(-1)
		dir.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("datedir: listing %s: %w", dirPath, err))
			continue
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			if strings.HasSuffix(e.Name(), tmpSuffix) && writing(root, d.name+"/"+e.Name(), e) {
				continue // a writer is filing a report of that day right now
			}
			if err := root.Remove(d.name + "/" + e.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("datedir: removing %s: %w", filepath.Join(dirPath, e.Name()), err))
				continue
			}
			removed++
		}
		if err := removeIfEmpty(root, d.name); err != nil {
			errs = append(errs, fmt.Errorf("datedir: removing %s: %w", dirPath, err))
		}
	}
	return removed, errors.Join(errs...)
}

// removeIfEmpty removes the directory name if it is empty. A directory that
// is not (a writer just put a file there) is not an error.
func removeIfEmpty(root *os.Root, name string) error {
	err := root.Remove(name)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	d, oerr := root.Open(name)
	if oerr != nil {
		return err
	}
	defer d.Close()
	if _, rerr := d.ReadDir(1); rerr != io.EOF {
		return nil // not empty
	}
	return err
}

// Republish hands every report in the repository, oldest date first, to pub
// and removes each file once pub has returned ids for it (store and forward:
// publish to the Repo while the real store is down, republish when it is
// back). A file pub returned no ids for stays, and so does a file that holds
// no report. Errors do not stop it: each is reported, naming its file, in
// the joined error; a pub that returns ids and an error has the file removed
// (it took the report) and the error reported. In date directories older
// than two days (UTC) it first removes, as python's republish does, the
// ".tmp" files no writer is writing (abandoned by a crash) and the empty
// files (left by a crash before the data reached the disk), without
// counting them. Date directories it emptied
// are removed when dated before yesterday (UTC), so that a writer creating
// today's directory, python's among them, is never raced. It returns how
// many reports it handed on and removed. When ctx is done it stops and
// returns ctx.Err() among the errors.
func (r *Repo) Republish(ctx context.Context, pub oops.Publisher) (int, error) {
	root, ds, err := r.openDays()
	if root == nil {
		return 0, err
	}
	defer root.Close()
	keepFrom := dateOf(time.Now()).AddDate(0, 0, -1)
	stale := staleBefore()
	done := 0
	var errs []error
	for _, d := range ds {
		dirPath := filepath.Join(r.root, d.name)
		if d.date.Before(stale) {
			_, err := tidy(root, r.root, d.name)
			errs = append(errs, err...)
		}
		names, err := files(root, d.name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("datedir: listing %s: %w", dirPath, err))
			}
			continue
		}
		for _, name := range names {
			if err := ctx.Err(); err != nil {
				return done, errors.Join(append(errs, err)...)
			}
			rel := d.name + "/" + name
			path := filepath.Join(dirPath, name)
			rep, err := r.read(root, rel)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
				continue
			}
			ids, err := safePublish(ctx, pub, rep)
			if len(ids) == 0 {
				if err != nil {
					errs = append(errs, fmt.Errorf("datedir: republishing %s: %w", path, err))
				}
				continue
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("datedir: republishing %s: published as %s, removed, but: %w",
					path, strings.Join(ids, ", "), err))
			}
			if err := root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("datedir: removing republished %s: %w", path, err))
				continue
			}
			done++
		}
		if d.date.Before(keepFrom) {
			if err := removeIfEmpty(root, d.name); err != nil {
				errs = append(errs, fmt.Errorf("datedir: removing %s: %w", dirPath, err))
			}
		}
	}
	return done, errors.Join(errs...)
}

// safePublish calls pub, turning a panic into an error so that one bad
// report does not stop a republishing run (nor crash the program).
func safePublish(ctx context.Context, pub oops.Publisher, rep *oops.Report) (ids []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			ids, err = nil, fmt.Errorf("publisher panicked: %v", p)
		}
	}()
	return pub.Publish(ctx, rep)
}

// openDays opens the repository's root and lists its date directories. A
// root that does not exist yet is an empty repository: a nil root and no
// error. On an error the root is nil.
func (r *Repo) openDays() (*os.Root, []day, error) {
	root, err := r.open()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("datedir: %w", err)
	}
	ds, err := days(root)
	if err != nil {
		root.Close()
		return nil, nil, fmt.Errorf("datedir: listing %s: %w", r.root, err)
	}
	return root, ds, nil
}

// staleBefore is the date before which a date directory's ".tmp" and empty
// files are stale: two days before today (UTC), python's rule.
func staleBefore() time.Time { return dateOf(time.Now()).AddDate(0, 0, -2) }

// tidy removes from the date directory dayName the ".tmp" files no writer is
// writing and the empty regular files. It returns how many it removed and
// the errors met, each naming its file.
func tidy(root *os.Root, rootPath, dayName string) (int, []error) {
	dir, err := root.Open(dayName)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, []error{fmt.Errorf("datedir: listing %s: %w", filepath.Join(rootPath, dayName), err)}
	}
	ents, err := dir.ReadDir(-1)
	dir.Close()
	if err != nil {
		return 0, []error{fmt.Errorf("datedir: listing %s: %w", filepath.Join(rootPath, dayName), err)}
	}
	n := 0
	var errs []error
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		rel := dayName + "/" + e.Name()
		if strings.HasSuffix(e.Name(), tmpSuffix) {
			if writing(root, rel, e) {
				continue
			}
		} else if fi, err := e.Info(); err != nil || fi.Size() != 0 {
			continue
		}
		if err := root.Remove(rel); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("datedir: removing %s: %w", filepath.Join(rootPath, filepath.FromSlash(rel)), err))
			}
			continue
		}
		n++
	}
	return n, errs
}

// writing reports whether the ".tmp" file rel is being written (see
// lockWriting). Only regular files are opened: opening a FIFO would block.
func writing(root *os.Root, rel string, e fs.DirEntry) bool {
	if !e.Type().IsRegular() {
		return false
	}
	f, err := root.Open(rel)
	if err != nil {
		return false
	}
	defer f.Close()
	return beingWritten(f)
}
