-- 0002_analytics: usage analytics per application (issue 6, docs/decisions/analytics.md),
-- the PostgreSQL form of sqlite/migrations/0007_analytics.sql: raw events (kept
-- analytics_retention_days), hourly rollups with their dimension counts and distinct
-- accounts (13 months), lifetime totals (never purged). Everything goes with its
-- application (ON DELETE CASCADE).
--
-- Several nodes append at once: each adds its deltas with INSERT ... ON CONFLICT DO UPDATE,
-- which PostgreSQL runs atomically per row, and counts an account for an hour only when
-- its INSERT ... ON CONFLICT DO NOTHING inserted the row, so two nodes seeing one account
-- in one hour count it once.

CREATE TABLE analytics_events (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	at bigint NOT NULL,
	endpoint text NOT NULL,
	status integer NOT NULL,
	error text,
	latency_us bigint NOT NULL,
	account_id text,
	country text NOT NULL CHECK (length(country) = 2)
);
-- The cascade of an application's deletion. The purge walks ids from the oldest (events
-- are appended in capture order, give or take a batch), so `at` needs no index.
CREATE INDEX analytics_events_client ON analytics_events (client_id);

CREATE TABLE analytics_hourly (
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	hour bigint NOT NULL CHECK (hour % 3600 = 0),
	requests bigint NOT NULL DEFAULT 0,
	errors bigint NOT NULL DEFAULT 0,
	latency_us_sum bigint NOT NULL DEFAULT 0,
	accounts bigint NOT NULL DEFAULT 0,
	h0 bigint NOT NULL DEFAULT 0,
	h1 bigint NOT NULL DEFAULT 0,
	h2 bigint NOT NULL DEFAULT 0,
	h3 bigint NOT NULL DEFAULT 0,
	h4 bigint NOT NULL DEFAULT 0,
	h5 bigint NOT NULL DEFAULT 0,
	h6 bigint NOT NULL DEFAULT 0,
	h7 bigint NOT NULL DEFAULT 0,
	h8 bigint NOT NULL DEFAULT 0,
	h9 bigint NOT NULL DEFAULT 0,
	h10 bigint NOT NULL DEFAULT 0,
	h11 bigint NOT NULL DEFAULT 0,
	h12 bigint NOT NULL DEFAULT 0,
	h13 bigint NOT NULL DEFAULT 0,
	h14 bigint NOT NULL DEFAULT 0,
	h15 bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (client_id, hour)
);
CREATE INDEX analytics_hourly_hour ON analytics_hourly (hour);

CREATE TABLE analytics_hourly_dims (
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	hour bigint NOT NULL,
	dim text COLLATE "C" NOT NULL CHECK (dim IN ('endpoint', 'country', 'error')),
	key text COLLATE "C" NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (client_id, hour, dim, key)
);
CREATE INDEX analytics_hourly_dims_hour ON analytics_hourly_dims (hour);

CREATE TABLE analytics_hourly_accounts (
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	hour bigint NOT NULL,
	account_id text COLLATE "C" NOT NULL,
	PRIMARY KEY (client_id, hour, account_id)
);
CREATE INDEX analytics_hourly_accounts_hour ON analytics_hourly_accounts (hour);

CREATE TABLE analytics_totals (
	client_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES applications (client_id) ON DELETE CASCADE,
	requests bigint NOT NULL DEFAULT 0
);
