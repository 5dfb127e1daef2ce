package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/oops-go/oops"
)

// A Role says how much of a report its reader may see. The zero Role is
// Viewer, so that forgetting to set it hides the details.
type Role int

const (
	// Viewer sees ids, times, types, messages, topics and counts.
	Viewer Role = iota
	// Admin also sees the details: traceback, request variables, statement
	// texts, attributes, log records and extra keys.
	Admin
)

// String returns "viewer" or "admin".
func (r Role) String() string {
	if r == Admin {
		return "admin"
	}
	return "viewer"
}

// ParseRole reads "viewer" or "admin", in any case.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "viewer":
		return Viewer, nil
	case "admin":
		return Admin, nil
	}
	return Viewer, fmt.Errorf("oops store: unknown role %q (want viewer or admin)", oops.ValidUTF8(CutRunes(s, 40)))
}

// SeesDetails reports whether the role may see a report's details.
func (r Role) SeesDetails() bool { return r == Admin }

// ForRole returns r as role may see it: r itself for an admin; for a viewer, a
// copy without the details. The viewer's copy keeps the timeline's shape
// (offsets and categories, so that a waterfall and its counts can be drawn)
// without statement texts, stacks or error texts, and keeps the id, time,
// type, value, level, signature, topic, reporter, hostname, resource,
// duration and HTTP status.
func ForRole(r *oops.Report, role Role) *oops.Report {
	if r == nil || role.SeesDetails() {
		return r
	}
	v := &oops.Report{
		ID: r.ID, Type: r.Type, Value: r.Value, Time: r.Time, Hostname: r.Hostname,
		Reporter: r.Reporter, Topic: r.Topic, Duration: r.Duration, Level: r.Level,
		Signature: r.Signature, TimelineDropped: r.TimelineDropped, Suppressed: r.Suppressed,
		Resource: r.Resource, Revision: r.Revision, Pending: r.Pending,
	}
	if s, ok := r.Extra[StatusKey]; ok {
		v.Extra = map[string]any{StatusKey: s}
	}
	if len(r.Timeline) > 0 {
		v.Timeline = make([]oops.TimelineEntry, len(r.Timeline))
		for i, e := range r.Timeline {
			v.Timeline[i] = oops.TimelineEntry{Start: e.Start, End: e.End, Category: e.Category}
		}
	}
	return v
}

// MaxMessage bounds Fault.Message in characters, as Trove's instance faults
// do.
const MaxMessage = 255

// A Fault is the latest (or one past) failure of a resource, as a user of
// the resource may be shown it. Details is nil unless the reader is an
// admin.
type Fault struct {
	Resource string        `json:"resource"`
	ID       string        `json:"id"`
	Time     time.Time     `json:"time"`
	Message  string        `json:"message"` // at most MaxMessage characters
	Details  *FaultDetails `json:"details,omitempty"`
}

// FaultDetails are what an admin sees of a fault.
type FaultDetails struct {
	Type     string               `json:"type"`
	Value    string               `json:"value"`
	TBText   string               `json:"tb_text"`
	Timeline []oops.TimelineEntry `json:"timeline"`
}

// FaultOf returns r as a fault of its resource, as role may see it.
func FaultOf(r *oops.Report, role Role) Fault {
	f := Fault{Resource: r.Resource, ID: r.ID, Time: r.Time, Message: CutRunes(r.Value, MaxMessage)}
	if role.SeesDetails() {
		f.Details = &FaultDetails{Type: r.Type, Value: r.Value, TBText: r.TBText, Timeline: r.Timeline}
	}
	return f
}

// A FaultReader answers for the faults of a resource.
type FaultReader interface {
	// LatestFault returns the resource's latest fault; ErrNotFound when it
	// has none.
	LatestFault(ctx context.Context, resource string, role Role) (Fault, error)
	// Faults returns the resource's faults, newest first, at most limit (0
	// means DefaultLimit).
	Faults(ctx context.Context, resource string, role Role, limit int) ([]Fault, error)
}
