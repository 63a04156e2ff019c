/* pg_throttle.c - throttle budgets shared by every node (see the "throttles" block in
 * store.h): each call is one statement on the key's row, atomic in PostgreSQL, so
 * reservations from several nodes at once never exceed a budget together. */
#include "store/postgres/pg_internal.h"
#include "store/store_throttle.h"

#include "store/store_check.h"

#define GT "greatest"
#define LT "least"
#define A1 "$1"
#define A2 "$2"
#define A3 "$3"
#define A4 "$4"
#define A5 "$5"
#define A6 "$6"
#define A7 "$7"

/* The policy of login/throttle.c in SQL (keep the two in step). On the existing row t:
 * QUIET: its window passed since the last failure or the end of its lock; then failures
 * and locks count from 0. Reservations past pending_until no longer count. */
#define T_NOW "CAST(" A2 " AS BIGINT)"
#define T_MAX "CAST(" A3 " AS BIGINT)"
#define T_WIN "CAST(" A4 " AS BIGINT)"
#define T_QUIET "(" T_NOW " - " GT "(t.locked_until, t.last_fail) >= " T_WIN ")"
#define T_F "(CASE WHEN " T_QUIET " THEN 0 ELSE t.failures END)"
#define T_L "(CASE WHEN " T_QUIET " THEN 0 ELSE t.locks END)"
#define T_P "(CASE WHEN t.pending_until <= " T_NOW " THEN 0 ELSE t.pending END)"
#define T_BUDGET "(CASE WHEN " T_F " < " T_MAX " THEN " T_MAX " - " T_F " ELSE 1 END)"
#define T_OK "(CASE WHEN t.locked_until <= " T_NOW " AND " T_P " < " T_BUDGET " THEN 1 ELSE 0 END)"
#define T_COLS                                                                                     \
	"k, failures, pending, locks, last_fail, locked_until, pending_until, granted, expires_at"

/* A1 key, A2 now, A3 max_failures, A4 window, A5 now + pending_ttl. */
#define T_RESERVE_SQL                                                                              \
	"INSERT INTO throttles AS t (" T_COLS ") VALUES (" A1 ", 0, 1, 0, 0, 0, " A5 ", 1, " A5    \
	") ON CONFLICT (k) DO UPDATE SET failures = " T_F ", locks = " T_L ", pending = " T_P      \
	" + " T_OK ", pending_until = CASE WHEN " T_OK " = 1 THEN CAST(" A5                        \
	" AS BIGINT) ELSE t.pending_until END, granted = " T_OK ", expires_at = " GT "(" GT        \
	"(t.locked_until, t.last_fail) + " T_WIN ", CASE WHEN " T_OK " = 1 THEN CAST(" A5          \
	" AS BIGINT) ELSE t.pending_until END) RETURNING granted, failures, locked_until"

/* A1 key, A2 now, A3 max_failures, A4 window, A5 lock_base, A6 lock_max, A7 reserved (0/1).
 * The n-th lock (from 0) lasts min(lock_max, lock_base * 2^n). */
#define T_BASE "CAST(" A5 " AS BIGINT)"
#define T_LMAX "CAST(" A6 " AS BIGINT)"
#define T_F1 "(" T_F " + 1)"
#define T_OLDLOCK "(CASE WHEN " T_QUIET " THEN 0 ELSE t.locked_until END)"
#define T_LEN LT "(" T_LMAX ", " T_BASE " << CAST(" LT "(" T_L ", 30) AS INTEGER))"
#define T_NEWLOCK                                                                                  \
	"(CASE WHEN " T_F1 " >= " T_MAX " THEN " GT "(" T_OLDLOCK ", " T_NOW " + " T_LEN           \
	") ELSE " T_OLDLOCK " END)"
#define T_FIRSTLOCK "(CASE WHEN 1 >= " T_MAX " THEN " T_NOW " + " T_BASE " ELSE 0 END)"
#define T_FAIL_SQL                                                                                 \
	"INSERT INTO throttles AS t (" T_COLS ") VALUES (" A1 ", 1, 0, CASE WHEN 1 >= " T_MAX      \
	" THEN 1 ELSE 0 END, " T_NOW ", " T_FIRSTLOCK ", 0, 0, " GT "(" T_FIRSTLOCK ", " T_NOW     \
	") + " T_WIN ") ON CONFLICT (k) DO UPDATE SET failures = " T_F1 ", locks = " T_L           \
	" + CASE WHEN " T_F1 " >= " T_MAX " THEN 1 ELSE 0 END, last_fail = " T_NOW                 \
	", locked_until = " T_NEWLOCK ", pending = " GT "(" T_P " - CAST(" A7                      \
	" AS BIGINT), 0), expires_at = " GT "(" GT "(" T_NEWLOCK ", " T_NOW ") + " T_WIN           \
	", t.pending_until) RETURNING locked_until"

/* A1 key, A2 now. */
#define T_CANCEL_SQL                                                                               \
	"UPDATE throttles AS t SET pending = CASE WHEN t.pending_until <= " T_NOW                  \
	" OR t.pending <= 0 THEN 0 ELSE t.pending - 1 END WHERE t.k = " A1
#define T_FORGET_SQL "DELETE FROM throttles WHERE k = " A1
/* A1 now, A2 limit. */
#define T_PURGE_SQL                                                                                \
	"DELETE FROM throttles WHERE k IN (SELECT k FROM throttles WHERE expires_at <= " A1        \
	" LIMIT " A2 ")"

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
