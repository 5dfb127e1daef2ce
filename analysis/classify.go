package analysis

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// A Class is the kind of problem a group of reports is, as oops-tools'
// daily summary sorted them. Its zero value is Exception.
type Class int

// The classes, in the order a summary shows its sections.
const (
	Exception Class = iota
	TimeOut
	SoftTimeOut
	NotFound
	ClientError
)

// SectionOrder is the order a summary shows its sections in.
var SectionOrder = []Class{TimeOut, SoftTimeOut, NotFound, ClientError, Exception}

var classNames = [...]string{"exception", "time-out", "soft time-out", "not found", "client error"}
var classTitles = [...]string{"Exceptions", "Time-outs", "Soft time-outs", "Not found", "Client errors"}

// String returns the class's name: "exception", "time-out", "soft time-out",
// "not found" or "client error".
func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return fmt.Sprintf("Class(%d)", int(c))
	}
	return classNames[c]
}

// Title returns the heading of the class's section: "Time-outs" and so on.
func (c Class) Title() string {
	if c < 0 || int(c) >= len(classTitles) {
		return c.String()
	}
	return classTitles[c]
}

// ParseClass reads a class's name as String writes it.
func ParseClass(s string) (Class, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range classNames {
		if s == n || s == strings.ReplaceAll(n, " ", "-") || s == strings.ReplaceAll(n, "-", "") {
			return Class(i), nil
		}
	}
	return Exception, fmt.Errorf("analysis: unknown class %q", s)
}

// MarshalText writes the class's name.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a class's name.
func (c *Class) UnmarshalText(b []byte) error {
	v, err := ParseClass(string(b))
	if err == nil {
		*c = v
	}
	return err
}

// Facts are what classification looks at of a problem: its report's (or
// group's latest report's) type, value and HTTP status (0 when none).
type Facts struct {
	Type   string
	Value  string
	Status int
}

// A Rule gives its Class to the problems it matches: those whose type is one
// of Types, whose value contains one of Values (ignoring case), or whose
// status is one of Statuses or within [StatusFrom, StatusTo] (when
// StatusFrom is set).
type Rule struct {
	Class      Class    `json:"class"`
	Types      []string `json:"types,omitempty"`
	Values     []string `json:"values,omitempty"`
	Statuses   []int    `json:"statuses,omitempty"`
	StatusFrom int      `json:"status_from,omitempty"`
	StatusTo   int      `json:"status_to,omitempty"`
}

// Matches reports whether the rule matches f.
func (r Rule) Matches(f Facts) bool {
	if slices.Contains(r.Types, f.Type) {
		return true
	}
	if len(r.Values) > 0 && f.Value != "" {
		v := strings.ToLower(f.Value)
		for _, s := range r.Values {
			if s != "" && strings.Contains(v, strings.ToLower(s)) {
				return true
			}
		}
	}
	if f.Status != 0 {
		if slices.Contains(r.Statuses, f.Status) {
			return true
		}
		if r.StatusFrom > 0 && f.Status >= r.StatusFrom && f.Status <= r.StatusTo {
			return true
		}
	}
	return false
}

// Rules classify problems: the first rule that matches gives the class;
// when none does, the class is Exception.
type Rules []Rule

// DefaultRules are the rules described in the package doc.
var DefaultRules = Rules{
	{Class: SoftTimeOut, Types: []string{"SoftRequestTimeout"}},
	{
		Class:    TimeOut,
		Types:    []string{"RequestExpired", "TimeoutError", "context.deadlineExceededError", "*context.deadlineExceededError"},
		Values:   []string{"context deadline exceeded", "i/o timeout", "statement timeout"},
		Statuses: []int{504},
	},
	{Class: NotFound, Types: []string{"NotFound", "NotFoundError"}, Statuses: []int{404, 410}},
	{Class: ClientError, StatusFrom: 400, StatusTo: 499},
}

// Classify returns f's class by rs; nil rules are DefaultRules.
func (rs Rules) Classify(f Facts) Class {
	if rs == nil {
		rs = DefaultRules
	}
	for _, r := range rs {
		if r.Matches(f) {
			return r.Class
		}
	}
	return Exception
}

// Classify returns f's class by DefaultRules.
func Classify(f Facts) Class { return DefaultRules.Classify(f) }

// ParseRules reads rules written as a JSON array of Rule objects, classes by
// name: [{"class": "time-out", "types": ["MyTimeout"]}].
func ParseRules(data []byte) (Rules, error) {
	var rs Rules
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("analysis: reading rules: %w", err)
	}
	if rs == nil {
		rs = Rules{}
	}
	return rs, nil
}

// A Problem is what Sections needs of a group of reports: its facts and how
// many reports it holds.
type Problem struct {
	Facts
	Count int
}

// A Section is the groups of one class, in the order they were given.
type Section struct {
	Class  Class `json:"class"`
	Count  int   `json:"count"`  // the reports of its groups added up
	Groups []int `json:"groups"` // indexes into Sections' argument
}

// Sections classifies each problem by rs (nil: DefaultRules) and returns the
// non-empty sections in SectionOrder.
func (rs Rules) Sections(problems []Problem) []Section {
	by := make(map[Class]*Section)
	for i, p := range problems {
		c := rs.Classify(p.Facts)
		s := by[c]
		if s == nil {
			s = &Section{Class: c}
			by[c] = s
		}
		s.Count += p.Count
		s.Groups = append(s.Groups, i)
	}
	out := make([]Section, 0, len(by))
	for _, c := range SectionOrder {
		if s := by[c]; s != nil {
			out = append(out, *s)
			delete(by, c)
		}
	}
	// Classes outside SectionOrder (set by hand) come last, in class order.
	rest := make([]Class, 0, len(by))
	for c := range by {
		rest = append(rest, c)
	}
	slices.Sort(rest)
	for _, c := range rest {
		out = append(out, *by[c])
	}
	return out
}
