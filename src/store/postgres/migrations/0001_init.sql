-- 0001_init: the whole schema of the PostgreSQL backend at the level of the SQLite
-- backend's migrations 0001..0006 (signing keys, accounts, teams, applications, audit,
-- OAuth/OIDC state, personal access tokens, mail outbox). The PostgreSQL backend starts
-- here; later changes get their own numbered files, as in sqlite/migrations/.
--
-- Runs inside the transaction the migrator opens (with its schema_migrations row), under
-- the migrator's advisory lock, so it never says BEGIN or COMMIT itself.
-- Times are bigint Unix seconds; a row is live while now < expires_at.
-- Identifiers and sort keys are COLLATE "C": the SQLite backend orders by bytes, and the
-- two backends must page and sort alike whatever the database's locale is.

CREATE TABLE signing_keys (
	kid text COLLATE "C" NOT NULL PRIMARY KEY,
	alg text NOT NULL,
	public_jwk text NOT NULL,
	sealed_private bytea NOT NULL,
	created_at bigint NOT NULL,
	retired_at bigint,
	publish_until bigint,
	CHECK ((retired_at IS NULL) = (publish_until IS NULL))
);
-- At most one active key per alg.
CREATE UNIQUE INDEX signing_keys_one_active_per_alg ON signing_keys (alg) WHERE retired_at IS NULL;

CREATE TABLE teams (
	id text COLLATE "C" NOT NULL PRIMARY KEY,
	name text COLLATE "C" NOT NULL,
	personal boolean NOT NULL DEFAULT false,
	created_at bigint NOT NULL
);

-- email keeps what was typed; email_norm (ASCII lower-cased by the store, never SQL
-- lower(), which depends on the locale) carries the case-insensitive uniqueness.
CREATE TABLE accounts (
	id text COLLATE "C" NOT NULL PRIMARY KEY,
	email text NOT NULL,
	email_norm text COLLATE "C" NOT NULL UNIQUE,
	name text,
	password_hash text,
	is_admin boolean NOT NULL DEFAULT false,
	created_at bigint NOT NULL,
	personal_team_id text COLLATE "C" REFERENCES teams (id)
);

CREATE TABLE memberships (
	team_id text COLLATE "C" NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	role text NOT NULL CHECK (role IN ('admin', 'developer', 'viewer')),
	created_at bigint NOT NULL,
	PRIMARY KEY (team_id, account_id)
);
CREATE INDEX memberships_by_account ON memberships (account_id, team_id);

-- OAuth clients; see sqlite/migrations/0002_teams_apps.sql for the rules the CHECKs keep.
-- The URI lists and grant_types are JSON arrays of strings (text, checked as jsonb).
CREATE TABLE applications (
	client_id text COLLATE "C" NOT NULL PRIMARY KEY,
	team_id text COLLATE "C" NOT NULL REFERENCES teams (id),
	owner_id text COLLATE "C" NOT NULL REFERENCES accounts (id),
	name text NOT NULL,
	name_norm text COLLATE "C" NOT NULL,
	description text NOT NULL DEFAULT '',
	type text NOT NULL CHECK (type IN ('web', 'spa', 'mobile', 'service')),
	status text NOT NULL CHECK (status IN ('active', 'inactive', 'suspended')),
	redirect_uris text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(redirect_uris::jsonb) = 'array'),
	allowed_origins text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(allowed_origins::jsonb) = 'array'),
	sso_redirect_uris text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sso_redirect_uris::jsonb) = 'array'),
	logout_uris text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(logout_uris::jsonb) = 'array'),
	grant_types text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(grant_types::jsonb) = 'array'),
	access_token_lifetime bigint NOT NULL CHECK (access_token_lifetime > 0),
	refresh_token_lifetime bigint NOT NULL CHECK (refresh_token_lifetime > 0),
	id_token_lifetime bigint NOT NULL CHECK (id_token_lifetime > 0),
	pkce_required boolean NOT NULL,
	token_format text NOT NULL CHECK (token_format IN ('opaque', 'jwt')),
	id_token_signed_response_alg text NOT NULL,
	secret_hash bytea,
	secret_sealed bytea,
	secret_created_at bigint,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	last_used_at bigint,
	revision bigint NOT NULL DEFAULT 1,
	CHECK ((type IN ('web', 'service')) =
	       (secret_hash IS NOT NULL AND secret_sealed IS NOT NULL AND secret_created_at IS NOT NULL)),
	CHECK (type IN ('web', 'service') OR
	       (secret_hash IS NULL AND secret_sealed IS NULL AND secret_created_at IS NULL)),
	CHECK (type NOT IN ('spa', 'mobile') OR pkce_required),
	FOREIGN KEY (team_id, owner_id) REFERENCES memberships (team_id, account_id)
);
CREATE INDEX applications_team_name ON applications (team_id, name_norm, client_id);
CREATE INDEX applications_team_created ON applications (team_id, created_at, client_id);
CREATE INDEX applications_name ON applications (name_norm, client_id);
CREATE INDEX applications_created ON applications (created_at, client_id);
CREATE INDEX applications_owner ON applications (team_id, owner_id);

CREATE TABLE application_icons (
	client_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES applications (client_id) ON DELETE CASCADE,
	icon_type text NOT NULL,
	icon bytea NOT NULL
);

-- No foreign keys: the audit of a deleted application must outlive it. detail is JSON
-- text, checked by the store before it gets here.
CREATE TABLE audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	team_id text COLLATE "C" NOT NULL,
	client_id text COLLATE "C",
	actor_id text NOT NULL,
	action text NOT NULL,
	detail text,
	ip text,
	at bigint NOT NULL
);
CREATE INDEX audit_log_team ON audit_log (team_id, id);
CREATE INDEX audit_log_client ON audit_log (client_id, id) WHERE client_id IS NOT NULL;

-- OAuth / OIDC state (see sqlite/migrations/0003_oauth.sql). Every *_hash is the 43
-- character base64url SHA-256 of a secret, never the secret.
CREATE TABLE sso_sessions (
	id_hash text COLLATE "C" NOT NULL PRIMARY KEY CHECK (length(id_hash) = 43),
	sid text COLLATE "C" NOT NULL UNIQUE CHECK (length(sid) > 0),
	account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	auth_time bigint NOT NULL,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL
);
CREATE INDEX sso_sessions_account ON sso_sessions (account_id);
CREATE INDEX sso_sessions_expires ON sso_sessions (expires_at);

CREATE TABLE auth_requests (
	handle_hash text COLLATE "C" NOT NULL PRIMARY KEY CHECK (length(handle_hash) = 43),
	browser_hash text COLLATE "C" NOT NULL CHECK (length(browser_hash) = 43),
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	params text NOT NULL CHECK (jsonb_typeof(params::jsonb) = 'object'),
	account_id text COLLATE "C" REFERENCES accounts (id) ON DELETE CASCADE,
	auth_time bigint,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL,
	CHECK ((account_id IS NULL) = (auth_time IS NULL))
);
CREATE INDEX auth_requests_client ON auth_requests (client_id);
CREATE INDEX auth_requests_account ON auth_requests (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX auth_requests_expires ON auth_requests (expires_at);

CREATE TABLE auth_codes (
	code_hash text COLLATE "C" NOT NULL PRIMARY KEY CHECK (length(code_hash) = 43),
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	redirect_uri text NOT NULL,
	scope text NOT NULL,
	nonce text,
	code_challenge text,
	auth_time bigint NOT NULL,
	sid text,
	family_id text COLLATE "C" NOT NULL CHECK (length(family_id) > 0),
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL,
	consumed_at bigint
);
CREATE INDEX auth_codes_client ON auth_codes (client_id);
CREATE INDEX auth_codes_account ON auth_codes (account_id);
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);

CREATE TABLE tokens (
	token_hash text COLLATE "C" NOT NULL PRIMARY KEY CHECK (length(token_hash) = 43),
	kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	account_id text COLLATE "C" REFERENCES accounts (id) ON DELETE CASCADE,
	family_id text COLLATE "C" NOT NULL CHECK (length(family_id) > 0),
	parent_hash text,
	scope text NOT NULL,
	sid text,
	auth_time bigint,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL,
	revoked_at bigint,
	used_at bigint,
	CHECK (kind = 'refresh' OR used_at IS NULL),
	CHECK (kind = 'access' OR account_id IS NOT NULL)
);
CREATE INDEX tokens_family ON tokens (family_id);
CREATE INDEX tokens_client ON tokens (client_id);
CREATE INDEX tokens_account ON tokens (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE revoked_families (
	family_id text COLLATE "C" NOT NULL PRIMARY KEY,
	revoked_at bigint NOT NULL
);
CREATE INDEX revoked_families_at ON revoked_families (revoked_at);

CREATE TABLE consents (
	account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	client_id text COLLATE "C" NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
	scope text NOT NULL,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	PRIMARY KEY (account_id, client_id)
);
CREATE INDEX consents_client ON consents (client_id);

CREATE TABLE personal_access_tokens (
	id text COLLATE "C" NOT NULL PRIMARY KEY,
	account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name text NOT NULL,
	token_hash text COLLATE "C" NOT NULL UNIQUE,
	created_at bigint NOT NULL,
	expires_at bigint,
	last_used_at bigint,
	revoked_at bigint
);
CREATE INDEX personal_access_tokens_by_account ON personal_access_tokens (account_id, created_at);

-- The mail outbox (see sqlite/migrations/0006_outbox.sql).
CREATE TABLE outbox (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	to_addr text NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),
	subject text NOT NULL,
	body text NOT NULL,
	created_at bigint NOT NULL,
	attempts bigint NOT NULL DEFAULT 0,
	next_attempt_at bigint,
	sent_at bigint,
	last_error text
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;
