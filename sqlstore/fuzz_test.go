package sqlstore_test

import (
	"context"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/sqlstore"
	"github.com/oops-go/oops/store"
)

// FuzzPublishGet stores reports whose id, text fields and timeline detail
// are arbitrary bytes: each is stored whole or refused, never half, and
// read back and found by its filters.
func FuzzPublishGet(f *testing.F) {
	for _, seed := range [][4]string{
		{"", "value", "topic", "order/1"},
		{"OOPS-3f2a9c0e1d2b4a5f8e7d6c5b4a392817", "'; DROP TABLE oops_reports; --", "%_\\", "r\x00"},
		{"oops-3F2A9C0E1D2B4A5F8E7D6C5B4A392817", "\xff\xfe", "\u2028", "é"},
		{"../../x", "\x00\x00", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	s, err := sqlstore.Open(context.Background(), "sqlite", ":memory:", nil)
	require.NoError(f, err)
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, id, value, topic, resource string) {
		ctx := context.Background()
		r := &oops.Report{
			ID: id, Value: value, Topic: topic, Resource: resource, TBText: value,
			Time:     time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			Timeline: []oops.TimelineEntry{{Category: topic, Detail: value}},
		}
		ids, err := s.Publish(ctx, r)
		require.NoError(t, err)
		require.Len(t, ids, 1)
		got, err := s.Get(ctx, ids[0])
		require.NoError(t, err)
		assert.Equal(t, ids[0], got.ID)
		assert.True(t, utf8.ValidString(got.Value))
		if utf8.ValidString(value) {
			assert.Equal(t, value, got.Value)
		}
		assert.True(t, utf8.ValidString(got.Topic))
		page, err := s.List(ctx, store.Query{Topic: topic, Text: value, Limit: store.MaxLimit})
		require.NoError(t, err)
		found := false
		for _, sum := range page.Reports {
			found = found || sum.ID == ids[0]
		}
		assert.True(t, found, "its own filters find it")
		if resource != "" {
			fault, err := s.LatestFault(ctx, resource, store.Viewer)
			require.NoError(t, err)
			assert.Nil(t, fault.Details)
		}
	})
}
