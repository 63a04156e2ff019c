-- 0007_analytics: usage analytics per application (issue 6, docs/decisions/analytics.md).
--
-- Three layers, each written by one analytics_append transaction of the background writer:
--   analytics_events   raw events, kept analytics_retention_days (default 30);
--   analytics_hourly   one row per (application, hour): counters and a latency histogram
--                      (h0..h15, bounds in src/analytics/event.c), kept 13 months; its
--                      dimension counts (endpoint, country, error) in analytics_hourly_dims
--                      and the distinct accounts of the hour in analytics_hourly_accounts;
--   analytics_totals   requests ever recorded per application (never purged).
-- Queries read only the rollups, so a 30-day hourly query touches 720 rows whatever the
-- traffic was. Everything goes with its application (ON DELETE CASCADE).

CREATE TABLE analytics_events (
	id INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	at INTEGER NOT NULL,
	endpoint TEXT NOT NULL,
	status INTEGER NOT NULL,
	error TEXT,
	latency_us INTEGER NOT NULL,
	account_id TEXT,
	country TEXT NOT NULL CHECK (length(country) = 2)
) STRICT;

-- The cascade of an application's deletion. No index on `at`: every index costs each
-- captured request an insert, and the purge needs none, because the writer appends events
-- in capture order, so the oldest ids are the oldest events (sqlite_analytics.c).
CREATE INDEX analytics_events_client ON analytics_events (client_id);

CREATE TABLE analytics_hourly (
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	hour INTEGER NOT NULL CHECK (hour % 3600 = 0),
	requests INTEGER NOT NULL DEFAULT 0,
	errors INTEGER NOT NULL DEFAULT 0,
	latency_us_sum INTEGER NOT NULL DEFAULT 0,
	accounts INTEGER NOT NULL DEFAULT 0,
	h0 INTEGER NOT NULL DEFAULT 0,
	h1 INTEGER NOT NULL DEFAULT 0,
	h2 INTEGER NOT NULL DEFAULT 0,
	h3 INTEGER NOT NULL DEFAULT 0,
	h4 INTEGER NOT NULL DEFAULT 0,
	h5 INTEGER NOT NULL DEFAULT 0,
	h6 INTEGER NOT NULL DEFAULT 0,
	h7 INTEGER NOT NULL DEFAULT 0,
	h8 INTEGER NOT NULL DEFAULT 0,
	h9 INTEGER NOT NULL DEFAULT 0,
	h10 INTEGER NOT NULL DEFAULT 0,
	h11 INTEGER NOT NULL DEFAULT 0,
	h12 INTEGER NOT NULL DEFAULT 0,
	h13 INTEGER NOT NULL DEFAULT 0,
	h14 INTEGER NOT NULL DEFAULT 0,
	h15 INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (client_id, hour)
) STRICT, WITHOUT ROWID;

CREATE INDEX analytics_hourly_hour ON analytics_hourly (hour);

CREATE TABLE analytics_hourly_dims (
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	hour INTEGER NOT NULL,
	dim TEXT NOT NULL CHECK (dim IN ('endpoint', 'country', 'error')),
	key TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (client_id, hour, dim, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX analytics_hourly_dims_hour ON analytics_hourly_dims (hour);

CREATE TABLE analytics_hourly_accounts (
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	hour INTEGER NOT NULL,
	account_id TEXT NOT NULL,
	PRIMARY KEY (client_id, hour, account_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX analytics_hourly_accounts_hour ON analytics_hourly_accounts (hour);

CREATE TABLE analytics_totals (
	client_id TEXT NOT NULL PRIMARY KEY REFERENCES applications (client_id) ON DELETE CASCADE,
	requests INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
