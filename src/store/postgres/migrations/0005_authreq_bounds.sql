-- 0005_authreq_bounds: the PostgreSQL form of sqlite/migrations/0010_authreq_bounds.sql.
-- Pending authorization requests are bounded per browser and per client address; these
-- indexes let authreq_create find the oldest beyond the bound from the newest row.
ALTER TABLE auth_requests ADD COLUMN addr text COLLATE "C"
	CHECK (addr IS NULL OR length(addr) BETWEEN 1 AND 64);

CREATE INDEX auth_requests_browser ON auth_requests (browser_hash, created_at);
CREATE INDEX auth_requests_addr ON auth_requests (addr, created_at) WHERE addr IS NOT NULL;
