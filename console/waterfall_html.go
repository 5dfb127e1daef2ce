package console

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/oops-go/oops/store"
)

// The waterfall's bars and the steps' table are written here rather than by
// the template: a 1,000-step timeline has some 20,000 values, and
// html/template's reflective calls for each made the page take several
// times its 20 ms budget. Every string from the report goes through
// html.EscapeString, which escapes the five characters that matter in text
// and in double-quoted attribute values; all else written is numbers and
// class names of our own. The XSS test holds these writers to that.

// maxHoverDetail bounds a statement's text in a bar's hover title; the
// table below has it whole.
const maxHoverDetail = 400

// BarsSVG returns the bars as SVG elements.
func (wf waterfall) BarsSVG() template.HTML {
	var b strings.Builder
	b.Grow(len(wf.Bars) * 200)
	for i := range wf.Bars {
		br := &wf.Bars[i]
		n := strconv.Itoa(br.N)
		b.WriteString(`<g class="`)
		b.WriteString(br.Class)
		b.WriteString(`" data-n="`)
		b.WriteString(n)
		b.WriteString(`"><text class="n" x="40" y="`)
		b.WriteString(br.LabelY)
		b.WriteString(`">`)
		b.WriteString(n)
		b.WriteString(`</text><rect x="`)
		b.WriteString(br.X)
		b.WriteString(`" y="`)
		b.WriteString(br.Y)
		b.WriteString(`" width="`)
		b.WriteString(br.W)
		b.WriteString(`" height="9"></rect><title>#`)
		b.WriteString(n)
		b.WriteByte(' ')
		b.WriteString(html.EscapeString(br.Category))
		b.WriteString(" · ")
		b.WriteString(formatMillis(br.Length))
		b.WriteString(" at ")
		b.WriteString(formatMillis(br.Start))
		if br.Failed {
			b.WriteString(" · failed")
		}
		if br.NPlusOne {
			b.WriteString(" · N+1")
		}
		if br.Longest {
			b.WriteString(" · longest")
		}
		if br.Detail != "" {
			b.WriteByte('\n')
			b.WriteString(html.EscapeString(store.CutRunes(br.Detail, maxHoverDetail)))
		}
		b.WriteString("</title></g>\n")
	}
	return template.HTML(b.String())
}

// StepRows returns the steps' table rows.
func (wf waterfall) StepRows() template.HTML {
	var b strings.Builder
	b.Grow(len(wf.Bars) * 200)
	for i := range wf.Bars {
		br := &wf.Bars[i]
		n := strconv.Itoa(br.N)
		b.WriteString(`<tr id="e`)
		b.WriteString(n)
		b.WriteString(`" class="`)
		if br.Failed {
			b.WriteString("failed ")
		}
		if br.NPlusOne {
			b.WriteString("nplus1 ")
		}
		if br.Longest {
			b.WriteString("longest")
		}
		b.WriteString(`"><td class="num">`)
		b.WriteString(n)
		b.WriteString(`</td><td class="num">`)
		b.WriteString(formatMillis(br.Start))
		b.WriteString(`</td><td class="num">`)
		b.WriteString(formatMillis(br.Length))
		b.WriteString(`</td><td>`)
		b.WriteString(html.EscapeString(br.Category))
		b.WriteString(`</td><td><code class="sql">`)
		b.WriteString(html.EscapeString(br.Detail))
		b.WriteString(`</code>`)
		if br.Error != "" {
			b.WriteString(`<div class="bad">`)
			b.WriteString(html.EscapeString(br.Error))
			b.WriteString(`</div>`)
		}
		b.WriteString("</td></tr>\n")
	}
	return template.HTML(b.String())
}
