// Package sqlstore keeps OOPS reports, and the faults of the resources they
// concern, in a SQL database through database/sql: SQLite
// (modernc.org/sqlite, embedded, no server) by default, PostgreSQL
// (github.com/jackc/pgx/v5/stdlib) for a fleet. It is the store the console
// and the queue receiver write to and read from.
//
// The package imports no driver: a program imports the one it uses.
//
//	import _ "modernc.org/sqlite"
//
//	s, err := sqlstore.Open(ctx, "sqlite", "/var/lib/oops/oops.db", nil)
//	cfg.Publisher = oops.NewAsync(s, nil)
//
// # Storing
//
// A Store is an oops.Publisher. Publishing the same id again replaces the
// stored report (a flight recorder's trailing window republishes its report
// under the same id, a queue redelivers): one row per id, always. A report's
// Revision decides between two versions of it: the stored one is replaced
// only by the same or a later revision, so that a redelivered older
// revision does not undo a newer one.
//
// The whole report is kept as its JSON encoding (the oops package's
// MarshalJSON) in a BLOB (SQLite) or BYTEA (PostgreSQL) column of its own
// table, oops_report_bodies, so that the rows a search or a summary scans
// stay small. JSON rather
// than the BSON of package datedir because it is lossless where this store
// needs it to be (times keep their nanoseconds, so that a report's time,
// its column and the cursors agree; no 16 MB document cap), because both
// databases read it (SQLite's json_extract, PostgreSQL's
// convert_from(report, 'UTF8')::json) for ad-hoc questions, and because it
// is what the console's API serves. It is bytes, not PostgreSQL's jsonb,
// because jsonb cannot hold the NUL characters a report may carry.
//
// Beside it, the fields people search and group by are columns: id, time
// (Unix nanoseconds, the same in both dialects), signature, type, value
// (cut to store.MaxValue bytes, and its lower case for the free-text
// filter), level, topic, reporter, hostname, url, username, resource,
// trace_id, the HTTP status, duration, the number of SQL statements and
// their total time (computed by store.SummaryOf, so every store agrees).
// Only what a read filters or orders by is indexed (id, time, signature,
// type, topic, reporter, resource), since each index costs every commit a
// page. Text columns hold valid UTF-8 without NUL bytes, cut to MaxColumn
// bytes; the report keeps everything.
//
// The same transaction keeps the group summaries up to date: how many
// reports each hour holds by group (signature, or type and value) and
// topic, with the first and the latest, and how many each UTC day holds by
// group and URL. A report replaced by a revision that moves it to another
// group, time, topic or URL has the cells it leaves and joins counted
// again from the reports; Prune drops the cells of the days it deletes and
// counts the day it cuts again.
//
// # Reading
//
// A Store implements store.Reader (Get, List, Groups), store.Pruner and
// store.FaultReader with the meaning package store gives them, which is
// also what a scan of a date directory gives: List's filters are those of
// store.Query.Matches, its order that of store.Before, its cursors
// store.EncodeCursor's. Groups with no filter but time and signature (the
// console's summaries, oops summary) reads the group summaries: whole hours
// (and, for the URLs, whole UTC days) from them, the rest of the range from
// the reports, so that a day's groups cost a few thousand rows whatever
// the number of reports. Groups with any other filter (type, topic,
// reporter, resource, text), which the summaries do not count by, reads the
// reports it matches. Both answer as store.Grouper. Import loads a whole date directory tree, and can
// be run again: reports are stored once by id.
//
// # Faults
//
// A report that names a resource (the Go extension key "resource", set by
// oops.WithResource or a log attribute) is a fault of that resource, after
// OpenStack Trove's instance_faults and Nova's fault history. Faults returns
// the history, newest first; LatestFault the latest. Both build what they
// return with store.FaultOf from the stored report, so that a viewer gets
// the id, time and message (at most 255 characters) and no details at all
// (Details is nil), and an admin also gets the type, value, traceback and
// timeline. With Options.FaultWindow, Trove's precedence rule applies: a
// fault without a traceback does not replace, as the latest, a fault with
// one that is less than the window older.
//
// # Schema and migrations
//
// The schema is created and upgraded at Open by migrations embedded in the
// package, one set of SQL files per dialect, applied in one transaction that
// holds the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL:
// pg_advisory_xact_lock), so that several processes opening the same
// database at once are safe. The table oops_schema_version records each
// migration applied: SELECT max(version) FROM oops_schema_version, or
// Store.Version. A database at a version newer than SchemaVersion is refused
// with ErrSchemaTooNew rather than misread. Tables: oops_reports (the
// columns), oops_report_bodies (the reports, by oops_reports.rid),
// oops_latest_faults, oops_group_hours and oops_group_day_urls (the group
// summaries), oops_schema_version. Migration 2 upgrades a database of
// version 1 in place: it adds the summaries and counts the stored reports
// into them, a day at a time, in the migration's transaction, and drops
// the indexes no read uses.
//
// # SQLite and concurrency
//
// Open gives a SQLite file WAL journaling, synchronous=NORMAL and a busy
// timeout, so that readers never wait for the writer and processes sharing
// the file wait for each other instead of failing. synchronous=NORMAL under
// WAL does not sync the log at each commit, only at checkpoints: a
// committed report survives the process crashing, but the last commits
// before a power cut or an operating system crash may be lost (the
// database stays consistent); put synchronous(FULL) in the dsn to sync
// each commit, at the cost of a disk flush per transaction. Publish
// returns once its report is committed, either way.
//
// The writer of a file that Open opened keeps a connection of its own,
// with its statements prepared on it, and writes each batch between BEGIN
// IMMEDIATE and COMMIT. That connection has no busy timeout and SQLite's
// default page cache (2 MB: the readers' connections keep 32 MB, since a
// commit that rebalanced a B-tree walks the whole cache of its
// connection): when another process holds the write lock, the store waits
// and tries again until Options.WriteTimeout, and nothing else in a
// transaction can wait. Checkpoints, which copy the log into the database
// and sync both, run in a goroutine of the Store, PASSIVE (waiting for no
// reader or writer) every 64 reports or so, rather than in the commit of
// one Publish call in sixty; SQLite's own checkpoint (wal_autocheckpoint,
// raised to 4,000 pages) is the backstop. A Store made by New on the
// caller's pool writes in transactions of that pool, and checkpoints the
// same way if the database is in WAL mode.
//
// Concurrent Publish calls are committed together, one transaction per batch (group commit):
// that is what makes many goroutines fast on PostgreSQL, where each commit
// waits for the disk, and costs a lone caller nothing.
//
// # Benchmarks
//
// BenchmarkPublish publishes fresh reports with 20-entry timelines into a
// SQLite file from one goroutine and from many, and into PostgreSQL from
// many when OOPS_TEST_POSTGRES_DSN is set. BenchmarkRead stores 2,000
// reports (fast enough for CI's run-everything-once pass) and measures Get,
// LatestFault, the first page of List and one day's Groups, and the same
// day's summary made by scanning a date directory with datedir's Walk
// (its "x-sqlstore" metric is the ratio of the two). Set
// OOPS_BENCH_REPORTS=1000000 to measure the budgets on a million reports,
// 33,333 a day over 30 days, generated in batched transactions rather than
// through Publish (about 5 GB in the test's temporary directory, and the
// last day's reports as files for the scan):
//
//	OOPS_BENCH_REPORTS=1000000 go test -run '^$' -bench Read -benchtime 200ms -timeout 60m ./sqlstore
package sqlstore
