/* sqlite_throttle.c - throttle budgets in the store (see the "throttles" block in store.h).
 * One node on SQLite keeps its budgets in memory (login/throttle.c); these ops keep the
 * contract of both backends the same and serve tools and tests. */
#include "store/sqlite/sqlite_internal.h"
#include "store/store_throttle.h"

#include "store/store_check.h"

#define QOC_TSQL_GT "max"
#define QOC_TSQL_LT "min"
#define QOC_TSQL_ARG(n) "?" #n
#include "store/throttle_sql.h"

static struct qoc_sqlite_sql sql_reserve = {.text = T_RESERVE_SQL};
static struct qoc_sqlite_sql sql_fail = {.text = T_FAIL_SQL};
static struct qoc_sqlite_sql sql_cancel = {.text = T_CANCEL_SQL};
static struct qoc_sqlite_sql sql_forget = {.text = T_FORGET_SQL};
static struct qoc_sqlite_sql sql_purge = {.text = T_PURGE_SQL};

struct throttle_ctx {
	const char *key;
	const struct qoc_store_throttle_params *p;
	int64_t now;
	bool reserve; /* else fail */
	bool reserved;
	bool granted;
	int64_t failures, locked_until;
};

static enum qoc_err throttle_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct throttle_ctx *k = arg;
	sqlite3_stmt *s;
	const struct qoc_store_throttle_params *p = k->p;
	enum qoc_err err =
	    k->reserve
	        ? qoc_sqlite_bound(c, &sql_reserve, "throttle_reserve", &s, "tiiii", k->key, k->now,
	                           p->max_failures, p->window, k->now + p->pending_ttl)
	        : qoc_sqlite_bound(c, &sql_fail, "throttle_fail", &s, "tiiiiii", k->key, k->now,
	                           p->max_failures, p->window, p->lock_base, p->lock_max,
	                           (int64_t)(k->reserved ? 1 : 0));
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, k->reserve ? "throttle_reserve" : "throttle_fail");
	if (!err && k->reserve) {
		k->granted = sqlite3_column_int64(s, 0) == 1;
		k->failures = sqlite3_column_int64(s, 1);
		k->locked_until = sqlite3_column_int64(s, 2);
	} else if (!err) {
		k->locked_until = sqlite3_column_int64(s, 0);
	}
	qoc_sqlite_stmt_done(s);
	return err == QOC_ENOTFOUND ? QOC_EDB : err;
}

enum qoc_err qoc_sqlite_throttle_reserve(struct qoc_store *base, const char *key,
                                         const struct qoc_store_throttle_params *p, int64_t now,
                                         bool *granted, int64_t *failures, int64_t *locked_until)
{
	if (!granted || !qoc_store_throttle_args_ok(key, p))
		return QOC_EINVAL;
	struct throttle_ctx k = {.key = key, .p = p, .now = now, .reserve = true};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), throttle_work, &k);
	*granted = !err && k.granted;
	if (failures)
		*failures = err ? 0 : k.failures;
	if (locked_until)
		*locked_until = err ? 0 : k.locked_until;
	return err;
}

enum qoc_err qoc_sqlite_throttle_fail(struct qoc_store *base, const char *key,
                                      const struct qoc_store_throttle_params *p, int64_t now,
                                      bool reserved, int64_t *locked_until)
{
	if (!qoc_store_throttle_args_ok(key, p))
		return QOC_EINVAL;
	struct throttle_ctx k = {.key = key, .p = p, .now = now, .reserved = reserved};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), throttle_work, &k);
	if (locked_until)
		*locked_until = err ? 0 : k.locked_until;
	return err;
}

enum qoc_err qoc_sqlite_throttle_cancel(struct qoc_store *base, const char *key, int64_t now)
{
	if (!qoc_store_throttle_key_ok(key))
		return QOC_EINVAL;
	enum qoc_err err = qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_cancel,
	                                        "throttle_cancel", "ti", key, now);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}

enum qoc_err qoc_sqlite_throttle_forget(struct qoc_store *base, const char *key)
{
	if (!qoc_store_throttle_key_ok(key))
		return QOC_EINVAL;
	enum qoc_err err =
	    qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_forget, "throttle_forget", "t", key);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}

struct purge_ctx {
	int64_t now, limit, deleted;
};

static enum qoc_err purge_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	return qoc_sqlite_run(c, &sql_purge, "throttle_purge", &k->deleted, "ii", k->now, k->limit);
}

enum qoc_err qoc_sqlite_throttle_purge(struct qoc_store *base, int64_t now, size_t limit,
                                       size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (!qoc_store_throttle_purge_limit_ok(limit))
		return QOC_EINVAL;
	struct purge_ctx k = {.now = now, .limit = (int64_t)limit};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), purge_work, &k);
	if (!err && deleted)
		*deleted = (size_t)k.deleted;
	return err;
}
