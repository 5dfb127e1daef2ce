package datedir

import (
	"fmt"
)

// readRoot reads the file name of d through its os.Root (which follows
// links that stay inside the repository) into *buf.
func (d *dayDir) readRoot(name string, buf *[]byte) ([]byte, error) {
	f, err := d.root.Open(name)
	if err != nil {
		return nil, readErr(d.pathOf(name), err)
	}
	data, err := readAllInto(f, buf)
	f.Close()
	if err != nil {
		return nil, readErr(d.pathOf(name), err)
	}
	return data, nil
}

func readErr(path string, err error) error {
	return fmt.Errorf("datedir: reading %s: %w", path, err)
}
