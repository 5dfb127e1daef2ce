//go:build !linux

package datedir

// writeDirect reports false: elsewhere every write goes the os.Root way
// (writeOnce).
func writeDirect(c *dirCache, root, day, name string, data []byte) bool { return false }

// A dirCache keeps nothing where writes go the os.Root way.
type dirCache struct{}

func newDirCache(*Repo) *dirCache { return nil }

func (*dirCache) close() {}
