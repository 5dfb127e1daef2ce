// Package timeline records the slow steps of one unit of work (an HTTP
// request, a job): every database statement, outgoing call and kept log
// record, with start and end times, so that an OOPS report can show what
// happened before something went wrong.
//
// A Timeline travels in a context.Context:
//
//	tl := timeline.New()
//	ctx = timeline.NewContext(ctx, tl)
//	...
//	a := timeline.FromContext(ctx).Start("SQL-main", "SELECT 1")
//	defer a.Finish()
//
// Methods on a nil *Timeline do nothing, so instrumented code never checks
// whether the context carries one.
//
// A fresh Timeline, the context NewContext first puts it in and room for its
// first 14 entries are one allocation (1 KiB), so that a typical request's
// recording costs one allocation in all; later entries go in chunks that
// about double in size, never copied. An entry takes 48 bytes: it names its
// category by its place in a table of the timeline's categories. Finish
// takes no lock.
//
// Actions may overlap and may be started and finished from many goroutines.
// A Timeline holds at most Options.MaxEntries actions: past that it keeps the
// first half and the most recent half and counts the ones it dropped.
//
// Stacks are optional (Options.Stacks): when on, each action captures program
// counters, which cost little; they are turned into text only by Entries.
//
// Package timeline imports the standard library and the module's
// internal/stack (which renders the captured stacks) and internal/release
// (through which the logger integrations reuse kept records) only: no
// third-party package.
package timeline
