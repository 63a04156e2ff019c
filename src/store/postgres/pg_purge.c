/* pg_purge.c - the state purge on PostgreSQL (store.h "state purge").
 *
 * Several nodes share one database and each runs the purge; one deletes at a time. Every
 * batch is one transaction that first takes pg_try_advisory_xact_lock(PURGE_LOCK): the
 * node that gets it deletes its batch and lets go at COMMIT; a node that does not gets
 * QOC_ECONFLICT at once (it never waits) and skips the rest of its round, so two nodes
 * never delete side by side and never queue on each other's row locks. The lock is
 * transaction-scoped, so a node that dies mid-batch holds nothing.
 */
#include "store/postgres/pg_internal.h"

#include "store/store_purge.h"

/* The advisory lock key of the purge: "qocpurg" in ASCII (migrations use "qocmigr"). */
#define PURGE_LOCK "31929145247494759"

static struct qoc_pg_sql sql_lock = {.text = "SELECT pg_try_advisory_xact_lock(" PURGE_LOCK ")"};

static struct qoc_pg_sql sql_authreq = {
    .text = "DELETE FROM auth_requests WHERE handle_hash IN"
            " (SELECT handle_hash FROM auth_requests WHERE expires_at <= $1 LIMIT $2)"};
static struct qoc_pg_sql sql_sessions = {
    .text = "DELETE FROM sso_sessions WHERE id_hash IN"
            " (SELECT id_hash FROM sso_sessions WHERE expires_at < $1 LIMIT $2)"};
static struct qoc_pg_sql sql_codes = {
    .text = "DELETE FROM auth_codes WHERE code_hash IN"
            " (SELECT code_hash FROM auth_codes WHERE expires_at < $1 LIMIT $2)"};
static struct qoc_pg_sql sql_tokens = {
    .text = "DELETE FROM tokens WHERE token_hash IN"
            " (SELECT token_hash FROM tokens WHERE expires_at < $1 LIMIT $2)"};
static struct qoc_pg_sql sql_families = {
    .text = "DELETE FROM revoked_families WHERE family_id IN"
            " (SELECT family_id FROM revoked_families WHERE revoked_at < $1 LIMIT $2)"};

struct purge_ctx {
	struct qoc_pg_sql *sql;
	const char *what;
	int64_t before;
	int64_t limit;
	int64_t changes;
};

static enum qoc_err purge_work(struct qoc_pg_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	k->changes = 0;
	PGresult *r = NULL;
	enum qoc_err err = qoc_pg_exec(c, &sql_lock, k->what, &r, "");
	if (err)
		return err;
	bool got = PQntuples(r) == 1 && qoc_pg_col_bool(r, 0, 0);
	PQclear(r);
	if (!got)
		return QOC_ECONFLICT; /* another node is purging: rolled back, nothing done */
	return qoc_pg_run(c, k->sql, k->what, &k->changes, "ii", k->before, k->limit);
}

static enum qoc_err purge(struct qoc_store *base, struct qoc_pg_sql *sql, const char *what,
                          int64_t before, size_t limit, size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (limit == 0 || limit > INT32_MAX)
		return QOC_EINVAL;
	struct purge_ctx k = {.sql = sql, .what = what, .before = before, .limit = (int64_t)limit};
	enum qoc_err err = qoc_pg_tx(qoc_pg_from(base), purge_work, &k);
	if (!err && deleted)
		*deleted = (size_t)k.changes;
	return err;
}

enum qoc_err qoc_pg_authreq_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	return purge(st, &sql_authreq, "authreq_purge", now, limit, deleted);
}

enum qoc_err qoc_pg_sessions_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	return purge(st, &sql_sessions, "sessions_purge", now - QOC_STORE_PURGE_GRACE_SECONDS,
	             limit, deleted);
}

enum qoc_err qoc_pg_codes_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	return purge(st, &sql_codes, "codes_purge", now - QOC_STORE_PURGE_GRACE_SECONDS, limit,
	             deleted);
}

enum qoc_err qoc_pg_tokens_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	return purge(st, &sql_tokens, "tokens_purge", now - QOC_STORE_PURGE_GRACE_SECONDS, limit,
	             deleted);
}

enum qoc_err qoc_pg_families_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	return purge(st, &sql_families, "families_purge", now - QOC_STORE_PURGE_GRACE_SECONDS,
	             limit, deleted);
}
