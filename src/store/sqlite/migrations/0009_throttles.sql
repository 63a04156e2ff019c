-- 0009_throttles: throttle budgets in the store (issue 13, docs/decisions/throttles.md).
--
-- One row per budget key ("<table>:<hex HMAC>": never an email or address in clear). The
-- columns are login/throttle.c's in-memory entry: failures and locks counted until a quiet
-- window, the lock's end, and the attempts reserved but not settled (pending, forgotten at
-- pending_until when a node died mid-attempt). granted is the verdict of the last
-- reservation, read back by RETURNING. A row remembers nothing from expires_at on, so the
-- purge (throttle_purge) may delete it. A single SQLite node keeps its budgets in memory;
-- the table is here so both backends keep one contract.
CREATE TABLE throttles (
	k TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	pending INTEGER NOT NULL,
	locks INTEGER NOT NULL,
	last_fail INTEGER NOT NULL,
	locked_until INTEGER NOT NULL,
	pending_until INTEGER NOT NULL,
	granted INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX throttles_expires ON throttles (expires_at);
