-- 0001_init: signing keys and accounts.
--
-- Migrations run inside a transaction opened by the store (with their schema_migrations
-- row), so they never say BEGIN or COMMIT themselves. Tables are STRICT (types are
-- enforced); times are integer Unix seconds.

-- JWS signing keys. Exactly one row is active (retired_at IS NULL); retired rows stay in
-- the JWKS until publish_until so tokens they signed still verify.
CREATE TABLE signing_keys (
	kid TEXT NOT NULL PRIMARY KEY,
	alg TEXT NOT NULL,
	public_jwk TEXT NOT NULL,
	sealed_private BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	retired_at INTEGER,
	publish_until INTEGER,
	CHECK ((retired_at IS NULL) = (publish_until IS NULL))
) STRICT;

-- At most one active key: every active row has the same index value, so a second one is
-- a unique violation.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((retired_at IS NULL))
	WHERE retired_at IS NULL;

-- People who sign in to the console. email keeps what was typed; email_norm (ASCII
-- lower-cased by the store) carries the case-insensitive uniqueness.
CREATE TABLE accounts (
	id TEXT NOT NULL PRIMARY KEY,
	email TEXT NOT NULL,
	email_norm TEXT NOT NULL UNIQUE,
	name TEXT,
	password_hash TEXT,
	is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
	created_at INTEGER NOT NULL
) STRICT;
