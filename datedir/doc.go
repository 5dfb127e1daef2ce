// Package datedir stores OOPS reports on disk in the layout of python's
// oops-datedir-repo, so that the two read each other's files.
//
// # Layout
//
// A repository is a directory holding one directory per day, named
// YYYY-MM-DD, each holding one file per report, named by the report's id:
//
//	root/2024-05-06/OOPS-8c0ffa89962170b6e12623e36a3252e0
//
// The day is the report's time in UTC. A file appears under its name only
// when it is whole. On Linux a report is written as an unnamed file in its
// day's directory (O_TMPFILE) and then linked under its name, so a crash
// leaves nothing behind. A revision, which replaces an existing file, and
// every write where the file system, the kernel or the process's privileges
// do not allow that (a Repo remembers once it found so), are written under a
// name ending in ".tmp" and renamed into place, as on other systems: a file
// whose name ends in ".tmp" is being written (or was abandoned by a crash)
// and every reader skips it.
// Files are created 0644 and directories 0755 whatever the umask, so that
// tools running as another user can read them. Other entries of the root
// (python keeps a "metadata" directory there) are left alone.
//
// # Compatibility with oops-datedir-repo
//
// A report file is one BSON document whose keys are the report's wire keys
// (see the oops package): id, type, value, tb_text, time (a BSON datetime),
// hostname, reporter, topic, url, username, branch_nick, revno, req_vars (a
// document of strings), timeline (an array of [start_ms, end_ms, category,
// detail, backtrace-or-null] arrays, a sixth element holding the step's error
// when it failed), duration (a double, -1 when unknown), the Go extensions
// when set, and Extra's keys. Integers are int32 when they fit and int64
// otherwise, strings valid UTF-8: exactly what python's bson library writes
// for the same dictionary, so python's DateDirRepo, its serializer and
// bsondump read our files, and a report python would encode with its keys in
// our order is byte-for-byte what Encode writes. Times keep millisecond
// precision, as BSON datetimes do.
//
// Every file we write, python reads, and so do we: a time whose year is
// outside 1 to 9999 (python's datetime) is written as its RFC 3339 text, and
// a report with such a time is filed under the day it was published; a NaN
// or infinite duration is written as -1 (unknown); a report whose document
// would be larger than MaxReportSize, which readers refuse, is cut to fit
// with oops.Trim, each cut marked. The report's keys come from one schema,
// oops.WireFields, shared with the JSON encoding.
//
// We read what python writes: files named OOPS-<md5 hex> (or any other
// name), reports with keys missing or None, revno an integer, req_vars a
// list of pairs, timeline entries of four to six elements with int32, int64
// or double offsets, unknown keys (kept in Report.Extra), and files
// compressed with bzip2 (detected, as python does, by their "BZh" magic).
// Python's older RFC 822 text format is not read.
//
// A Repo never reaches outside its root: every file is opened through an
// os.Root (on Linux, Publish writes relative to the day's directory, opened
// without following a link and kept open between writes until Close, under
// names made of the id alone, and List and
// Groups read the regular files a day's directory lists relative to that
// directory, opened through the os.Root, without following a link; links go
// through the os.Root), and Get refuses names that are not report names. Empty, garbage
// or truncated files give errors that name the file and wrap ErrCorrupt.
//
// # Operations
//
// Repo is an oops.Publisher. Get reads a report by id, Walk iterates over the
// reports of a date range, Prune removes the days before a date, and
// Republish forwards every stored report to another oops.Publisher,
// removing each file once that publisher took it (store and forward). Both
// keep the store tidy as python's republish does: in days older than two,
// ".tmp" files no writer is writing and empty files are removed. Writers
// hold an advisory lock on their ".tmp" file, so Prune never removes a file
// being written.
//
// # Reading as a store
//
// Repo implements the read API of package store, so that the console works
// on a directory as on a database: Get (lenient about pasted ids; a missing
// report wraps both ErrNotFound and store.ErrNotFound), List (newest first,
// with the query's filters and cursors) and Groups (by signature, through
// store.Grouper) scan the date directories of the query's time range, the
// files of a day read in parallel (two goroutines per CPU), and Prune. A
// scan decodes of each file only what a summary shows. A directory holds no index:
// List reads whole days until its page is full, and Groups reads every
// report of its range. Reports are found by their directory's date, so a
// report filed under a date other than its time's (by hand) is seen only
// when its directory is in range: the days from the query's From to its
// To, not including a day that starts at To. A file that cannot be read or holds no
// report does not stop a scan: it is skipped and handed to Options.OnSkip.
package datedir
