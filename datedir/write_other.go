//go:build !linux

package datedir

// writeDirect reports false: elsewhere every write goes the os.Root way
// (writeOnce).
func writeDirect(root, day, name, tmp string, data []byte) bool { return false }
