/* store_throttle.h - shared throttle budgets: the qoc_store_throttle_* calls. The contract
 * of each call is on its op in store/store.h (block "throttles").
 *
 * A row is one budget (login/throttle.h explains the policy; the SQL of both backends
 * computes exactly what login/throttle.c computes in memory). Keys are opaque to the store:
 * login/throttle.c passes "<table>:<hex of an HMAC>", never an email or address. */
#ifndef QOC_STORE_THROTTLE_H
#define QOC_STORE_THROTTLE_H

#include "store/store.h"

/* Longest key the store accepts. */
#define QOC_STORE_THROTTLE_KEY_MAX 128
/* Most rows one throttle_purge call deletes. */
#define QOC_STORE_THROTTLE_PURGE_MAX 10000

static inline enum qoc_err qoc_store_throttle_reserve(struct qoc_store *st, const char *key,
                                                      const struct qoc_store_throttle_params *p,
                                                      int64_t now, bool *granted, int64_t *failures,
                                                      int64_t *locked_until)
{
	return QOC_STORE_TIMED(throttle_reserve, st->ops->throttle_reserve(st, key, p, now, granted,
	                                                                   failures, locked_until));
}
static inline enum qoc_err qoc_store_throttle_fail(struct qoc_store *st, const char *key,
                                                   const struct qoc_store_throttle_params *p,
                                                   int64_t now, bool reserved,
                                                   int64_t *locked_until)
{
	return QOC_STORE_TIMED(throttle_fail,
	                       st->ops->throttle_fail(st, key, p, now, reserved, locked_until));
}
static inline enum qoc_err qoc_store_throttle_cancel(struct qoc_store *st, const char *key,
                                                     int64_t now)
{
	return QOC_STORE_TIMED(throttle_cancel, st->ops->throttle_cancel(st, key, now));
}
static inline enum qoc_err qoc_store_throttle_forget(struct qoc_store *st, const char *key)
{
	return QOC_STORE_TIMED(throttle_forget, st->ops->throttle_forget(st, key));
}
static inline enum qoc_err qoc_store_throttle_purge(struct qoc_store *st, int64_t now, size_t limit,
                                                    size_t *deleted)
{
	return QOC_STORE_TIMED(throttle_purge, st->ops->throttle_purge(st, now, limit, deleted));
}

#endif
