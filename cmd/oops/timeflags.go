package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// parseAge reads a duration back from now: Go's (90m, 1h30m) and days and
// weeks (30d, 2w, 1d12h). It must be positive.
func parseAge(s string) (time.Duration, error) {
	in := s
	s = strings.TrimSpace(s)
	var total time.Duration
	for _, unit := range []struct {
		suffix string
		d      time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}} {
		if i := strings.Index(s, unit.suffix); i > 0 {
			n, err := strconv.ParseUint(s[:i], 10, 16)
			if err != nil || n > 10000 {
				return 0, fmt.Errorf("bad duration %q: want e.g. 90m, 24h, 7d or 2w", cut(oneLine(in), 40))
			}
			total += time.Duration(n) * unit.d
			s = s[i+1:]
		}
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || strings.HasPrefix(s, "-") || d > math.MaxInt64-total {
			return 0, fmt.Errorf("bad duration %q: want e.g. 90m, 24h, 7d or 2w", cut(oneLine(in), 40))
		}
		total += d
	}
	if total <= 0 {
		return 0, fmt.Errorf("bad duration %q: must be more than zero", cut(oneLine(in), 40))
	}
	return total, nil
}

// Layouts --from and --to take; without a zone, UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime reads a time as --from and --to take it.
func parseTime(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, t); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q: want 2026-12-01, \"2026-12-01 15:04\" or RFC 3339", cut(oneLine(s), 40))
}

// A timeRange is the --since, --from and --to flags.
type timeRange struct {
	since, from, to string
}

func (tr *timeRange) flags(c *cobra.Command, defaultSince string) {
	help := "reports of this long back from now: 90m, 24h, 7d, 2w"
	if defaultSince != "" {
		help += " (default " + defaultSince + " when neither --from nor --to is given)"
	}
	c.Flags().StringVar(&tr.since, "since", "", help)
	c.Flags().StringVar(&tr.from, "from", "", "reports at or after this time: 2026-12-01, \"2026-12-01 15:04\" or RFC 3339 (UTC unless a zone is given)")
	c.Flags().StringVar(&tr.to, "to", "", "reports before this time (same forms as --from)")
}

// resolve returns the range's bounds; zero means open.
func (tr *timeRange) resolve(now time.Time, defaultSince string) (from, to time.Time, err error) {
	since := tr.since
	if since == "" && tr.from == "" && tr.to == "" {
		since = defaultSince
	}
	if since != "" && tr.from != "" {
		return from, to, usageErr("--since and --from both set: give one")
	}
	if since != "" {
		d, err := parseAge(since)
		if err != nil {
			return from, to, usageErr("--since: %v", err)
		}
		from = now.Add(-d)
	}
	if tr.from != "" {
		if from, err = parseTime(tr.from); err != nil {
			return from, to, usageErr("--from: %v", err)
		}
	}
	if tr.to != "" {
		if to, err = parseTime(tr.to); err != nil {
			return from, to, usageErr("--to: %v", err)
		}
		if !from.IsZero() && !to.After(from) {
			return from, to, usageErr("--to %s is not after the start %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
		}
	}
	return from, to, nil
}
