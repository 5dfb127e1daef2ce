package datedir

import (
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// dirMaxAge is how long a writer keeps using a day's directory it opened
// before opening it again by path: a directory renamed away, or replaced,
// behind the Repo's back is written into for no longer than that. (One
// removed is noticed at once: nothing can be created in it.)
const dirMaxAge = time.Second

// A dirCache keeps the directory of the day last written open, so that a
// report costs no open and close of its directory (by a path walk through
// every parent) besides its own file's. It is safe for concurrent use.
type dirCache struct {
	mu     sync.Mutex
	cur    *writeDir // nil: none kept
	closed bool      // Repo.Close was called: keep nothing

	// noTmp is set once a write found that files cannot be written
	// unnamed and linked (writeTmpfile) here: the file system or the
	// kernel cannot, or the process may not.
	noTmp atomic.Bool
}

// A writeDir is an open date directory, shared by the writers using it.
type writeDir struct {
	day     string
	fd      int
	opened  time.Time
	users   int  // writers using fd, guarded by dirCache.mu
	retired bool // no longer kept: closed by its last user
}

// newDirCache returns the cache of r, closed when r becomes unreachable
// unless Close closed it first.
func newDirCache(r *Repo) *dirCache {
	c := new(dirCache)
	runtime.AddCleanup(r, (*dirCache).close, c)
	return c
}

// acquire returns the opened directory of day under root, which the caller
// gives back with release, or nil when it cannot be opened without
// following a link (missing, a symbolic link, not a directory). c may be
// nil: the directory is then opened for this write alone.
func (c *dirCache) acquire(root, day string) *writeDir {
	now := time.Now()
	if c != nil {
		c.mu.Lock()
		if d := c.cur; d != nil && d.day == day && now.Sub(d.opened) < dirMaxAge {
			d.users++
			c.mu.Unlock()
			return d
		}
		c.mu.Unlock()
	}
	fd, err := openRetry(-1, filepath.Join(root, day),
		syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	d := &writeDir{day: day, fd: fd, opened: now, users: 1, retired: true}
	if c == nil {
		return d
	}
	c.mu.Lock()
	if !c.closed {
		d.retired = false
		c.retireLocked()
		c.cur = d
	}
	c.mu.Unlock()
	return d
}

// release gives back d, got from acquire; a failed write (ok false) stops
// d from being kept, so that the next write opens the directory again (it
// may have been removed, and made again, since).
func (c *dirCache) release(d *writeDir, ok bool) {
	if c == nil {
		syscall.Close(d.fd)
		return
	}
	c.mu.Lock()
	if !ok && c.cur == d {
		c.retireLocked()
	}
	d.users--
	last := d.retired && d.users == 0
	c.mu.Unlock()
	if last {
		syscall.Close(d.fd)
	}
}

// retireLocked stops keeping the current directory, closing it unless a
// writer is using it (then its last user does).
func (c *dirCache) retireLocked() {
	d := c.cur
	if d == nil {
		return
	}
	c.cur = nil
	d.retired = true
	if d.users == 0 {
		syscall.Close(d.fd)
	}
}

// close closes the directory kept, once no writer uses it, and keeps none
// from now on.
func (c *dirCache) close() {
	c.mu.Lock()
	c.closed = true
	c.retireLocked()
	c.mu.Unlock()
}

// tmpfileOK reports whether writes may try writeTmpfile: not once c found
// they cannot succeed. c may be nil.
func (c *dirCache) tmpfileOK() bool {
	return c == nil || !c.noTmp.Load()
}

// noTmpfile remembers that writeTmpfile cannot succeed here. c may be nil.
func (c *dirCache) noTmpfile() {
	if c != nil {
		c.noTmp.Store(true)
	}
}
