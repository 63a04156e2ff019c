-- 0004_throttles: the PostgreSQL form of sqlite/migrations/0009_throttles.sql. Several
-- nodes share these budgets: every change is one INSERT ... ON CONFLICT DO UPDATE (or
-- UPDATE) on the key's row, which PostgreSQL runs atomically, so two nodes reserving the
-- last attempt of a budget at once get one grant between them.
CREATE TABLE throttles (
	k text COLLATE "C" PRIMARY KEY,
	failures bigint NOT NULL,
	pending bigint NOT NULL,
	locks bigint NOT NULL,
	last_fail bigint NOT NULL,
	locked_until bigint NOT NULL,
	pending_until bigint NOT NULL,
	granted integer NOT NULL,
	expires_at bigint NOT NULL
);

CREATE INDEX throttles_expires ON throttles (expires_at);
