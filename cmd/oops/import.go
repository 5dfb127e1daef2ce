package main

import (
	"github.com/spf13/cobra"
)

func newImport(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "import DIR",
		Short: "Copy the reports of a date directory into a SQL store",
		Long: `Import publishes every report of the date directory DIR into the store given
by --store or OOPS_STORE, which must be a SQL store (sqlite:PATH or
postgres://…). Stores keep one report per id, so importing twice stores each
once. Files that hold no report are named on stderr and skipped.`,
		Example: `  oops -s sqlite:/var/lib/oops.db import /var/lib/oops-spool
  OOPS_STORE=postgres://oops@db/oops oops import ./reports`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, a []string) error {
			return runImport(c.Context(), e, a[0])
		},
	}
}
