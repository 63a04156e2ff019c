-- 0003_tokens_family_partial: the PostgreSQL form of
-- sqlite/migrations/0008_tokens_family_partial.sql. The family index holds only the tokens
-- of a user's grant (families revoked on reuse always have an account); client_credentials
-- tokens, never revoked by family, skip a random index insert each.
DROP INDEX tokens_family;
CREATE INDEX tokens_family ON tokens (family_id) WHERE account_id IS NOT NULL;
