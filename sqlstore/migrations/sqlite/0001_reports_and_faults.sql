-- Reports, one row per id, their bodies, and the latest fault of each
-- resource. Times are Unix nanoseconds (INTEGER), so that both dialects order
-- and compare them the same way. The searchable columns and the whole report
-- (its JSON) are in two tables joined by rid, so that scanning a day's
-- reports reads small rows, many to a page, not one report per page.
CREATE TABLE oops_reports (
	rid         INTEGER PRIMARY KEY,
	id          TEXT    NOT NULL UNIQUE,
	time_ns     INTEGER NOT NULL,
	revision    INTEGER NOT NULL DEFAULT 0,
	pending     INTEGER NOT NULL DEFAULT 0,
	signature   TEXT    NOT NULL DEFAULT '',
	type        TEXT    NOT NULL DEFAULT '',
	value       TEXT    NOT NULL DEFAULT '',
	value_fold  TEXT    NOT NULL DEFAULT '',
	level       TEXT    NOT NULL DEFAULT '',
	topic       TEXT    NOT NULL DEFAULT '',
	reporter    TEXT    NOT NULL DEFAULT '',
	hostname    TEXT    NOT NULL DEFAULT '',
	url         TEXT    NOT NULL DEFAULT '',
	username    TEXT    NOT NULL DEFAULT '',
	resource    TEXT    NOT NULL DEFAULT '',
	trace_id    TEXT    NOT NULL DEFAULT '',
	status      INTEGER NOT NULL DEFAULT 0,
	duration    REAL    NOT NULL DEFAULT -1,
	statements  INTEGER NOT NULL DEFAULT 0,
	sql_time_ns INTEGER NOT NULL DEFAULT 0,
	detailed    INTEGER NOT NULL DEFAULT 0,
	cut         INTEGER NOT NULL DEFAULT 0,
	size        INTEGER NOT NULL DEFAULT 0
);
-- The time index also holds what a summary groups by, so that grouping a
-- day reads the index alone.
CREATE INDEX oops_reports_time ON oops_reports (time_ns, id, signature, topic, url);
CREATE INDEX oops_reports_signature ON oops_reports (signature, time_ns);
CREATE INDEX oops_reports_type ON oops_reports (type, time_ns);
CREATE INDEX oops_reports_topic ON oops_reports (topic, time_ns);
CREATE INDEX oops_reports_reporter ON oops_reports (reporter, time_ns);
CREATE INDEX oops_reports_hostname ON oops_reports (hostname, time_ns);
CREATE INDEX oops_reports_url ON oops_reports (url, time_ns) WHERE url <> '';
CREATE INDEX oops_reports_username ON oops_reports (username, time_ns) WHERE username <> '';
CREATE INDEX oops_reports_trace ON oops_reports (trace_id) WHERE trace_id <> '';
CREATE INDEX oops_reports_resource ON oops_reports (resource, time_ns, id) WHERE resource <> '';
CREATE TABLE oops_report_bodies (
	rid    INTEGER PRIMARY KEY,
	report BLOB    NOT NULL
);
CREATE TABLE oops_latest_faults (
	resource TEXT    PRIMARY KEY,
	id       TEXT    NOT NULL,
	time_ns  INTEGER NOT NULL,
	detailed INTEGER NOT NULL
) WITHOUT ROWID;
