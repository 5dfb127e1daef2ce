package analysis_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/analysis"
)

func TestDefaultRules(t *testing.T) {
	for _, c := range []struct {
		f    analysis.Facts
		want analysis.Class
	}{
		{analysis.Facts{Type: "SoftRequestTimeout", Status: 200}, analysis.SoftTimeOut},
		{analysis.Facts{Type: "context.deadlineExceededError"}, analysis.TimeOut},
		{analysis.Facts{Type: "*pgconn.PgError", Value: "ERROR: canceling statement due to statement timeout"}, analysis.TimeOut},
		{analysis.Facts{Type: "*url.Error", Value: "Get http://x: Context Deadline Exceeded"}, analysis.TimeOut},
		{analysis.Facts{Type: "ERROR", Status: 504}, analysis.TimeOut},
		{analysis.Facts{Type: "ERROR", Status: 404}, analysis.NotFound},
		{analysis.Facts{Type: "NotFoundError"}, analysis.NotFound},
		{analysis.Facts{Type: "ERROR", Status: 403}, analysis.ClientError},
		{analysis.Facts{Type: "ERROR", Status: 500}, analysis.Exception},
		{analysis.Facts{Type: "*fs.PathError", Value: "open x: no such file"}, analysis.Exception},
		{analysis.Facts{}, analysis.Exception},
	} {
		assert.Equal(t, c.want, analysis.Classify(c.f), "%+v", c.f)
		assert.Equal(t, c.want, analysis.Rules(nil).Classify(c.f), "nil rules are the defaults")
	}
}

func TestRulesFromJSON(t *testing.T) {
	rs, err := analysis.ParseRules([]byte(`[{"class": "not-found", "types": ["*store.NotFound"]},
		{"class": "soft time-out", "values": ["slow"]}]`))
	require.NoError(t, err)
	assert.Equal(t, analysis.NotFound, rs.Classify(analysis.Facts{Type: "*store.NotFound"}))
	assert.Equal(t, analysis.SoftTimeOut, rs.Classify(analysis.Facts{Value: "too SLOW"}))
	assert.Equal(t, analysis.Exception, rs.Classify(analysis.Facts{Status: 404}), "only the rules given")
	_, err = analysis.ParseRules([]byte(`[{"class": "bad"}]`))
	assert.Error(t, err)
	_, err = analysis.ParseRules([]byte(`{`))
	assert.Error(t, err)

	b, err := json.Marshal(analysis.DefaultRules)
	require.NoError(t, err)
	back, err := analysis.ParseRules(b)
	require.NoError(t, err)
	assert.Equal(t, analysis.DefaultRules, back)
}

func TestSections(t *testing.T) {
	ps := []analysis.Problem{
		{Facts: analysis.Facts{Type: "*errors.errorString"}, Count: 7},
		{Facts: analysis.Facts{Status: 404}, Count: 3},
		{Facts: analysis.Facts{Type: "SoftRequestTimeout"}, Count: 2},
		{Facts: analysis.Facts{Status: 404}, Count: 1},
		{Facts: analysis.Facts{Status: 504}, Count: 1},
	}
	got := analysis.DefaultRules.Sections(ps)
	assert.Equal(t, []analysis.Section{
		{Class: analysis.TimeOut, Count: 1, Groups: []int{4}},
		{Class: analysis.SoftTimeOut, Count: 2, Groups: []int{2}},
		{Class: analysis.NotFound, Count: 4, Groups: []int{1, 3}},
		{Class: analysis.Exception, Count: 7, Groups: []int{0}},
	}, got)
	assert.Equal(t, "Time-outs", got[0].Class.Title())
	assert.Equal(t, "client error", analysis.ClientError.String())
	assert.Equal(t, "Class(9)", analysis.Class(9).String())
	assert.Empty(t, analysis.DefaultRules.Sections(nil))
}
