package datedir

import (
	"strings"
	"syscall"
	"unsafe"
)

// Linux's O_TMPFILE and AT_EMPTY_PATH, which package syscall does not
// define. (golang.org/x/sys/unix does, but it is no direct dependency of the
// module, and this package imports the standard library only.) __O_TMPFILE
// is 0x400000 on every architecture Go runs Linux on; O_DIRECTORY is not,
// and syscall has it right for each.
const (
	oTmpfile    = 0x400000 | syscall.O_DIRECTORY
	atEmptyPath = 0x1000
)

// writeDirect writes data to day/name under root as writeOnce does (0644,
// never seen partly written), in 5 or 6 system calls instead of writeOnce's
// 21: it works on raw descriptors relative to the day's directory, opened by
// path with O_NOFOLLOW and kept open in c between writes, where os.Root opens
// the directory again for each step and os.File registers the file with the
// poller. The report writer runs on every failed request, and on tmpfs
// those steps are most of its cost.
//
// The file is written unnamed (O_TMPFILE) and linked under its name once
// complete (writeTmpfile); where that cannot be done, and for a revision,
// whose name exists already, under a locked ".tmp" name renamed into place
// (writeRenamed).
//
// It reports false, having left nothing behind, when it did not write: a
// day's directory that is missing or is a symbolic link (even one inside the
// root), or any failure. The caller then goes the os.Root way, which makes
// missing directories, follows links that stay inside the root, refuses
// others, and returns the errors os does.
func writeDirect(c *dirCache, root, day, name string, data []byte) bool {
	d := c.acquire(root, day)
	if d == nil {
		return false
	}
	var ok bool
	done := false
	if c.tmpfileOK() {
		ok, done = writeTmpfile(c, d.fd, name, data)
	}
	if !done {
		ok = writeRenamed(d.fd, name, data)
	}
	c.release(d, ok)
	return ok
}

// writeTmpfile writes data to a new unnamed file in the directory dir and
// links it there as name: openat(O_TMPFILE), write, fchmod, linkat, close.
// The name appears only with the whole content under it, and a crash leaves
// nothing behind, so the file needs no lock for Prune and no ".tmp" name.
//
// done is false when the write is to be made by writeRenamed instead, with
// nothing left behind: the name exists (a revision: linkat does not
// replace), or the file system or the kernel cannot do it, which c then
// remembers so that later writes do not try again. Otherwise ok tells
// whether data was written.
func writeTmpfile(c *dirCache, dir int, name string, data []byte) (ok, done bool) {
	f, err := openTmpfile(dir)
	if err != nil {
		switch err {
		case syscall.EOPNOTSUPP, syscall.EISDIR, syscall.EINVAL:
			// The file system has no O_TMPFILE (EOPNOTSUPP), or the kernel
			// does not know the flag (EISDIR, EINVAL).
			c.noTmpfile()
			return false, false
		}
		// ENOENT: the directory kept was removed (by Prune) since.
		return false, true
	}
	// The mode given to open is subject to the umask.
	if !writeAll(f, data) || syscall.Fchmod(f, filePerm) != nil {
		syscall.Close(f)
		return false, true
	}
	err = linkTmpfile(f, dir, name)
	if err != nil {
		syscall.Close(f)
		switch err {
		case syscall.EEXIST:
			return false, false
		case syscall.ENOENT:
			var st syscall.Stat_t
			if syscall.Fstat(dir, &st) == nil && st.Nlink == 0 {
				// The directory was removed since (by Prune or
				// Republish): the os.Root way makes it again.
				return false, true
			}
			// Linking an unnamed file (AT_EMPTY_PATH) needs
			// CAP_DAC_READ_SEARCH before Linux 6.10.
			c.noTmpfile()
		case syscall.EPERM, syscall.EACCES, syscall.EINVAL, syscall.EOPNOTSUPP, syscall.ENOSYS:
			c.noTmpfile()
		}
		return false, false
	}
	// As writeOnce, a failed close fails the write: the os.Root way then
	// writes the report again, replacing what was linked.
	return syscall.Close(f) == nil, true
}

// emptyPath is the empty C string linkat's AT_EMPTY_PATH is given.
var emptyPath [1]byte

// dotPath is the C string ".", the directory an unnamed file is made in.
var dotPath = [2]byte{'.', 0}

// openTmpfile opens a new unnamed file (O_TMPFILE) in the directory dir, as
// openRetry would, without making a C string of "." for each report.
func openTmpfile(dir int) (int, error) {
	for {
		fd, _, e := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(dir), uintptr(unsafe.Pointer(&dotPath[0])),
			uintptr(oTmpfile|syscall.O_WRONLY|syscall.O_CLOEXEC), filePerm, 0, 0)
		switch e {
		case 0:
			return int(fd), nil
		case syscall.EINTR:
			continue
		}
		return -1, e
	}
}

// linkTmpfile gives the file f, opened with O_TMPFILE, the name name in
// the directory dir, failing with EEXIST when the name exists.
func linkTmpfile(f, dir int, name string) error {
	// The name as a C string, on the stack: a report's id is short (a
	// file name no longer than 255 bytes; validName).
	var buf [256]byte
	var p *byte
	if len(name) < len(buf) {
		if strings.IndexByte(name, 0) >= 0 {
			return syscall.EINVAL // as syscall.BytePtrFromString
		}
		copy(buf[:], name)
		p = &buf[0]
	} else {
		var err error
		if p, err = syscall.BytePtrFromString(name); err != nil {
			return err
		}
	}
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(f), uintptr(unsafe.Pointer(&emptyPath[0])),
			uintptr(dir), uintptr(unsafe.Pointer(p)), atEmptyPath, 0)
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		}
		return e
	}
}

// writeRenamed writes data to name in the directory dir through a locked
// ".tmp" file renamed into place, replacing any file of that name:
// openat(O_CREAT|O_EXCL), flock, write, fchmod, renameat, close.
func writeRenamed(dir int, name string, data []byte) bool {
	tmp := tmpName(name)
	f, err := openRetry(dir, tmp, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, filePerm)
	if err != nil {
		// ENOENT: the directory kept was removed (by Prune) since.
		return false
	}
	// Locked as lockWriting does, and renamed while still open and locked,
	// so that Prune never takes it for an abandoned ".tmp".
	_ = syscall.Flock(f, syscall.LOCK_EX)
	ok := writeAll(f, data) &&
		// The mode given to open is subject to the umask.
		syscall.Fchmod(f, filePerm) == nil &&
		syscall.Renameat(dir, tmp, dir, name) == nil
	if syscall.Close(f) != nil {
		// As writeOnce, a failed close fails the write: the os.Root way
		// then writes the report again, replacing what was renamed.
		ok = false
	}
	if !ok {
		_ = syscall.Unlinkat(dir, tmp)
	}
	return ok
}

// openRetry opens path relative to the directory dir (-1: the working
// directory), again when interrupted.
func openRetry(dir int, path string, flags int, mode uint32) (int, error) {
	for {
		var fd int
		var err error
		if dir < 0 {
			fd, err = syscall.Open(path, flags, mode)
		} else {
			fd, err = syscall.Openat(dir, path, flags, mode)
		}
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// writeAll writes data to fd, resuming after short and interrupted writes.
func writeAll(fd int, data []byte) bool {
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return false
		}
		data = data[n:]
	}
	return true
}
