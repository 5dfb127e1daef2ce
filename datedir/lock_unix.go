//go:build unix

package datedir

import (
	"os"
	"syscall"
)

// lockWriting marks f, a ".tmp" file being written, as in use: Prune and
// Republish leave a locked ".tmp" alone. The lock goes with the file's close.
func lockWriting(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
}

// beingWritten reports whether a writer holds the lock of the ".tmp" file f
// (see lockWriting).
func beingWritten(f *os.File) bool {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err != nil {
		return err == syscall.EWOULDBLOCK
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}
