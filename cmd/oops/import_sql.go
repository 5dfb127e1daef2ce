package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/oops-go/oops/datedir"
)

// importWorkers publish at once, so that the SQL store commits them in
// batches (it groups concurrent publications into one transaction).
const importWorkers = 16

func runImport(ctx context.Context, e *env, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return storeErr(fmt.Errorf("import %s: no such directory", dir))
	case err != nil:
		return storeErr(fmt.Errorf("import %s: %w", dir, err))
	case !fi.IsDir():
		return storeErr(fmt.Errorf("import %s: not a directory", dir))
	}
	h, err := e.openFor(ctx, true)
	if err != nil {
		return err
	}
	defer h.close()
	if h.sql == nil {
		return usageErr("import copies into a SQL store: give --store sqlite:PATH or postgres://… (not %s)", h.name)
	}
	bar := e.progress(countReports(dir), "importing")
	var done atomic.Int64
	work := make(chan datedir.Entry)
	var wg sync.WaitGroup
	for range importWorkers {
		wg.Go(func() {
			for en := range work {
				if _, err := h.sql.Publish(ctx, en.Report); err != nil {
					e.warn(fmt.Errorf("importing %s: %w", en.Path, err))
				} else {
					done.Add(1)
				}
				bar.Add(1)
			}
		})
	}
	for en, err := range datedir.New(dir).Walk(ctx, time.Time{}, time.Time{}) {
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			e.warn(err)
			bar.Add(1)
			continue
		}
		work <- en
	}
	close(work)
	wg.Wait()
	bar.Finish()
	fmt.Fprintf(e.stdout, "imported %s from %s into %s\n", count(int(done.Load()), "report"), dir, h.name)
	return ctx.Err()
}

// countReports counts the files of dir's date directories, for the
// progress bar; it reads no file.
func countReports(dir string) int64 {
	var n int64
	days, _ := os.ReadDir(dir)
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, d.Name()); err != nil || !d.IsDir() {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(dir, d.Name()))
		n += int64(len(files))
	}
	return n
}

// progress returns a bar on stderr when it is a terminal, else one that
// draws nothing.
func (e *env) progress(total int64, what string) *progressbar.ProgressBar {
	if !isTerminal(e.stderr) {
		return progressbar.DefaultSilent(total, what)
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionEnableColorCodes(e.color(e.stderr)),
	)
}
