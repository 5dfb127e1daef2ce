package analysis

import (
	"cmp"
	"slices"
	"time"

	"github.com/oops-go/oops"
)

// nPlusOne finds the N+1 runs among the statements idx (in timeline order)
// of tl, whose entries en carry their normalised texts.
func nPlusOne(tl []oops.TimelineEntry, en []Entry, idx []int, rule NPlusOneRule) []NPlusOne {
	minRep := rule.MinRepeats
	if minRep == 0 {
		minRep = DefaultMinRepeats
	}
	minRep = max(minRep, 2)
	if len(idx) < minRep+1 {
		return nil
	}
	// Timelines are kept in start order; one that is not (written by hand)
	// is read in start order all the same.
	if !slices.IsSortedFunc(idx, func(x, y int) int { return cmp.Compare(tl[x].Start, tl[y].Start) }) {
		idx = slices.Clone(idx)
		slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(tl[x].Start, tl[y].Start) })
	}
	same := func(x, y int) bool {
		return en[x].Normalized != "" && tl[x].Category == tl[y].Category && en[x].Normalized == en[y].Normalized
	}
	var runs []NPlusOne
	for k := 1; k < len(idx); {
		// A run starts at k; it ends before the first statement of
		// another text.
		end := k + 1
		for end < len(idx) && same(idx[end], idx[k]) {
			end++
		}
		src := idx[k-1]
		count := end - k
		if count >= minRep && en[idx[k]].Normalized != "" && !same(src, idx[k]) && tl[src].End <= tl[idx[k]].Start {
			var total time.Duration
			for _, i := range idx[k:end] {
				total += dur(tl[i])
			}
			if total >= rule.MinTotal {
				first := idx[k]
				runs = append(runs, NPlusOne{
					Source: src, Category: tl[first].Category, Normalized: en[first].Normalized,
					First: first, Last: idx[end-1], Count: count, Total: total,
					Indexes: slices.Clone(idx[k:end]),
				})
			}
		}
		k = end
	}
	return runs
}
