/* throttle_sql.h - the SQL of the throttle ops, one text for both backends.
 *
 * The statements are the same on SQLite and PostgreSQL but for two spellings, which the
 * including backend defines before including this file:
 *   QOC_TSQL_GT, QOC_TSQL_LT   the two-argument max / min ("max"/"min" on SQLite,
 *                              "greatest"/"least" on PostgreSQL);
 *   QOC_TSQL_ARG(n)            the n-th parameter ("?n" / "$n").
 * Only src/store/sqlite/sqlite_throttle.c and src/store/postgres/pg_throttle.c include it. */
#ifndef QOC_STORE_THROTTLE_SQL_H
#define QOC_STORE_THROTTLE_SQL_H

#if !defined(QOC_TSQL_GT) || !defined(QOC_TSQL_LT) || !defined(QOC_TSQL_ARG)
#error "define QOC_TSQL_GT, QOC_TSQL_LT and QOC_TSQL_ARG before including throttle_sql.h"
#endif

#define GT QOC_TSQL_GT
#define LT QOC_TSQL_LT
#define A1 QOC_TSQL_ARG(1)
#define A2 QOC_TSQL_ARG(2)
#define A3 QOC_TSQL_ARG(3)
#define A4 QOC_TSQL_ARG(4)
#define A5 QOC_TSQL_ARG(5)
#define A6 QOC_TSQL_ARG(6)
#define A7 QOC_TSQL_ARG(7)

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

#endif
