-- 0008_tokens_family_partial: the family index holds only the tokens of a user's grant.
--
-- A family is revoked as a whole when one of its codes or refresh tokens is reused
-- (docs/decisions/oauth-store.md); such families always have an account. client_credentials
-- tokens have none and are never revoked by family, so they no longer pay a random insert
-- into this index: one random leaf page less per token in every commit, WAL frame and
-- checkpoint (issue 3, the durable token workload). The family revocation's WHERE names
-- the same predicate, so it still uses the index.
DROP INDEX tokens_family;
CREATE INDEX tokens_family ON tokens (family_id) WHERE account_id IS NOT NULL;
