//go:build !linux

package datedir

import (
	"os"
	"path/filepath"
)

// A dayDir is a date directory opened for a scan, through os.Root.
type dayDir struct {
	root *os.Root
	name string // the directory's name in the repository's root
	top  *os.Root
	path string // for errors
}

func openDayDir(root *os.Root, rootPath, day string) (*dayDir, error) {
	dr, err := root.OpenRoot(day)
	if err != nil {
		return nil, err
	}
	return &dayDir{root: dr, name: day, top: root, path: filepath.Join(rootPath, day)}, nil
}

func (d *dayDir) Close() { d.root.Close() }

func (d *dayDir) pathOf(name string) string { return filepath.Join(d.path, name) }

// A dirEntry is a file of a dayDir to read.
type dirEntry struct {
	name string
}

// entries lists the report files of d as files does.
func (d *dayDir) entries() ([]dirEntry, error) {
	names, err := files(d.top, d.name)
	if err != nil {
		return nil, err
	}
	out := make([]dirEntry, len(names))
	for i, n := range names {
		out[i] = dirEntry{name: n}
	}
	return out, nil
}

// readFile reads the file e of d whole (up to readLimit+1 bytes) into *buf.
func (d *dayDir) readFile(e dirEntry, buf *[]byte) ([]byte, error) {
	return d.readRoot(e.name, buf)
}
