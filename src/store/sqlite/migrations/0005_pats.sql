-- 0005_pats: personal access tokens of the console API (Authorization: Bearer qoc_pat_...).
--
-- Only the hash of a token is stored (qoc_token_hash: base64url SHA-256 of the whole
-- token), so a database leak gives no usable token. A token is live while revoked_at is
-- NULL and expires_at is NULL or in the future. Deleting an account deletes its tokens.
CREATE TABLE personal_access_tokens (
	id TEXT NOT NULL PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER,
	last_used_at INTEGER,
	revoked_at INTEGER
) STRICT;

-- "The tokens of an account" reads this.
CREATE INDEX personal_access_tokens_by_account ON personal_access_tokens (account_id, created_at);
