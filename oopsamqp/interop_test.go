package oopsamqp_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/datedir"
	"github.com/oops-go/oops/oopsamqp"
)

// python returns a python3 that imports amqp and bson (Debian's
// python3-amqp and python3-bson), or skips the test.
func python(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, name := range []string{"python3", "/usr/bin/python3", "python"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", "import amqp, bson").Run() == nil {
			return p
		}
		tried = append(tried, p)
	}
	t.Skipf("no python3 with the amqp and bson modules (tried %v): apt-get install python3-amqp python3-bson", tried)
	return ""
}

// TestPythonPublisher has python publish reports as oops-amqp does, and
// our receiver store them.
func TestPythonPublisher(t *testing.T) {
	url := brokerURL(t)
	py := python(t)
	top := topology(t)
	declare(t, top)
	const n = 20
	out, err := exec.Command(py, "testdata/oops_amqp_publish.py", url, top.Exchange, strconv.Itoa(n)).Output()
	require.NoError(t, err, "%s", exitStderr(err))

	repo := datedir.New(t.TempDir())
	rcv := oopsamqp.NewReceiver(url, repo, &oopsamqp.ReceiverOptions{Topology: top, Logger: quiet})
	runReceiver(t, rcv)
	waitFor(t, 20*time.Second, "python's reports stored", func() bool { return rcv.Stats().Stored == n })
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, n)
	for _, l := range lines {
		id, value, ok := strings.Cut(l, "\t")
		require.True(t, ok, l)
		require.True(t, oops.ValidID(id), "python's md5 ids are OOPS ids: %s", id)
		got, err := repo.Get(t.Context(), id)
		require.NoError(t, err)
		assert.Equal(t, id, got.ID)
		assert.Equal(t, value, got.Value)
		assert.Equal(t, "ValueError", got.Type)
		assert.Equal(t, "1234", got.Revno)
		assert.Equal(t, time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC), got.Time)
		assert.Equal(t, "POST", got.ReqVars["REQUEST_METHOD"])
		require.Len(t, got.Timeline, 2)
		assert.Equal(t, oops.TimelineEntry{Start: 5 * time.Millisecond, End: 9 * time.Millisecond, Category: "SQL-main", Detail: "SELECT 2"}, got.Timeline[1])
	}
	assert.Zero(t, rcv.Stats().Rejected)
}

// TestPythonReceiver has our publisher publish reports and python read
// them back as oops-amqp's receiver does.
func TestPythonReceiver(t *testing.T) {
	url := brokerURL(t)
	py := python(t)
	top := topology(t)
	pub := newPublisher(t, url, oopsamqp.PublisherOptions{Topology: top})
	sent := map[string]*oops.Report{}
	for i := range 10 {
		r := report(i)
		r.Value += " — ünïcode"
		_, err := pub.Publish(t.Context(), r)
		require.NoError(t, err)
		sent[r.ID] = r
	}
	out, err := exec.Command(py, "testdata/oops_amqp_receive.py", url, top.Queue, "10").Output()
	require.NoError(t, err, "%s", exitStderr(err))
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		var got struct {
			ID              string            `json:"id"`
			Type            string            `json:"type"`
			Value           string            `json:"value"`
			Time            string            `json:"time"`
			Timeline        [][]any           `json:"timeline"`
			ReqVars         map[string]string `json:"req_vars"`
			DeliveryMode    int               `json:"delivery_mode"`
			ContentEncoding *string           `json:"content_encoding"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &got), sc.Text())
		r, ok := sent[got.ID]
		require.True(t, ok, "python read an id we sent: %s", got.ID)
		n++
		assert.Equal(t, r.Type, got.Type)
		assert.Equal(t, r.Value, got.Value)
		assert.Equal(t, 2, got.DeliveryMode)
		assert.Nil(t, got.ContentEncoding)
		assert.Equal(t, r.ReqVars, got.ReqVars)
		require.Len(t, got.Timeline, 2)
		assert.Equal(t, []any{0.0, 3.0, "SQL-main", "SELECT * FROM items WHERE id = $1", *r.Timeline[0].Backtrace}, got.Timeline[0])
		pt, err := time.Parse(time.RFC3339Nano, got.Time)
		if err != nil { // python's naive datetimes have no offset
			pt, err = time.Parse("2006-01-02T15:04:05.999999", got.Time)
		}
		require.NoError(t, err)
		assert.True(t, r.Time.Equal(pt), "%v != %v", r.Time, pt)
	}
	assert.Equal(t, 10, n)
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
