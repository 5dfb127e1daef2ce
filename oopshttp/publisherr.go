package oopshttp

import (
	"log"
	"sync"
	"time"

	"github.com/oops-go/oops"
)

// publishErrorEvery is how often, at most, the standard logger prints that
// the middleware's reports could not be published (Options.PublishError
// nil).
const publishErrorEvery = time.Minute

// publishErrors prints failures to publish at most once per interval: the
// first after a quiet interval at once, the rest counted into the next line.
var publishErrors errorLog

type errorLog struct {
	mu      sync.Mutex
	next    time.Time // no line before then
	skipped int       // failures not printed since the last line
}

func (l *errorLog) add(r *oops.Report, err error) {
	now := time.Now()
	l.mu.Lock()
	if now.Before(l.next) {
		l.skipped++
		l.mu.Unlock()
		return
	}
	skipped := l.skipped
	l.skipped, l.next = 0, now.Add(publishErrorEvery)
	l.mu.Unlock()
	if skipped > 0 {
		log.Printf("oopshttp: publishing %s for %s %s: %v (and %d more failures since the last message)",
			r.ID, r.ReqVars["REQUEST_METHOD"], r.URL, err, skipped)
		return
	}
	log.Printf("oopshttp: publishing %s for %s %s: %v", r.ID, r.ReqVars["REQUEST_METHOD"], r.URL, err)
}
