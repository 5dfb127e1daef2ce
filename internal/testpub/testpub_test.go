package testpub

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
)

func TestCollectorKeepsTheLatestRevision(t *testing.T) {
	var c Collector
	a := &oops.Report{ID: "OOPS-a", Pending: true}
	b := &oops.Report{ID: "OOPS-b"}
	for _, r := range []*oops.Report{a, b, {ID: "OOPS-a", Revision: 1}} {
		_, err := c.Publish(context.Background(), r)
		require.NoError(t, err)
	}
	a.Value = "changed after publishing"
	all := c.All()
	require.Len(t, all, 2)
	assert.Equal(t, "OOPS-a", all[0].ID)
	assert.Equal(t, 1, all[0].Revision)
	assert.Equal(t, "OOPS-b", all[1].ID)
	raw := c.Raw()
	require.Len(t, raw, 3)
	assert.Empty(t, raw[0].Value, "a copy is kept")
}
