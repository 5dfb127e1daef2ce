package oopshttp

import (
	"bytes"
	"errors"
	"log"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oops-go/oops"
)

// TestPublishErrorsStayQuiet: a storm of failures writes one line a minute,
// with a count, not one line a failure.
func TestPublishErrorsStayQuiet(t *testing.T) {
	var buf bytes.Buffer
	out, flags := log.Writer(), log.Flags()
	log.SetOutput(&buf)
	log.SetFlags(0)
	defer func() { log.SetOutput(out); log.SetFlags(flags) }()
	synctest.Test(t, func(t *testing.T) {
		var l errorLog
		r := &oops.Report{ID: "OOPS-1", URL: "http://h/x", ReqVars: map[string]string{"REQUEST_METHOD": "GET"}}
		for range 100000 {
			l.add(r, errors.New("disk full"))
		}
		assert.Equal(t, 1, strings.Count(buf.String(), "\n"))
		time.Sleep(time.Minute)
		l.add(r, errors.New("disk full"))
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		assert.Equal(t, []string{
			"oopshttp: publishing OOPS-1 for GET http://h/x: disk full",
			"oopshttp: publishing OOPS-1 for GET http://h/x: disk full (and 99999 more failures since the last message)",
		}, lines)
	})
}
