-- Reports, one row per id, and the latest fault of each resource.
-- Times are Unix nanoseconds (BIGINT), so that both dialects order and
-- compare them the same way; text sorts by bytes (COLLATE "C") as Go
-- strings do; report holds the whole report as JSON.
CREATE TABLE oops_reports (
	id          TEXT COLLATE "C" PRIMARY KEY,
	time_ns     BIGINT  NOT NULL,
	revision    BIGINT  NOT NULL DEFAULT 0,
	pending     BIGINT  NOT NULL DEFAULT 0,
	signature   TEXT COLLATE "C" NOT NULL DEFAULT '',
	type        TEXT COLLATE "C" NOT NULL DEFAULT '',
	value       TEXT COLLATE "C" NOT NULL DEFAULT '',
	value_fold  TEXT COLLATE "C" NOT NULL DEFAULT '',
	level       TEXT COLLATE "C" NOT NULL DEFAULT '',
	topic       TEXT COLLATE "C" NOT NULL DEFAULT '',
	reporter    TEXT COLLATE "C" NOT NULL DEFAULT '',
	hostname    TEXT COLLATE "C" NOT NULL DEFAULT '',
	url         TEXT COLLATE "C" NOT NULL DEFAULT '',
	username    TEXT COLLATE "C" NOT NULL DEFAULT '',
	resource    TEXT COLLATE "C" NOT NULL DEFAULT '',
	trace_id    TEXT COLLATE "C" NOT NULL DEFAULT '',
	status      BIGINT  NOT NULL DEFAULT 0,
	duration    DOUBLE PRECISION NOT NULL DEFAULT -1,
	statements  BIGINT  NOT NULL DEFAULT 0,
	sql_time_ns BIGINT  NOT NULL DEFAULT 0,
	detailed    BIGINT  NOT NULL DEFAULT 0,
	cut         BIGINT  NOT NULL DEFAULT 0,
	size        BIGINT  NOT NULL DEFAULT 0,
	report      BYTEA   NOT NULL
);
CREATE INDEX oops_reports_time ON oops_reports (time_ns, id);
CREATE INDEX oops_reports_signature ON oops_reports (signature, time_ns);
CREATE INDEX oops_reports_type ON oops_reports (type, time_ns);
CREATE INDEX oops_reports_topic ON oops_reports (topic, time_ns);
CREATE INDEX oops_reports_reporter ON oops_reports (reporter, time_ns);
CREATE INDEX oops_reports_hostname ON oops_reports (hostname, time_ns);
CREATE INDEX oops_reports_url ON oops_reports (url, time_ns) WHERE url <> '';
CREATE INDEX oops_reports_username ON oops_reports (username, time_ns) WHERE username <> '';
CREATE INDEX oops_reports_trace ON oops_reports (trace_id) WHERE trace_id <> '';
CREATE INDEX oops_reports_resource ON oops_reports (resource, time_ns, id) WHERE resource <> '';
CREATE TABLE oops_latest_faults (
	resource TEXT COLLATE "C" PRIMARY KEY,
	id       TEXT COLLATE "C" NOT NULL,
	time_ns  BIGINT  NOT NULL,
	detailed BIGINT  NOT NULL
);
