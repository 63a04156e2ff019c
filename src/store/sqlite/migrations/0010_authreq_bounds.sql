-- 0010_authreq_bounds: pending authorization requests are bounded per browser and per
-- client address (issue 13 section 4, docs/decisions/state-purge.md).
--
-- GET /authorize needs no credentials, so every request would otherwise leave a row for
-- the request's lifetime. authreq_create keeps at most N rows per browser_hash and M per
-- addr (the client address as analytics computes it: X-Forwarded-For only from
-- trusted_proxies) and deletes the oldest beyond; these two indexes make that a short
-- walk from the newest row. Rows from before this migration have no address (NULL) and
-- are bounded only by their expiry.
ALTER TABLE auth_requests ADD COLUMN addr TEXT CHECK (addr IS NULL OR length(addr) BETWEEN 1 AND 64);

CREATE INDEX auth_requests_browser ON auth_requests (browser_hash, created_at);
CREATE INDEX auth_requests_addr ON auth_requests (addr, created_at) WHERE addr IS NOT NULL;
