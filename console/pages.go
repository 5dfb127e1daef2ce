package console

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

type homeData struct {
	Error    string
	Newest   []store.Summary
	Groups   []store.Group
	From, To time.Time
}

const (
	homeReports = 15
	homeGroups  = 10
)

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	h.homeWith(w, r, http.StatusOK, "")
}

func (h *Handler) homeWith(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ctx := r.Context()
	now := h.opts.Now().UTC()
	d := homeData{Error: msg, From: now.Truncate(24 * time.Hour), To: now.Add(time.Second)}
	page, err := h.opts.Store.List(ctx, store.Query{Limit: homeReports})
	if err != nil {
		h.storeFailed(w, r, err)
		return
	}
	d.Newest = page.Reports
	d.Groups, err = h.opts.Store.Groups(ctx, store.Query{From: d.From, To: d.To, Limit: homeGroups})
	if err != nil {
		h.storeFailed(w, r, err)
		return
	}
	h.render(w, r, status, "home", "home", d)
}

// goTo opens the report whose id was pasted, in any form oops.ParseID takes.
func (h *Handler) goTo(w http.ResponseWriter, r *http.Request) {
	in := r.URL.Query().Get("id")
	id, err := oops.ParseID(in)
	if err != nil {
		msg := "Paste an OOPS id, such as OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817, or a link to one."
		if strings.TrimSpace(in) != "" {
			msg = fmt.Sprintf("%q is not an OOPS id. %s", store.CutRunes(in, 80), msg)
		}
		h.homeWith(w, r, http.StatusBadRequest, msg)
		return
	}
	http.Redirect(w, r, h.opts.BasePath+"/report/"+url.PathEscape(id), http.StatusSeeOther)
}

// listForm is the list page's filters as the form writes them.
type listForm struct {
	From, To, Type, Topic, Reporter, Signature, Resource, Text string
	Limit                                                      int
}

func readListForm(v url.Values) listForm {
	f := listForm{
		From: v.Get("from"), To: v.Get("to"), Type: v.Get("type"), Topic: v.Get("topic"),
		Reporter: v.Get("reporter"), Signature: v.Get("signature"), Resource: v.Get("resource"), Text: v.Get("q"),
	}
	f.Limit, _ = strconv.Atoi(v.Get("limit"))
	if f.Limit <= 0 {
		f.Limit = store.DefaultLimit
	}
	f.Limit = min(f.Limit, store.MaxLimit)
	return f
}

func (f listForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{
		"from": f.From, "to": f.To, "type": f.Type, "topic": f.Topic, "reporter": f.Reporter,
		"signature": f.Signature, "resource": f.Resource, "q": f.Text,
	} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Limit != store.DefaultLimit {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	return v
}

func (f listForm) query(now time.Time) (store.Query, error) {
	q := store.Query{
		Type: f.Type, Topic: f.Topic, Reporter: f.Reporter, Signature: f.Signature,
		Resource: f.Resource, Text: f.Text, Limit: f.Limit,
	}
	var err error
	if q.From, err = parseWhen(f.From, false, now); err != nil {
		return q, fmt.Errorf("from: %w", err)
	}
	if q.To, err = parseWhen(f.To, true, now); err != nil {
		return q, fmt.Errorf("to: %w", err)
	}
	return q, nil
}

// parseWhen reads a time as the oops command's time flags take it: a
// duration back from now (24h, 90m, 7d, 2w), RFC 3339, or a day
// (YYYY-MM-DD, UTC). A day as an upper bound means its end, so that
// from=to=the same day shows that day.
func parseWhen(s string, upper bool, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a duration back from now (24h, 7d), a day (2006-01-02) nor an RFC 3339 time", store.CutRunes(s, 40))
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// parseAgo reads a positive duration, with d (days) and w (weeks) besides
// time.ParseDuration's units.
func parseAgo(s string) (time.Duration, bool) {
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n <= 0 || n > 100_000 {
			return 0, false
		}
		return time.Duration(n) * unit, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

type listData struct {
	Form   listForm
	Error  string
	Page   store.Page
	Cursor string
	First  template.URL // query strings made by url.Values.Encode
	Next   template.URL
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	d := listData{Form: readListForm(v), Cursor: v.Get("cursor")}
	q, err := d.Form.query(h.opts.Now().UTC())
	if err != nil {
		d.Error = err.Error()
		h.render(w, r, http.StatusBadRequest, "list", "reports", d)
		return
	}
	q.Cursor = d.Cursor
	d.Page, err = h.opts.Store.List(r.Context(), q)
	if err != nil {
		h.storeFailed(w, r, err)
		return
	}
	base := d.Form.values()
	d.First = template.URL(base.Encode())
	if d.Page.Next != "" {
		base.Set("cursor", d.Page.Next)
		d.Next = template.URL(base.Encode())
	}
	h.render(w, r, http.StatusOK, "list", "reports", d)
}

type summaryData struct {
	Form     listForm
	Error    string
	From, To time.Time
	Total    int
	Groups   []store.Group
	Sections []section
	More     template.URL // the query of a page with more groups, when some were left out
}

// A section is the groups of one class on the summary page.
type section struct {
	ID, Title string
	Count     int
	Groups    []store.Group
}

// summaryGroups is how many of the most frequent groups the summary page
// shows unless its limit parameter asks for more (up to store.MaxLimit): a
// SQL store fills in each group's topics and URLs with queries of their
// own, so a page of every problem of a busy day would be slow to come.
const summaryGroups = 100

func (h *Handler) summary(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	d := summaryData{Form: readListForm(v)}
	now := h.opts.Now().UTC()
	q, err := d.Form.query(now)
	if err != nil {
		d.Error = err.Error()
		h.render(w, r, http.StatusBadRequest, "summary", "summary", d)
		return
	}
	if q.From.IsZero() && q.To.IsZero() {
		q.To = now.Add(time.Second)
		q.From = q.To.Add(-24 * time.Hour)
	}
	q.Limit = summaryGroups
	if v.Get("limit") != "" {
		q.Limit = d.Form.Limit
	}
	q.Type, q.Signature, q.Resource, q.Text = "", "", "", ""
	d.From, d.To = q.From, q.To
	d.Groups, err = h.opts.Store.Groups(r.Context(), q)
	if err != nil {
		h.storeFailed(w, r, err)
		return
	}
	for _, g := range d.Groups {
		d.Total += g.Count
	}
	d.Sections = classify(h.opts.Rules, d.Groups)
	if len(d.Groups) == q.Limit && q.Limit < store.MaxLimit {
		more := d.Form.values()
		more.Set("from", d.From.Format(time.RFC3339Nano))
		more.Set("to", d.To.Format(time.RFC3339Nano))
		more.Set("limit", strconv.Itoa(min(q.Limit*5, store.MaxLimit)))
		d.More = template.URL(more.Encode())
	}
	h.render(w, r, http.StatusOK, "summary", "summary", d)
}

type faultsData struct {
	Resource string
	Latest   *store.Fault
	History  []store.Fault
}

// faultHistory bounds the faults page's history.
const faultHistory = 50

func (h *Handler) faultsPage(w http.ResponseWriter, r *http.Request) {
	d := faultsData{Resource: strings.TrimSpace(r.URL.Query().Get("resource"))}
	if h.faults == nil || d.Resource == "" {
		status := http.StatusOK
		if h.faults == nil {
			status = http.StatusNotFound
		}
		h.render(w, r, status, "faults", "faults", d)
		return
	}
	role := principal(r).Role
	f, err := h.faults.LatestFault(r.Context(), d.Resource, role)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		h.storeFailed(w, r, err)
		return
	default:
		d.Latest = &f
		all, err := h.faults.Faults(r.Context(), d.Resource, role, faultHistory)
		if err != nil {
			h.storeFailed(w, r, err)
			return
		}
		d.History = slices.DeleteFunc(all, func(x store.Fault) bool { return x.ID == f.ID })
	}
	h.render(w, r, http.StatusOK, "faults", "faults", d)
}
