package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newPrune(e *env) *cobra.Command {
	var olderThan string
	c := &cobra.Command{
		Use:   "prune --older-than AGE",
		Short: "Delete reports older than an age",
		Long: `Prune deletes the reports made before now less --older-than. A date
directory is pruned by whole days: the days before the cut-off's date go.`,
		Example: `  oops prune --older-than 30d
  oops -s sqlite:/var/lib/oops.db prune --older-than 2w`,
		Args: args(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if olderThan == "" {
				return usageErr("prune needs --older-than, e.g. --older-than 30d")
			}
			age, err := parseAge(olderThan)
			if err != nil {
				return usageErr("--older-than: %v", err)
			}
			ctx := c.Context()
			h, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer h.close()
			if h.pruner == nil {
				return storeErr(fmt.Errorf("store %s cannot prune", h.name))
			}
			before := time.Now().Add(-age)
			n, err := h.pruner.Prune(ctx, before)
			fmt.Fprintf(e.stdout, "pruned %s made before %s\n", count(n, "report"), before.UTC().Format(time.RFC3339))
			if err != nil {
				if errors.Is(err, ctx.Err()) && ctx.Err() != nil {
					return ctx.Err()
				}
				for _, one := range unjoin(err) {
					e.warn(one)
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&olderThan, "older-than", "", "delete reports older than this: 30d, 2w, 36h")
	return c
}

// unjoin splits an errors.Join error into its errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
