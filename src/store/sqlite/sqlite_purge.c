/* sqlite_purge.c - the state purge (store.h "state purge"): one kind a call, one short
 * BEGIN IMMEDIATE transaction a batch, so the write lock is held for at most `limit`
 * deletes (measured ~18 us a row when rows share a commit: 500 rows, ~10 ms).
 *
 * Each DELETE picks its rows through the kind's expiry index (0003: *_expires,
 * revoked_families_at) with a bounded sub-select, so a batch never scans the table. The
 * one-day grace of codes, tokens, sessions and families is the one tokens_purge_expired
 * (sqlite_tokens.c) has always used; pending requests go at their expiry.
 */
#include "store/sqlite/sqlite_internal.h"

#include "store/store_purge.h"

static struct qoc_sqlite_sql sql_authreq = {
    .text = "DELETE FROM auth_requests WHERE rowid IN"
            " (SELECT rowid FROM auth_requests WHERE expires_at <= ?1 LIMIT ?2)"};
static struct qoc_sqlite_sql sql_sessions = {
    .text = "DELETE FROM sso_sessions WHERE rowid IN"
            " (SELECT rowid FROM sso_sessions WHERE expires_at < ?1 LIMIT ?2)"};
static struct qoc_sqlite_sql sql_codes = {
    .text = "DELETE FROM auth_codes WHERE rowid IN"
            " (SELECT rowid FROM auth_codes WHERE expires_at < ?1 LIMIT ?2)"};
static struct qoc_sqlite_sql sql_tokens = {
    .text = "DELETE FROM tokens WHERE rowid IN"
            " (SELECT rowid FROM tokens WHERE expires_at < ?1 LIMIT ?2)"};
/* WITHOUT ROWID: by its key. */
static struct qoc_sqlite_sql sql_families = {
    .text = "DELETE FROM revoked_families WHERE family_id IN"
            " (SELECT family_id FROM revoked_families WHERE revoked_at < ?1 LIMIT ?2)"};

struct purge_ctx {
	struct qoc_sqlite_sql *sql;
	const char *what;
	int64_t before;
	int64_t limit;
	int64_t changes;
};

static enum qoc_err purge_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	k->changes = 0;
	return qoc_sqlite_run(c, k->sql, k->what, &k->changes, "ii", k->before, k->limit);
}

static enum qoc_err purge(struct qoc_store *base, struct qoc_sqlite_sql *sql, const char *what,
                          int64_t before, size_t limit, size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (limit == 0 || limit > INT32_MAX)
		return QOC_EINVAL;
	struct purge_ctx k = {.sql = sql, .what = what, .before = before, .limit = (int64_t)limit};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), purge_work, &k);
	if (!err && deleted)
		*deleted = (size_t)k.changes;
	return err;
}

enum qoc_err qoc_sqlite_authreq_purge(struct qoc_store *st, int64_t now, size_t limit,
                                      size_t *deleted)
{
	return purge(st, &sql_authreq, "authreq_purge", now, limit, deleted);
}

enum qoc_err qoc_sqlite_sessions_purge(struct qoc_store *st, int64_t now, size_t limit,
                                       size_t *deleted)
{
	return purge(st, &sql_sessions, "sessions_purge", now - QOC_STORE_PURGE_GRACE_SECONDS,
	             limit, deleted);
}

enum qoc_err qoc_sqlite_codes_purge(struct qoc_store *st, int64_t now, size_t limit,
                                    size_t *deleted)
{
	return purge(st, &sql_codes, "codes_purge", now - QOC_STORE_PURGE_GRACE_SECONDS, limit,
	             deleted);
}

enum qoc_err qoc_sqlite_tokens_purge(struct qoc_store *st, int64_t now, size_t limit,
                                     size_t *deleted)
{
	return purge(st, &sql_tokens, "tokens_purge", now - QOC_STORE_PURGE_GRACE_SECONDS, limit,
	             deleted);
}

enum qoc_err qoc_sqlite_families_purge(struct qoc_store *st, int64_t now, size_t limit,
                                       size_t *deleted)
{
	return purge(st, &sql_families, "families_purge", now - QOC_STORE_PURGE_GRACE_SECONDS,
	             limit, deleted);
}
