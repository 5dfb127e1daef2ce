//go:build !unix

package datedir

import (
	"os"
	"time"
)

// lockWriting does nothing where there are no advisory locks; beingWritten
// then goes by the file's age.
func lockWriting(*os.File) {}

// beingWritten reports whether the ".tmp" file f was modified in the last
// minute: a writer writes a report in far less.
func beingWritten(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && time.Since(fi.ModTime()) < time.Minute
}
