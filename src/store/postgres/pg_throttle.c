/* pg_throttle.c - throttle budgets shared by every node (see the "throttles" block in
 * store.h): each call is one statement on the key's row, atomic in PostgreSQL, so
 * reservations from several nodes at once never exceed a budget together. */
#include "store/postgres/pg_internal.h"
#include "store/store_throttle.h"

#include "store/store_check.h"

#define QOC_TSQL_GT "greatest"
#define QOC_TSQL_LT "least"
#define QOC_TSQL_ARG(n) "$" #n
#include "store/throttle_sql.h"

static struct qoc_pg_sql sql_reserve = {.text = T_RESERVE_SQL};
static struct qoc_pg_sql sql_fail = {.text = T_FAIL_SQL};
static struct qoc_pg_sql sql_cancel = {.text = T_CANCEL_SQL};
static struct qoc_pg_sql sql_forget = {.text = T_FORGET_SQL};
static struct qoc_pg_sql sql_purge = {.text = T_PURGE_SQL};

struct throttle_ctx {
	const char *key;
	const struct qoc_store_throttle_params *p;
	int64_t now;
	bool reserve; /* else fail */
	bool reserved;
	bool granted;
	int64_t failures, locked_until;
};

static enum qoc_err throttle_work(struct qoc_pg_conn *c, void *arg)
{
	struct throttle_ctx *k = arg;
	const struct qoc_store_throttle_params *p = k->p;
	PGresult *res;
	enum qoc_err err =
	    k->reserve ? qoc_pg_exec(c, &sql_reserve, "throttle_reserve", &res, "tiiii", k->key,
	                             k->now, p->max_failures, p->window, k->now + p->pending_ttl)
	               : qoc_pg_exec(c, &sql_fail, "throttle_fail", &res, "tiiiiii", k->key, k->now,
	                             p->max_failures, p->window, p->lock_base, p->lock_max,
	                             (int64_t)(k->reserved ? 1 : 0));
	if (err)
		return err;
	if (PQntuples(res) != 1) {
		err = QOC_EDB;
	} else if (k->reserve) {
		k->granted = qoc_pg_col_int(res, 0, 0) == 1;
		k->failures = qoc_pg_col_int(res, 0, 1);
		k->locked_until = qoc_pg_col_int(res, 0, 2);
	} else {
		k->locked_until = qoc_pg_col_int(res, 0, 0);
	}
	PQclear(res);
	return err;
}

/* Not idempotent: a reservation or failure whose commit is unknown is not repeated. */
enum qoc_err qoc_pg_throttle_reserve(struct qoc_store *base, const char *key,
                                     const struct qoc_store_throttle_params *p, int64_t now,
                                     bool *granted, int64_t *failures, int64_t *locked_until)
{
	if (!granted || !qoc_store_throttle_args_ok(key, p))
		return QOC_EINVAL;
	struct throttle_ctx k = {.key = key, .p = p, .now = now, .reserve = true};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), false, throttle_work, &k);
	*granted = !err && k.granted;
	if (failures)
		*failures = err ? 0 : k.failures;
	if (locked_until)
		*locked_until = err ? 0 : k.locked_until;
	return err;
}

enum qoc_err qoc_pg_throttle_fail(struct qoc_store *base, const char *key,
                                  const struct qoc_store_throttle_params *p, int64_t now,
                                  bool reserved, int64_t *locked_until)
{
	if (!qoc_store_throttle_args_ok(key, p))
		return QOC_EINVAL;
	struct throttle_ctx k = {.key = key, .p = p, .now = now, .reserved = reserved};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), false, throttle_work, &k);
	if (locked_until)
		*locked_until = err ? 0 : k.locked_until;
	return err;
}

enum qoc_err qoc_pg_throttle_cancel(struct qoc_store *base, const char *key, int64_t now)
{
	if (!qoc_store_throttle_key_ok(key))
		return QOC_EINVAL;
	enum qoc_err err =
	    qoc_pg_write_one(qoc_pg_from(base), &sql_cancel, "throttle_cancel", "ti", key, now);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}

enum qoc_err qoc_pg_throttle_forget(struct qoc_store *base, const char *key)
{
	if (!qoc_store_throttle_key_ok(key))
		return QOC_EINVAL;
	enum qoc_err err =
	    qoc_pg_write_one(qoc_pg_from(base), &sql_forget, "throttle_forget", "t", key);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}

struct purge_ctx {
	int64_t now, limit, deleted;
};

static enum qoc_err purge_work(struct qoc_pg_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	return qoc_pg_run(c, &sql_purge, "throttle_purge", &k->deleted, "ii", k->now, k->limit);
}

enum qoc_err qoc_pg_throttle_purge(struct qoc_store *base, int64_t now, size_t limit,
                                   size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (!qoc_store_throttle_purge_limit_ok(limit))
		return QOC_EINVAL;
	struct purge_ctx k = {.now = now, .limit = (int64_t)limit};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), true, purge_work, &k);
	if (!err && deleted)
		*deleted = (size_t)k.deleted;
	return err;
}
