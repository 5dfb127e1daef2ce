package datedir

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// A dayDir is a date directory opened for a scan. On Linux it is listed
// with getdents64, reading each entry's type from the listing, and its
// regular files are read with openat relative to its descriptor, O_NOFOLLOW,
// into the caller's buffer: three system calls a file (open, read to the
// end, close) where os.Root takes nine (it checks each file's mode with
// fcntl and fstat, os.File registers it with the poller) and lists the
// directory with an lstat per entry. A name from the listing has no slash,
// and O_NOFOLLOW refuses a link put in its place, so nothing outside the
// directory is read; links, and entries of unknown type, go the os.Root way,
// which follows links that stay inside the repository.
type dayDir struct {
	root *os.Root // the directory, for links
	dir  *os.File // the directory, listed and read relative to
	fd   int
	path string // for errors
}

func openDayDir(root *os.Root, rootPath, day string) (*dayDir, error) {
	dr, err := root.OpenRoot(day)
	if err != nil {
		return nil, err
	}
	f, err := dr.Open(".")
	if err != nil {
		dr.Close()
		return nil, err
	}
	return &dayDir{root: dr, dir: f, fd: int(f.Fd()), path: filepath.Join(rootPath, day)}, nil
}

func (d *dayDir) Close() {
	d.dir.Close()
	d.root.Close()
}

func (d *dayDir) pathOf(name string) string { return filepath.Join(d.path, name) }

// A dirEntry is a file of a dayDir to read.
type dirEntry struct {
	name string
	link bool // read the os.Root way
}

// Directory entry types of getdents64.
const (
	dtUnknown = 0
	dtRegular = 8
	dtLink    = 10
)

// entries lists the report files of d, in no particular order, as files
// does: regular files and links to them, not ending in ".tmp".
func (d *dayDir) entries() ([]dirEntry, error) {
	buf := make([]byte, 64<<10)
	var out []dirEntry
	for {
		n, err := syscall.ReadDirent(d.fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: d.path, Err: err}
		}
		if n <= 0 {
			return out, nil
		}
		for b := buf[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino u64, off i64, reclen u16, type u8, name.
			reclen := int(binary.NativeEndian.Uint16(b[16:]))
			if reclen < 19 || reclen > len(b) {
				return nil, &fs.PathError{Op: "readdirent", Path: d.path, Err: syscall.EIO}
			}
			ino, typ, name := binary.NativeEndian.Uint64(b), b[18], b[19:reclen]
			b = b[reclen:]
			if i := indexNUL(name); i >= 0 {
				name = name[:i]
			}
			if ino == 0 || string(name) == "." || string(name) == ".." || strings.HasSuffix(string(name), tmpSuffix) {
				continue
			}
			if e, ok := d.entry(string(name), typ); ok {
				out = append(out, e)
			}
		}
	}
}

// entry decides whether the entry name of type typ is a file to read.
func (d *dayDir) entry(name string, typ byte) (dirEntry, bool) {
	if typ == dtUnknown {
		// A file system that does not say (most do): ask, as os does.
		fi, err := d.root.Lstat(name)
		if err != nil {
			// Gone (skipped, as files skips it), or to be read for the
			// error.
			return dirEntry{name: name, link: true}, !errors.Is(err, fs.ErrNotExist)
		}
		switch fi.Mode().Type() {
		case 0:
			typ = dtRegular
		case fs.ModeSymlink:
			typ = dtLink
		}
	}
	switch typ {
	case dtRegular:
		return dirEntry{name: name}, true
	case dtLink:
		// Listed unless it leads to something else than a file; one that
		// cannot be followed is listed, so that reading it says why.
		if fi, err := d.root.Stat(name); err == nil && !fi.Mode().IsRegular() {
			return dirEntry{}, false
		}
		return dirEntry{name: name, link: true}, true
	}
	return dirEntry{}, false
}

// readFile reads the file e of d whole (up to readLimit+1 bytes) into *buf.
func (d *dayDir) readFile(e dirEntry, buf *[]byte) ([]byte, error) {
	if e.link {
		return d.readRoot(e.name, buf)
	}
	fd, err := openRetry(d.fd, e.name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err == syscall.ELOOP {
		return d.readRoot(e.name, buf) // a link now: the os.Root way
	}
	if err != nil {
		return nil, readErr(d.pathOf(e.name), &fs.PathError{Op: "openat", Path: e.name, Err: err})
	}
	read := func(b []byte) (int, error) {
		for {
			n, err := syscall.Read(fd, b)
			if err != syscall.EINTR {
				return n, err
			}
		}
	}
	b := (*buf)[:0]
	if cap(b) == 0 {
		b = make([]byte, 0, 64<<10)
	}
	n, err := read(b[:cap(b)])
	if err == nil && n >= 5 && n < cap(b) && int64(binary.LittleEndian.Uint32(b[:n])) == int64(n) {
		// A read that stops short of the buffer's end, at the end of the
		// document its length announces, has the whole file: a read of a
		// regular file stops short only at its end. Not reading again to
		// see the end saves a system call per file; any other first read
		// (a file larger than the buffer, or whose length does not match)
		// goes on to the end.
		syscall.Close(fd)
		*buf = b[:n]
		return *buf, nil
	}
	var data []byte
	if err == nil {
		*buf = b[:max(n, 0)]
		data, err = readInto(read, buf)
	}
	syscall.Close(fd)
	if err != nil {
		return nil, readErr(d.pathOf(e.name), &fs.PathError{Op: "read", Path: e.name, Err: err})
	}
	return data, nil
}
