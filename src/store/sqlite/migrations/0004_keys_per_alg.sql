-- 0004_keys_per_alg: one active signing key per algorithm.
--
-- Applications choose the algorithm of their ID tokens (RS256, PS256, ES256, EdDSA), so the
-- issuer keeps an active key for each algorithm in use. A rotation retires only the active
-- key of the new key's algorithm (see key_rotate in store.h). Databases made before this
-- migration hold at most one active key, which satisfies the new index as it is.
DROP INDEX signing_keys_one_active;

-- At most one active key per alg: a second active row of one alg is a unique violation.
CREATE UNIQUE INDEX signing_keys_one_active_per_alg ON signing_keys (alg)
	WHERE retired_at IS NULL;
