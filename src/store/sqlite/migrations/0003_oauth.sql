-- 0003_oauth: the state of the OAuth 2.0 / OpenID Connect protocol: SSO sessions, pending
-- authorization requests, authorization codes, access and refresh tokens, revoked token
-- families and consents.
--
-- Runs inside the store's migration transaction (no BEGIN/COMMIT here). STRICT tables,
-- integer Unix-second times; a row is live while now < expires_at.
-- Secrets are never stored: every *_hash column is base64url(SHA-256(secret)) made by the
-- caller (crypto/token.h qoc_token_hash), 43 characters, which the CHECKs insist on so a
-- raw token can never land here by mistake.
-- Everything of an application goes with it (client_id ... ON DELETE CASCADE), everything
-- of an account too (account_id ... ON DELETE CASCADE); each such column has an index, or
-- the cascade would scan the table.
-- Rows keyed by a hash are ordinary rowid tables on purpose. A hash is random, so every
-- B-tree keyed by it takes each insert on a random page, and each such page is written to
-- the WAL at the next commit. With rowid tables only the hash's own index (and the family
-- index) are random; the table and the (client, rowid) / (expires_at, rowid) indexes
-- append. WITHOUT ROWID would make the row itself and every secondary index (which then
-- carries the hash) random too: measured here (a loaded, noisy host), 4-5k durable
-- tokens/s under group commit against 11-22k with rowid tables, for a look-up that costs
-- two descents instead of one (still > 100k/s).

-- Signed-in browsers. sid is the public id of the session (the OIDC `sid` claim, the key
-- of RP-initiated logout).
CREATE TABLE sso_sessions (
	id_hash TEXT NOT NULL PRIMARY KEY CHECK (length(id_hash) = 43),
	sid TEXT NOT NULL UNIQUE CHECK (length(sid) > 0),
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	auth_time INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sso_sessions_account ON sso_sessions (account_id);
CREATE INDEX sso_sessions_expires ON sso_sessions (expires_at);

-- What /authorize validated, kept until the login and consent forms finish. params is the
-- JSON object of the validated request; account_id is NULL until the user signs in.
-- browser_hash binds the request to the browser that started it.
CREATE TABLE auth_requests (
	handle_hash TEXT NOT NULL PRIMARY KEY CHECK (length(handle_hash) = 43),
	browser_hash TEXT NOT NULL CHECK (length(browser_hash) = 43),
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	params TEXT NOT NULL CHECK (json_type(params) = 'object'),
	account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
	auth_time INTEGER,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	CHECK ((account_id IS NULL) = (auth_time IS NULL))
) STRICT;

CREATE INDEX auth_requests_client ON auth_requests (client_id);
CREATE INDEX auth_requests_account ON auth_requests (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX auth_requests_expires ON auth_requests (expires_at);

-- Authorization codes. consumed_at is set once, by the first redemption (atomically);
-- family_id groups every token issued from the code, so a reuse can revoke them all.
CREATE TABLE auth_codes (
	code_hash TEXT NOT NULL PRIMARY KEY CHECK (length(code_hash) = 43),
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	redirect_uri TEXT NOT NULL,
	scope TEXT NOT NULL,
	nonce TEXT,
	code_challenge TEXT,
	auth_time INTEGER NOT NULL,
	sid TEXT,
	family_id TEXT NOT NULL CHECK (length(family_id) > 0),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	consumed_at INTEGER
) STRICT;

CREATE INDEX auth_codes_client ON auth_codes (client_id);
CREATE INDEX auth_codes_account ON auth_codes (account_id);
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);

-- Access and refresh tokens. A family is every token descended from one grant (a code,
-- or a client_credentials call); parent_hash is the refresh token a rotation replaced.
-- client_credentials tokens have no account and never a refresh token.
CREATE TABLE tokens (
	token_hash TEXT NOT NULL PRIMARY KEY CHECK (length(token_hash) = 43),
	kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
	family_id TEXT NOT NULL CHECK (length(family_id) > 0),
	parent_hash TEXT,
	scope TEXT NOT NULL,
	sid TEXT,
	auth_time INTEGER,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER,
	used_at INTEGER,
	CHECK (kind = 'refresh' OR used_at IS NULL),
	CHECK (kind = 'access' OR account_id IS NOT NULL)
) STRICT;

CREATE INDEX tokens_family ON tokens (family_id);
CREATE INDEX tokens_client ON tokens (client_id);
CREATE INDEX tokens_account ON tokens (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX tokens_expires ON tokens (expires_at);

-- Families revoked (a reused code or refresh token, a revoked refresh token). Kept for a
-- day so that tokens still being issued into the family (the winner of a code exchange
-- racing a reuse) are born revoked. Holds no secret and nothing of an application.
CREATE TABLE revoked_families (
	family_id TEXT NOT NULL PRIMARY KEY,
	revoked_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX revoked_families_at ON revoked_families (revoked_at);

-- The scopes an account granted an application (space-separated, as the caller wrote them).
CREATE TABLE consents (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	client_id TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	scope TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, client_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX consents_client ON consents (client_id);
