-- Summaries of the groups, kept by Publish and Prune in the transaction
-- that changes the reports, so that Groups reads a few thousand rows for a
-- day instead of the day's reports. gkey is the group: the signature, or for
-- a report without one (unsigned = 1) a hash of its type and value.
-- last_key sorts as (time, id): the latest report of the cell.
-- oops_group_hours counts each hour's reports by group and topic (the empty
-- topic included); oops_group_day_urls each day's by group and URL (empty
-- URLs left out), read for the most common URLs of a group.
CREATE TABLE oops_group_hours (
	hour_ns  BIGINT  NOT NULL,
	unsigned BIGINT  NOT NULL,
	gkey     TEXT COLLATE "C" NOT NULL,
	topic    TEXT COLLATE "C" NOT NULL,
	n        BIGINT  NOT NULL,
	first_ns BIGINT  NOT NULL,
	last_key TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (hour_ns, unsigned, gkey, topic)
);
CREATE TABLE oops_group_day_urls (
	day_ns   BIGINT  NOT NULL,
	unsigned BIGINT  NOT NULL,
	gkey     TEXT COLLATE "C" NOT NULL,
	url      TEXT COLLATE "C" NOT NULL,
	n        BIGINT  NOT NULL,
	last_key TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (day_ns, unsigned, gkey, url)
);
-- The most common URLs of a group first; a URL seen once is not in it (the
-- key orders those by URL), so that a new URL writes one page, not two.
CREATE INDEX oops_group_day_urls_top ON oops_group_day_urls (day_ns, unsigned, gkey, n DESC, url) WHERE n > 1;
-- Indexes no read uses (no filter names these columns), and the time index
-- cut to what List's order needs now that Groups reads the summaries: fewer
-- pages written by each commit.
DROP INDEX oops_reports_hostname;
DROP INDEX oops_reports_url;
DROP INDEX oops_reports_username;
DROP INDEX oops_reports_trace;
DROP INDEX oops_reports_time;
CREATE INDEX oops_reports_time ON oops_reports (time_ns, id);
