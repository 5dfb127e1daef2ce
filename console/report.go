package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/store"
)

// relatedKey is the Extra key under which the HTTP middleware lists the
// other reports of the same request.
const relatedKey = "related_ids"

type reportData struct {
	R         *oops.Report // as the reader's role may see it
	Where     string
	Status    int
	Waterfall waterfall
	Extra     []keyValue
	Related   []string
}

type keyValue struct{ Key, Value string }

func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	id, err := oops.ParseID(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "That is not an OOPS id.")
		return
	}
	rep, err := h.opts.Store.Get(r.Context(), id)
	if err != nil {
		h.storeFailed(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "report", "", newReportData(rep, principal(r).Role))
}

// newReportData prepares rep for the report page. Everything the page shows
// comes from store.ForRole's copy, so that a viewer's page cannot show a
// detail by mistake.
func newReportData(full *oops.Report, role store.Role) *reportData {
	rep := store.ForRole(full, role)
	d := &reportData{R: rep, Status: store.Status(rep), Where: where(rep)}
	var m marks
	d.Waterfall = newWaterfall(rep.Timeline, seconds(rep.Duration), m)
	for k, v := range rep.Extra {
		switch k {
		case store.StatusKey:
			continue
		case relatedKey:
			d.Related = relatedIDs(v)
			continue
		}
		d.Extra = append(d.Extra, keyValue{k, store.Cut(formatValue(v), 4096)})
	}
	slices.SortFunc(d.Extra, func(a, b keyValue) int { return strings.Compare(a.Key, b.Key) })
	return d
}

// where names the place the report was made: the traceback's first frame
// when the reader may see it, else the topic.
func where(r *oops.Report) string {
	if r.TBText != "" {
		lines := strings.SplitN(r.TBText, "\n", 3)
		fn := strings.TrimSpace(lines[0])
		if len(lines) > 1 && strings.HasPrefix(lines[1], "\t") {
			return fn + " " + strings.TrimSpace(lines[1])
		}
		return fn
	}
	return r.Topic
}

func seconds(s float64) time.Duration {
	if s <= 0 || s > 1e9 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// relatedIDs reads the ids of related reports, which a store may hand back
// as []string or []any; anything that is no id is dropped.
func relatedIDs(v any) []string {
	var raw []string
	switch v := v.(type) {
	case []string:
		raw = v
	case []any:
		for _, x := range v {
			raw = append(raw, fmt.Sprint(x))
		}
	}
	var ids []string
	for _, s := range raw {
		if id, err := oops.ParseID(s); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
