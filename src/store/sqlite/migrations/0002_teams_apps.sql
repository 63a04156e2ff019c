-- 0002_teams_apps: teams, memberships, applications (OAuth clients), their icons, and the
-- audit log of management changes.
--
-- Runs inside the store's migration transaction (no BEGIN/COMMIT here). STRICT tables,
-- integer Unix-second times. Ids are made by the callers ("team_...", "qoc_client_...").

-- Every account has one personal team (personal = 1), made with the account.
CREATE TABLE teams (
	id TEXT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL,
	personal INTEGER NOT NULL DEFAULT 0 CHECK (personal IN (0, 1)),
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
	team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'developer', 'viewer')),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (team_id, account_id)
) STRICT, WITHOUT ROWID;

-- "The teams of an account" reads this.
CREATE INDEX memberships_by_account ON memberships (account_id, team_id);

-- The account's personal team. Accounts made before this migration get theirs here,
-- with the id the store derives when a caller gives none ("team_" + account id).
ALTER TABLE accounts ADD COLUMN personal_team_id TEXT REFERENCES teams (id);
INSERT INTO teams (id, name, personal, created_at)
	SELECT 'team_' || id, coalesce(name, email), 1, created_at FROM accounts;
INSERT INTO memberships (team_id, account_id, role, created_at)
	SELECT 'team_' || id, id, 'admin', created_at FROM accounts;
UPDATE accounts SET personal_team_id = 'team_' || id;

-- OAuth clients. The owner is a member of the application's team: the composite foreign
-- key makes the schema refuse anything else (removing a member who still owns
-- applications fails rather than leaving an owner outside the team).
-- Confidential clients (web, service) always have a secret, public ones (spa, mobile)
-- never: secret_hash is an HMAC-SHA256 keyed hash (verification), secret_sealed the
-- AES-256-GCM sealed secret (so the owner can reveal it).
-- The URI lists and grant_types are JSON arrays of strings.
-- name_norm is the name with ASCII letters lower-cased (made by the store): the sort key
-- for "by name" and what the free-text filter searches.
-- revision counts changes (optimistic concurrency: an update names the revision it read).
-- Icons live in application_icons so that rewriting this row (every settings change,
-- last_used_at) never copies up to 256 KiB of image.
-- Later tables (codes, tokens, grants, analytics) reference client_id ON DELETE CASCADE,
-- so deleting the row deletes everything of the application in the same transaction.
CREATE TABLE applications (
	client_id TEXT NOT NULL PRIMARY KEY,
	team_id TEXT NOT NULL REFERENCES teams (id),
	owner_id TEXT NOT NULL REFERENCES accounts (id),
	name TEXT NOT NULL,
	name_norm TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	type TEXT NOT NULL CHECK (type IN ('web', 'spa', 'mobile', 'service')),
	status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'suspended')),
	redirect_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_type(redirect_uris) = 'array'),
	allowed_origins TEXT NOT NULL DEFAULT '[]' CHECK (json_type(allowed_origins) = 'array'),
	sso_redirect_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_type(sso_redirect_uris) = 'array'),
	logout_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_type(logout_uris) = 'array'),
	grant_types TEXT NOT NULL DEFAULT '[]' CHECK (json_type(grant_types) = 'array'),
	access_token_lifetime INTEGER NOT NULL CHECK (access_token_lifetime > 0),
	refresh_token_lifetime INTEGER NOT NULL CHECK (refresh_token_lifetime > 0),
	id_token_lifetime INTEGER NOT NULL CHECK (id_token_lifetime > 0),
	pkce_required INTEGER NOT NULL CHECK (pkce_required IN (0, 1)),
	token_format TEXT NOT NULL CHECK (token_format IN ('opaque', 'jwt')),
	id_token_signed_response_alg TEXT NOT NULL,
	secret_hash BLOB,
	secret_sealed BLOB,
	secret_created_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	last_used_at INTEGER,
	revision INTEGER NOT NULL DEFAULT 1,
	CHECK ((type IN ('web', 'service')) =
	       (secret_hash IS NOT NULL AND secret_sealed IS NOT NULL AND secret_created_at IS NOT NULL)),
	CHECK (type IN ('web', 'service') OR
	       (secret_hash IS NULL AND secret_sealed IS NULL AND secret_created_at IS NULL)),
	CHECK (type NOT IN ('spa', 'mobile') OR pkce_required = 1),
	FOREIGN KEY (team_id, owner_id) REFERENCES memberships (team_id, account_id)
) STRICT;

-- Keyset pagination: (team, sort key, client_id) is unique, so "after this row" is exact.
CREATE INDEX applications_team_name ON applications (team_id, name_norm, client_id);
CREATE INDEX applications_team_created ON applications (team_id, created_at, client_id);
-- Instance-wide listing (instance admins) and the owner look-ups of member removal.
CREATE INDEX applications_name ON applications (name_norm, client_id);
CREATE INDEX applications_created ON applications (created_at, client_id);
CREATE INDEX applications_owner ON applications (team_id, owner_id);

CREATE TABLE application_icons (
	client_id TEXT NOT NULL PRIMARY KEY REFERENCES applications (client_id) ON DELETE CASCADE,
	icon_type TEXT NOT NULL, -- before the blob: reading it never walks the blob's pages
	icon BLOB NOT NULL
) STRICT;

-- Who changed what, when, from where. Deliberately no foreign key to applications or
-- accounts: the audit of a deleted application (its deletion included) must outlive it.
-- detail is a JSON object (or NULL).
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	team_id TEXT NOT NULL,
	client_id TEXT,
	actor_id TEXT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT CHECK (detail IS NULL OR json_valid(detail)),
	ip TEXT,
	at INTEGER NOT NULL
) STRICT;

CREATE INDEX audit_log_team ON audit_log (team_id, id);
CREATE INDEX audit_log_client ON audit_log (client_id, id) WHERE client_id IS NOT NULL;
