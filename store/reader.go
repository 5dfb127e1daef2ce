package store

import (
	"context"
	"errors"
	"time"

	"github.com/oops-go/oops"
)

// ErrNotFound is wrapped by the errors of Get and LatestFault when the store
// has no such report or fault.
var ErrNotFound = errors.New("oops store: not found")

// A Reader reads reports from a store. Implementations are safe for
// concurrent use.
type Reader interface {
	// Get returns the report with the given id. The id is taken as people
	// paste it (see oops.ParseID); an id that is no id wraps oops.ErrBadID,
	// a missing report wraps ErrNotFound.
	Get(ctx context.Context, id string) (*oops.Report, error)
	// List returns the summaries of the reports q matches, newest first, one
	// page at a time: pass Page.Next back as Query.Cursor for the next.
	List(ctx context.Context, q Query) (Page, error)
	// Groups returns the reports q matches grouped by signature, the most
	// frequent first. Query.Limit bounds the number of groups; Cursor is
	// ignored.
	Groups(ctx context.Context, q Query) ([]Group, error)
}

// A Pruner deletes the reports made before a time and says how many.
type Pruner interface {
	Prune(ctx context.Context, before time.Time) (int, error)
}

// Page sizes of List and Groups.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// A Query selects reports. Its zero value selects every report. String
// filters match exactly, except Text.
type Query struct {
	From, To  time.Time // reports with From <= time < To; zero means unbounded
	Signature string
	Type      string
	Topic     string
	Reporter  string
	Resource  string
	Text      string // a case-insensitive substring of the report's value
	Limit     int    // page size: 0 means DefaultLimit; at most MaxLimit
	Cursor    string // from Page.Next; "" for the first page
}

// PageSize returns q.Limit bounded to [1, MaxLimit], DefaultLimit when unset.
func (q Query) PageSize() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

// A Page is one page of List's answer.
type Page struct {
	Reports []Summary `json:"reports"`
	Next    string    `json:"next,omitempty"` // the cursor of the next page; "" on the last
}

// A Summary is what a list shows of a report: the fields people search and
// group by, no details. SummaryOf computes it the same way for every store.
type Summary struct {
	ID         string        `json:"id"`
	Time       time.Time     `json:"time"`
	Type       string        `json:"type,omitempty"`
	Value      string        `json:"value,omitempty"` // cut to MaxValue bytes
	Level      string        `json:"level,omitempty"`
	Signature  string        `json:"signature,omitempty"`
	Topic      string        `json:"topic,omitempty"`
	Reporter   string        `json:"reporter,omitempty"`
	Hostname   string        `json:"hostname,omitempty"`
	URL        string        `json:"url,omitempty"`
	Username   string        `json:"username,omitempty"`
	Resource   string        `json:"resource,omitempty"`
	TraceID    string        `json:"trace_id,omitempty"`
	Status     int           `json:"status,omitempty"`   // the HTTP status, 0 when none
	Duration   float64       `json:"duration"`           // seconds, -1 when unknown
	Statements int           `json:"statements"`         // SQL statements in the timeline
	SQLTime    time.Duration `json:"sql_time,omitempty"` // their total time
}

// A Group is the reports of one signature within a query's time range, as
// oops-tools' daily summary shows them.
type Group struct {
	Signature string    `json:"signature"`
	Count     int       `json:"count"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Type      string    `json:"type,omitempty"`   // of the latest report
	Value     string    `json:"value,omitempty"`  // of the latest report, cut
	Status    int       `json:"status,omitempty"` // of the latest report
	ExampleID string    `json:"example_id"`       // the latest report
	Topics    []Count   `json:"topics,omitempty"` // the most common, at most MaxTop
	URLs      []Count   `json:"urls,omitempty"`   // the most common, at most MaxTop
}

// MaxTop bounds Group.Topics and Group.URLs.
const MaxTop = 5

// A Count is how often a topic or URL occurs within a group, with one
// report's id as an example.
type Count struct {
	Value     string `json:"value"`
	N         int    `json:"n"`
	ExampleID string `json:"example_id"`
}
