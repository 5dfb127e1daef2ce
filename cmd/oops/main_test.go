package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/oops-go/oops/internal/testenv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/store"
)

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func oopsCmd(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := runEnv(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

// fixture is a date directory holding reports of several classes.
type fixture struct {
	root                               string
	nplus1, notFound, soft, timeout, x string
	now                                time.Time
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{root: t.TempDir(), now: time.Now().UTC().Truncate(time.Second)}
	repo := datedir.New(f.root)
	pub := func(r *oops.Report) string {
		r.ID = oops.NewID()
		if r.Time.IsZero() {
			r.Time = f.now.Add(-time.Hour)
		}
		if r.Duration == 0 {
			r.Duration = -1
		}
		_, err := repo.Publish(context.Background(), r)
		require.NoError(t, err)
		return r.ID
	}
	us := time.Microsecond
	tl := []oops.TimelineEntry{{Start: 0, End: 300 * us, Category: "SQL-main", Detail: "SELECT id FROM orders WHERE customer = 'ann'"}}
	for i := range 8 {
		s := time.Duration(400+100*i) * us
		tl = append(tl, oops.TimelineEntry{Start: s, End: s + 80*us, Category: "SQL-main",
			Detail: "SELECT * FROM lines WHERE order_id = " + string(rune('1'+i))})
	}
	tl = append(tl, oops.TimelineEntry{Start: 1300 * us, End: 1300 * us, Category: "log-INFO", Detail: "done"})
	f.nplus1 = pub(&oops.Report{Type: "*errors.errorString", Value: "order total mismatch", Topic: "GET /orders",
		URL: "https://shop/orders", Signature: "sig-orders", Timeline: tl, Duration: 0.002})
	for i := range 3 {
		f.notFound = pub(&oops.Report{Type: "ERROR", Value: "no such page", Topic: "GET /p/{id}", Signature: "sig-404",
			Time:  f.now.Add(-time.Hour + time.Duration(i)*time.Second),
			Extra: map[string]any{store.StatusKey: "404"}})
	}
	f.soft = pub(&oops.Report{Type: "SoftRequestTimeout", Value: "first response byte after 3s", Signature: "sig-soft"})
	f.timeout = pub(&oops.Report{Type: "*url.Error", Value: "Get x: context deadline exceeded", Signature: "sig-to",
		Time: f.now.Add(-48 * time.Hour)})
	f.x = pub(&oops.Report{Type: "*evil.Type", Value: "<script>alert(1)</script> \x1b]0;pwned\x07\x1b[31mred", Signature: "sig-evil"})
	return f
}

func (f fixture) env() map[string]string { return map[string]string{"OOPS_STORE": f.root} }

func TestShow(t *testing.T) {
	f := newFixture(t)
	for _, pasted := range []string{f.nplus1, "  " + strings.ToUpper(f.nplus1) + " ", strings.TrimPrefix(f.nplus1, "OOPS-"),
		"https://oops.example/oops/" + f.nplus1} {
		r := oopsCmd(t, f.env(), "show", pasted)
		require.Equal(t, 0, r.code, "%q: %s", pasted, r.stderr)
		assert.Empty(t, r.stderr)
		assert.Contains(t, r.stdout, f.nplus1)
		assert.Contains(t, r.stdout, "order total mismatch")
		assert.Contains(t, r.stdout, "analysis:")
		assert.Contains(t, r.stdout, "in 9 statements")
		assert.Contains(t, r.stdout, "N+1 queries:")
		assert.Contains(t, r.stdout, "8 × SELECT * FROM lines WHERE order_id = ?, entries #1–#8")
		assert.Contains(t, r.stdout, "one query would save 0.560ms")
		assert.Contains(t, r.stdout, "timeline (10 entries")
		assert.Regexp(t, `(?m)^\s+1\s+0\.400ms\s+0\.080ms \|[ █]+\| N\+1\s+SQL-main`, r.stdout, "a waterfall row with µs offsets")
		assert.NotContains(t, r.stdout, "\x1b", "no colour when stdout is no terminal")
	}
}

func TestShowJSON(t *testing.T) {
	f := newFixture(t)
	r := oopsCmd(t, f.env(), "show", "--json", f.nplus1, f.soft)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2)
	var rep oops.Report
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rep))
	assert.Equal(t, f.nplus1, rep.ID)
	assert.Equal(t, 80*time.Microsecond, rep.Timeline[1].End-rep.Timeline[1].Start)
}

func TestShowUnknownIDsDoTheRest(t *testing.T) {
	f := newFixture(t)
	missing := oops.NewID()
	r := oopsCmd(t, f.env(), "show", missing, f.soft, "not an id!", "../../etc/passwd")
	assert.Equal(t, exitPartial, r.code)
	assert.Contains(t, r.stdout, f.soft, "the good one is shown")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	require.Len(t, lines, 3, r.stderr)
	assert.Equal(t, "oops: "+missing+": not found in "+f.root, lines[0])
	assert.Contains(t, lines[1], "oops: not an id!: not found in ", "a safe name is looked up as a file name")
	assert.Contains(t, lines[2], "not an OOPS id")
}

func TestStoreErrors(t *testing.T) {
	r := oopsCmd(t, map[string]string{"OOPS_STORE": filepath.Join(t.TempDir(), "nope")}, "list")
	assert.Equal(t, exitStore, r.code)
	assert.Regexp(t, `^oops: store .*nope: no such directory\n$`, r.stderr)

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	r = oopsCmd(t, nil, "--store", file, "show", oops.NewID())
	assert.Equal(t, exitStore, r.code)
	assert.Contains(t, r.stderr, "not a directory")

	r = oopsCmd(t, nil, "-s", "mongodb://x", "list")
	assert.Equal(t, exitStore, r.code)

	r = oopsCmd(t, nil, "list")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "OOPS_STORE")
}

func TestUsage(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{{"frobnicate"}, {"list", "--nope"}, {"show"}, {"list", "--since", "yesterday"},
		{"list", "--since", "1h", "--from", "2026-01-01"}, {"list", "--from", "2026-13-01"}, {"prune"},
		{"prune", "--older-than", "-3d"}, {"list", "--limit", "0"}, {"summary", "--rules", "/nonexistent"}} {
		r := oopsCmd(t, f.env(), args...)
		assert.Equal(t, exitUsage, r.code, "%q: %s", args, r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "oops: "), "%q: %s", args, r.stderr)
		assert.Empty(t, r.stdout, "%q", args)
	}
	for _, cmd := range []string{"show", "list", "summary", "import", "prune"} {
		r := oopsCmd(t, nil, cmd, "--help")
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.stdout, "Examples:", cmd)
	}
	r := oopsCmd(t, nil, "--help")
	assert.Contains(t, r.stdout, "Exit codes")
}

func TestList(t *testing.T) {
	f := newFixture(t)
	r := oopsCmd(t, f.env(), "list")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 8, r.stdout) // a header and seven reports
	assert.True(t, strings.HasPrefix(lines[0], "TIME (UTC)"))
	assert.Contains(t, lines[len(lines)-1], f.timeout, "oldest last")
	for _, l := range lines {
		assert.LessOrEqual(t, len([]rune(l)), 160, "fits the width")
	}
	assert.NotContains(t, r.stdout, "\x1b")

	r = oopsCmd(t, map[string]string{"OOPS_STORE": f.root, "COLUMNS": "100"}, "list", "--since", "24h", "--type", "ERROR")
	require.Equal(t, 0, r.code, r.stderr)
	lines = strings.Split(strings.TrimSpace(r.stdout), "\n")
	assert.Len(t, lines, 4)
	for _, l := range lines {
		assert.LessOrEqual(t, len([]rune(l)), 100, "fits COLUMNS: %q", l)
	}

	r = oopsCmd(t, f.env(), "list", "--json", "--text", "DEADLINE")
	require.Equal(t, 0, r.code, r.stderr)
	var s store.Summary
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &s))
	assert.Equal(t, f.timeout, s.ID)

	// Pages: the command for the next is on stderr.
	r = oopsCmd(t, f.env(), "list", "--json", "-n", "4")
	require.Equal(t, 0, r.code)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 4)
	require.Contains(t, r.stderr, "more: add --cursor ")
	cursor := strings.TrimSpace(strings.TrimPrefix(r.stderr, "more: add --cursor "))
	r2 := oopsCmd(t, f.env(), "list", "--json", "-n", "4", "--cursor", cursor)
	require.Equal(t, 0, r2.code, r2.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r2.stdout), "\n"), 3)
	assert.Empty(t, r2.stderr)
	all := oopsCmd(t, f.env(), "list", "--json", "-n", "2", "--all")
	assert.Equal(t, r.stdout+r2.stdout, all.stdout)

	r = oopsCmd(t, f.env(), "list", "--cursor", "bad!")
	assert.Equal(t, exitUsage, r.code)
}

func TestGarbageFileIsSkippedAndNamed(t *testing.T) {
	f := newFixture(t)
	day := filepath.Join(f.root, f.now.Add(-time.Hour).Format("2006-01-02"))
	bad := filepath.Join(day, "OOPS-garbage")
	require.NoError(t, os.WriteFile(bad, []byte("\x05\x00\x00\x00garbage"), 0o644))
	r := oopsCmd(t, f.env(), "list", "--json")
	assert.Equal(t, exitPartial, r.code)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 7, "every good report")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	assert.Contains(t, r.stderr, bad)

	r = oopsCmd(t, f.env(), "summary", "--json")
	assert.Equal(t, exitPartial, r.code)
	assert.Contains(t, r.stderr, bad)
}

func TestSummary(t *testing.T) {
	f := newFixture(t)
	r := oopsCmd(t, f.env(), "summary", "--since", "7d")
	require.Equal(t, 0, r.code, r.stderr)
	out := r.stdout
	assert.Contains(t, out, ": 7 reports in 5 groups")
	order := []string{"== Time-outs: 1 report ", "== Soft time-outs: 1 report ", "== Not found: 3 reports", "== Exceptions: 2 reports"}
	last := -1
	for _, h := range order {
		i := strings.Index(out, h)
		require.GreaterOrEqual(t, i, 0, "%s in\n%s", h, out)
		assert.Greater(t, i, last, "sections in order")
		last = i
	}
	assert.Contains(t, out, "3  GET /p/{id}  ("+f.notFound+")")
	assert.NotContains(t, out, "\x1b")
	assert.NotContains(t, out, "\x07")

	// The default range is the last 24 hours: the time-out is older.
	r = oopsCmd(t, f.env(), "summary", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var s summary
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &s))
	assert.Equal(t, 6, s.Reports)
	require.Len(t, s.Sections, 3)
	assert.Equal(t, "Soft time-outs", s.Sections[0].Title)
	assert.Equal(t, f.notFound, s.Sections[1].Groups[0].ExampleID)

	rules := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(`[{"class": "client error", "types": ["*evil.Type"]}]`), 0o644))
	r = oopsCmd(t, f.env(), "summary", "--rules", rules)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "== Client errors: 1 report ")
	assert.NotContains(t, r.stdout, "Not found", "the rules given replace the defaults")

	page := filepath.Join(t.TempDir(), "s.html")
	r = oopsCmd(t, f.env(), "summary", "--since", "7d", "--html", page)
	require.Equal(t, 0, r.code, r.stderr)
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(html), "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.NotContains(t, string(html), "<script>")
	assert.Contains(t, string(html), "<h2>Not found: 3 reports</h2>")
	// The page's policy allows its one style by hash, and nothing else.
	m := regexp.MustCompile(`(?s)content="default-src 'none'; style-src '(sha256-[^']+)'".*<style>\n(.*)</style>`).FindSubmatch(html)
	require.NotNil(t, m)
	sum := sha256.Sum256(m[2])
	assert.Equal(t, "sha256-"+base64.StdEncoding.EncodeToString(sum[:]), string(m[1]))
	assert.NotContains(t, string(html), "<script")
}

func TestHostileFieldsPrintAsText(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{{"show", f.x}, {"list"}, {"summary"}} {
		r := oopsCmd(t, f.env(), args...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "\x1b", "%q", args)
		assert.NotContains(t, r.stdout, "\x07", "%q", args)
		assert.Contains(t, r.stdout, "\uFFFD]0;pwned", "%q", args)
	}
}

func TestPrune(t *testing.T) {
	f := newFixture(t)
	r := oopsCmd(t, f.env(), "prune", "--older-than", "1d")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^pruned 1 report made before `, r.stdout)
	r = oopsCmd(t, f.env(), "show", f.timeout)
	assert.Equal(t, exitPartial, r.code)
}

func TestImportIntoSQLiteAndReadIt(t *testing.T) {
	f := newFixture(t)
	day := filepath.Join(f.root, f.now.Add(-time.Hour).Format("2006-01-02"))
	require.NoError(t, os.WriteFile(filepath.Join(day, "OOPS-garbage"), []byte("garbage"), 0o644))
	db := "sqlite:" + filepath.Join(t.TempDir(), "oops.db")
	r := oopsCmd(t, map[string]string{"OOPS_STORE": db}, "import", f.root)
	assert.Equal(t, exitPartial, r.code, "the garbage file is named: %s", r.stderr)
	assert.Contains(t, r.stderr, "OOPS-garbage")
	assert.Equal(t, "imported 7 reports from "+f.root+" into "+db+"\n", r.stdout)
	// Again: stored once by id.
	r = oopsCmd(t, map[string]string{"OOPS_STORE": db}, "import", f.root)
	assert.Contains(t, r.stdout, "imported 7 reports")

	fromDir := oopsCmd(t, f.env(), "list", "--json", "--all", "--since", "7d")
	fromDB := oopsCmd(t, nil, "-s", db, "list", "--json", "--all", "--since", "7d")
	require.Equal(t, 0, fromDB.code, fromDB.stderr)
	assert.Equal(t, fromDir.stdout, fromDB.stdout, "the same list from either store")
	sumDir := oopsCmd(t, f.env(), "summary", "--from", "2020-01-01", "--to", "2100-01-01")
	sumDB := oopsCmd(t, nil, "-s", db, "summary", "--from", "2020-01-01", "--to", "2100-01-01")
	require.Equal(t, 0, sumDB.code, sumDB.stderr)
	assert.Equal(t, sumDir.stdout, sumDB.stdout, "the same summary from either store")
	show := oopsCmd(t, nil, "-s", db, "show", strings.ToUpper(f.nplus1))
	require.Equal(t, 0, show.code, show.stderr)
	assert.Contains(t, show.stdout, "N+1 queries:")

	r = oopsCmd(t, nil, "-s", db, "prune", "--older-than", "1d")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "pruned 1 report ")

	// Import needs a SQL store and a directory.
	r = oopsCmd(t, f.env(), "import", f.root)
	assert.Equal(t, exitUsage, r.code)
	r = oopsCmd(t, nil, "-s", db, "import", filepath.Join(t.TempDir(), "nope"))
	assert.Equal(t, exitStore, r.code)
	// Reading a SQLite file that does not exist does not create it.
	missing := filepath.Join(t.TempDir(), "missing.db")
	r = oopsCmd(t, nil, "-s", "sqlite:"+missing, "list")
	assert.Equal(t, exitStore, r.code)
	assert.NoFileExists(t, missing)
}

func TestUnreachablePostgres(t *testing.T) {
	r := oopsCmd(t, nil, "-s", "postgres://oops:secret@127.0.0.1:1/oops?sslmode=disable&connect_timeout=2", "list")
	assert.Equal(t, exitStore, r.code)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	assert.NotContains(t, r.stderr, "secret", "no password on stderr")
}

func TestPostgres(t *testing.T) {
	dsn := testenv.RequirePostgres(t)
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	schema := fmt.Sprintf("oops_cmd_%d", time.Now().UnixNano())
	_, err = db.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	pg := dsn + sep + "search_path=" + schema

	f := newFixture(t)
	r := oopsCmd(t, nil, "-s", pg, "import", f.root)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "imported 7 reports")
	fromDir := oopsCmd(t, f.env(), "list", "--json", "--all")
	fromPG := oopsCmd(t, nil, "-s", pg, "list", "--json", "--all")
	require.Equal(t, 0, fromPG.code, fromPG.stderr)
	assert.Equal(t, fromDir.stdout, fromPG.stdout)
	sumPG := oopsCmd(t, nil, "-s", pg, "summary", "--since", "7d", "--json")
	require.Equal(t, 0, sumPG.code, sumPG.stderr)
	assert.Contains(t, sumPG.stdout, `"reports": 7`)
}

func TestMain(m *testing.M) { testenv.Main(m) }
