// Package store is the read API that every oops store offers, so that the
// console command and the web console work the same on any of them: a date
// directory (package datedir, by scanning) or a SQL database (package
// sqlstore, by index).
//
// A store that reports can be read from implements Reader: get one report
// by id, list summaries newest first with filters and cursor pagination, and
// group reports by signature over a time range. A store that keeps faults
// per resource (after OpenStack's instance faults) implements FaultReader.
//
// # Roles
//
// A report's details (traceback, request variables, statement texts,
// attributes, log records, extra keys) are for admins. Viewer sees ids,
// times, types, messages and counts. ForRole and FaultOf apply that rule; the
// stores and the console call them rather than deciding for themselves, so
// that there is one rule. Details withheld from a viewer are absent (nil),
// never empty strings, so that an API that serialises the answer cannot leak
// them by mistake.
//
// Package store imports the oops core and the standard library only.
package store
