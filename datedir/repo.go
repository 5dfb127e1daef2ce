package datedir

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/wire"
)

// ErrNotFound is wrapped by Get's error when no date directory holds a file
// of that name.
var ErrNotFound = errors.New("report not found")

// ErrInvalidName is wrapped by Get's error when the id cannot be a report
// file's name: empty, longer than 255 bytes, holding '/', '\\', NUL or "..",
// or ending in ".tmp".
var ErrInvalidName = errors.New("not a report name")

// dayLayout names the date directories.
const dayLayout = "2006-01-02"

// tmpSuffix ends files being written; every reader skips them.
const tmpSuffix = ".tmp"

// Permissions of what Publish creates, whatever the umask: reports of a
// service running as one user are read by tools running as another.
const (
	filePerm = 0o644
	dirPerm  = 0o755
)

// A Repo is a date-dir repository rooted at a directory. It is an
// oops.Publisher. All access goes through an os.Root opened on the root
// directory, so no name, symbolic link or "..", whatever a file or a caller
// holds, reaches a file outside it. (On Linux, Publish writes through the
// day's directory opened by path without following a link, under names
// made of a well-formed id alone, and goes through the os.Root when that
// directory is missing or a link.)
//
// A Repo holds no state besides its root, its options and (on Linux) the
// day's directory it keeps open for writing, which Close closes: it is safe
// for concurrent use, and several processes (python's oops-datedir-repo among
// them) may share one directory. Make one with New or NewWithOptions.
//
// A Repo is also a store to read (store.Reader, store.Pruner): Get is
// lenient about the forms people paste ids in, and List and Groups scan the
// date directories of their query's range.
type Repo struct {
	root   string
	onSkip func(error) // Options.OnSkip
	dirs   *dirCache   // the day's directory kept open for writing; nil: none
}

// New returns the repository rooted at dir. The directory is created (0755,
// with its parents) when the first report is published; until then the
// repository reads as empty.
func New(dir string) *Repo {
	return NewWithOptions(dir, nil)
}

// Close closes the date directory a Repo keeps open between writes (on
// Linux, the directory of the day last written, reopened at least once a
// second and whenever the day changes or a write there fails). The Repo
// stays usable: Publish then opens the directory for each write. Close
// returns nil; a Repo left unclosed closes its directory when it is garbage
// collected.
func (r *Repo) Close() error {
	if r.dirs != nil {
		r.dirs.close()
	}
	return nil
}

// Root returns the repository's directory.
func (r *Repo) Root() string { return r.root }

// Publish writes rep to root/YYYY-MM-DD/<id>, the date being rep.Time's in
// UTC (now, if rep.Time is zero or outside years 1 to 9999, which no date
// directory can name; the file keeps that time as text), and returns
// []string{id}. The id is
// rep.ID when it is a well-formed OOPS id (oops.ValidID) and a new one
// otherwise; rep itself is not changed. A report published twice under the
// same id and date replaces the earlier file.
//
// The report is written to a temporary file whose name ends in ".tmp" and
// then renamed into place (on Linux, where it can be, to an unnamed file
// linked into place; a revision is renamed over the earlier file), so
// readers see whole files or none. Files are
// 0644 and directories 0755. A report too large for the readers
// (MaxReportSize) is cut to fit, as Encode describes. Publish does not sync the file to stable
// storage (neither does python's DateDirRepo); a file left empty by a crash
// is reported by readers as ErrCorrupt.
//
// ctx is not consulted: writing one small file is quick, and the report of a
// request that failed by timing out must be kept although its context is
// done.
func (r *Repo) Publish(_ context.Context, rep *oops.Report) ([]string, error) {
	id := rep.ID
	if !oops.ValidID(id) {
		id = oops.NewID()
	}
	enc := getEncoder()
	data, err := enc.encodeFit(rep, id)
	if err != nil {
		return nil, err
	}
	defer enc.release()
	t := rep.Time
	if t.IsZero() || !wire.TimeOK(t) {
		// A time no date directory can name (nor python read) is filed
		// under today, where Get and Walk look; the file keeps it as text.
		t = time.Now()
	}
	day := dayName(t)
	if err := r.write(day, id, data); err != nil {
		return nil, fmt.Errorf("datedir: publishing %s: %w", id, err)
	}
	return []string{id}, nil
}

func (r *Repo) write(day, name string, data []byte) error {
	if writeDirect(r.dirs, r.root, day, name, data) {
		return nil
	}
	root, err := os.OpenRoot(r.root)
	if errors.Is(err, fs.ErrNotExist) {
		if err := mkdirAll(r.root); err != nil {
			return err
		}
		root, err = os.OpenRoot(r.root)
	}
	if err != nil {
		return err
	}
	defer root.Close()
	// Prune may remove the day's directory, or (on a system without
	// advisory locks) an old ".tmp", between our steps: try again then.
	for try := 0; ; try++ {
		err := writeOnce(root, day, name, data)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || try == 10 {
			return err
		}
	}
}

// mkdirAll makes dir and its missing parents 0755 whatever the umask:
// readers running as another user must get in, and through the parents too.
func mkdirAll(dir string) error {
	dir = filepath.Clean(dir)
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, dirPerm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made by another writer meanwhile
		}
		return err
	}
	return os.Chmod(dir, dirPerm)
}

// dayName returns the name of t's date directory, t.UTC().Format(dayLayout)
// for a year of four digits, which wire.TimeOK makes sure of, without
// Format's parsing of the layout, and without a new string when t falls on
// the day named last (as most reports of a day do).
func dayName(t time.Time) string {
	n := unixDay(t)
	if last := lastDay.Load(); last != nil && last.n == n {
		return last.name
	}
	y, m, d := t.UTC().Date()
	if y < 1 || y > 9999 {
		return t.UTC().Format(dayLayout)
	}
	b := [10]byte{
		byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-',
		byte('0' + d/10), byte('0' + d%10),
	}
	name := string(b[:])
	lastDay.Store(&namedDay{n: n, name: name})
	return name
}

// A namedDay is a day (days since 1970-01-01, UTC) and its directory's name.
type namedDay struct {
	n    int64
	name string
}

// lastDay is the day dayName named last.
var lastDay atomic.Pointer[namedDay]

// unixDay returns the number of t's day in UTC counted from 1970-01-01
// (negative before).
func unixDay(t time.Time) int64 {
	s := t.Unix()
	n := s / 86400
	if s%86400 < 0 {
		n--
	}
	return n
}

// tmpName returns a new name for the ".tmp" file a report called name is
// written to. A random part keeps two writers of the same id (a report
// published again when its trailing window closes, or two processes) from
// writing into one temporary file.
func tmpName(name string) string {
	var rnd [8]byte
	binary.LittleEndian.PutUint64(rnd[:], rand.Uint64())
	var hx [2 * len(rnd)]byte
	hex.Encode(hx[:], rnd[:])
	var sb strings.Builder // one allocation for the whole name
	sb.Grow(len(name) + 1 + len(hx) + len(tmpSuffix))
	sb.WriteString(name)
	sb.WriteByte('.')
	sb.Write(hx[:])
	sb.WriteString(tmpSuffix)
	return sb.String()
}

// writeOnce writes data to day/name through a ".tmp" file.
func writeOnce(root *os.Root, day, name string, data []byte) error {
	tmp := day + "/" + tmpName(name)
	// The day's directory usually exists: try the file first. Prune and
	// Republish remove emptied day directories, so one may also vanish
	// between our Mkdir and our create; then make it again.
	var f *os.File
	var err error
	for try := 0; ; try++ {
		f, err = root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || try == 10 {
			return err
		}
		if err := root.Mkdir(day, dirPerm); err == nil {
			// Mkdir's mode is subject to the umask; python chmods too.
			// (Prune may have removed it again already: then go round.)
			if err := root.Chmod(day, dirPerm); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		} else if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	lockWriting(f)
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(filePerm)
	}
	if werr == nil {
		// Renamed while still open and locked, so that Prune never
		// takes it for an abandoned ".tmp".
		werr = root.Rename(tmp, day+"/"+name)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = root.Remove(tmp)
		return werr
	}
	return nil
}

// Get returns the report stored under id (store.Reader). The id is looked
// up as a file name in every date directory, newest first, as given and as
// oops.ParseID reads what people paste (" oops-3F2A… ", a URL ending in an
// id): for reports written by Publish, and
// by python's DateDirRepo (which names files OOPS-<md5 hex> and stores that
// name as the id unless inherit_id is set), the file name is the id. Besides
// well-formed OOPS ids, Get accepts any other name a date-dir repository may
// hold, as long as it cannot leave its directory; anything else is an error
// wrapping ErrInvalidName and oops.ErrBadID. A missing report is an error
// wrapping ErrNotFound and store.ErrNotFound; a file that holds no report, one wrapping ErrCorrupt. A report
// stored without an id gets its file's name as id, here, in Walk and in
// Republish.
func (r *Repo) Get(ctx context.Context, id string) (*oops.Report, error) {
	names := candidates(id)
	if len(names) == 0 {
		return nil, fmt.Errorf("datedir: get %s: %w", wire.QuoteID(id), badName{})
	}
	id = names[len(names)-1] // the parsed id names the report in errors
	root, err := r.open()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("datedir: get %s: %w", id, notFound{})
		}
		return nil, fmt.Errorf("datedir: get %s: %w", id, err)
	}
	defer root.Close()
	days, err := days(root)
	if err != nil {
		return nil, fmt.Errorf("datedir: get %s: %w", id, err)
	}
	for _, d := range slices.Backward(days) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, n := range names {
			name := d.name + "/" + n
			fi, err := root.Stat(name)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return nil, fmt.Errorf("datedir: get %s: %w", n, err)
			}
			if !fi.Mode().IsRegular() {
				// Opening a FIFO would block; a directory is no report.
				return nil, fmt.Errorf("datedir: reading %s: %w: not a regular file",
					filepath.Join(r.root, d.name, n), ErrCorrupt)
			}
			return r.read(root, name)
		}
	}
	return nil, fmt.Errorf("datedir: get %s: %w", id, notFound{})
}

// validName reports whether name can be a report file's name in a day
// directory without leaving it.
func validName(name string) bool {
	return name != "" && len(name) <= 255 &&
		!strings.ContainsAny(name, "/\\\x00") &&
		!strings.Contains(name, "..") &&
		name != "." &&
		!strings.HasSuffix(name, tmpSuffix)
}

func (r *Repo) open() (*os.Root, error) {
	return os.OpenRoot(r.root)
}

// read reads and decodes the file name (relative to root); errors name the
// file by its full path.
func (r *Repo) read(root *os.Root, name string) (*oops.Report, error) {
	path := filepath.Join(r.root, filepath.FromSlash(name))
	f, err := root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("datedir: reading %s: %w", path, err)
	}
	defer f.Close()
	rep, err := decodeFile(f, path)
	if err != nil {
		return nil, err
	}
	if rep.ID == "" {
		// Reports are filed under their id; one that lost it (or never had
		// one, written by hand) is known by its file's name.
		rep.ID = filepath.Base(path)
	}
	return rep, nil
}

// ReadFile reads one report file, plain or bzip2-compressed BSON, wherever
// it is (a tool pointed at a file by its user). Errors name the file; a
// file that holds no report gives an error wrapping ErrCorrupt.
func ReadFile(path string) (*oops.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datedir: %w", err) // the error names the file
	}
	defer f.Close()
	return decodeFile(f, path)
}

// decodeFile reads and decodes one report file of at most readLimit bytes;
// errors name the file by path.
func decodeFile(f io.Reader, path string) (*oops.Report, error) {
	data, err := io.ReadAll(io.LimitReader(f, int64(readLimit)+1))
	if err != nil {
		return nil, fmt.Errorf("datedir: reading %s: %w", path, err)
	}
	if len(data) > readLimit {
		return nil, fmt.Errorf("datedir: reading %s: %w: larger than %d bytes", path, ErrCorrupt, readLimit)
	}
	rep, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("datedir: reading %s: %w", path, err)
	}
	return rep, nil
}

// A day is one date directory.
type day struct {
	name string    // "2006-01-02"
	date time.Time // its midnight, UTC
}

// days lists the date directories under root in date order. Other entries
// (python keeps a "metadata" directory there) are ignored.
func days(root *os.Root) ([]day, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	ents, err := d.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	var out []day
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		t, err := time.Parse(dayLayout, e.Name())
		if err != nil {
			continue
		}
		out = append(out, day{name: e.Name(), date: t})
	}
	slices.SortFunc(out, func(a, b day) int { return a.date.Compare(b.date) })
	return out, nil
}

// files lists the report files of one date directory in name order: regular
// files (or links to them) not ending in ".tmp". Other files are skipped:
// opening a FIFO would block. A link that cannot be followed is listed, so
// that reading it reports why.
func files(root *os.Root, dayName string) ([]string, error) {
	d, err := root.Open(dayName)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	ents, err := d.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), tmpSuffix) {
			continue
		}
		switch t := e.Type(); {
		case t.IsRegular():
		case t&fs.ModeSymlink != 0:
			if fi, err := root.Stat(dayName + "/" + e.Name()); err == nil && !fi.Mode().IsRegular() {
				continue
			}
		default:
			continue
		}
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out, nil
}
