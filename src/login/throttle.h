/* throttle.h - failure budgets with exponential lock-outs (SECURITY.md "Passwords": login
 * throttled per account and per address; docs/decisions/throttles.md lists every budget).
 *
 * A fixed-capacity, thread-safe table of failure counters keyed by strings. Each use
 * (sign-in, client authentication, sign-up) keeps tables with their own parameters; the
 * keys are the caller's (api/pw_throttle.c, api/backchannel.c).
 *
 * Policy, per key: failures are counted until a quiet period of `window` seconds passes
 * after the last failure (or after the end of the lock, when there was one), which
 * forgets the key. Once `max_failures` are counted, every further failure (including the
 * one reaching the limit) locks the key for lock_base seconds, doubling with each lock up
 * to lock_max: 5 failures lock 30 s, the next one after that 60 s, then 120 s, ... 900 s.
 * A check while locked is not a failure.
 *
 * Atomic budgets: costly attempts (argon2id) reserve before the work
 * (qoc_throttle_reserve) and settle after it: qoc_throttle_fail_reserved for a failure,
 * qoc_throttle_cancel when it was right or never ran. A key may have at most
 * max_failures - failures attempts in flight (1 once failures reached max_failures), so
 * 100 parallel guesses for one key run at most its budget of verifications; the rest are
 * refused with a retry-after (1 s when only in-flight attempts fill the budget). A
 * reservation never settled (a crashed node) stops counting after pending_ttl seconds.
 * Cheap checks (a client secret) use check-then-fail: qoc_throttle_check before,
 * qoc_throttle_fail after.
 *
 * Memory is bounded: `cap` entries, allocated once. When full, a new key evicts the least
 * recently used one, skipping (a few) entries that are locked right now, so flooding the
 * table with fresh keys does not easily unlock an account under attack. Keys are never
 * stored: an entry holds 128 bits of HMAC-SHA256(per-table random key, key string).
 *
 * Several nodes (qoc_throttle_share, on PostgreSQL): the budgets live in the store, keyed
 * "<table name>:<hex HMAC>" under a key derived from the master key, so every node counts
 * into the same rows. reserve, fail and forget are then one store statement each; the
 * memory table only mirrors the locks the store reported, so qoc_throttle_check stays a
 * memory lookup (a lock set by another node is seen here after this node's first refused
 * or failed attempt on that key).
 *
 * Time is passed in (seconds since the epoch) so tests can pin it.
 */
#ifndef QOC_LOGIN_THROTTLE_H
#define QOC_LOGIN_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/metrics.h"

struct qoc_throttle_params {
	unsigned max_failures; /* failures counted before the first lock; >= 1 */
	int64_t window;      /* quiet seconds (since the last failure or lock) that forget a key */
	int64_t lock_base;   /* first lock, seconds; >= 1 */
	int64_t lock_max;    /* longest lock, seconds; >= lock_base */
	int64_t pending_ttl; /* an unsettled reservation counts this long; 0: the default */
};

/* A reservation counts for at most a minute (an argon2id check takes well under one). */
#define QOC_THROTTLE_PENDING_TTL 60

/* 5 failures for one account, then 30 s doubling up to 15 min; forgotten after 15 min. */
#define QOC_THROTTLE_ACCOUNT_PARAMS                                                                \
	((struct qoc_throttle_params){                                                             \
	    .max_failures = 5, .window = 900, .lock_base = 30, .lock_max = 900})
/* One (account, address) pair: 5 failures, same locks. */
#define QOC_THROTTLE_PAIR_PARAMS                                                                   \
	((struct qoc_throttle_params){                                                             \
	    .max_failures = 5, .window = 900, .lock_base = 30, .lock_max = 900})
/* The account from every address that already failed for it: 10 failures, same locks. */
#define QOC_THROTTLE_ACCOUNT_WIDE_PARAMS                                                           \
	((struct qoc_throttle_params){                                                             \
	    .max_failures = 10, .window = 900, .lock_base = 30, .lock_max = 900})
/* Sign-ups from one address: 10 in a row without an hour's pause, then 5 min doubling
 * up to an hour. */
#define QOC_THROTTLE_SIGNUP_PARAMS                                                                 \
	((struct qoc_throttle_params){                                                             \
	    .max_failures = 10, .window = 3600, .lock_base = 300, .lock_max = 3600})
/* 20 failures from one address, same locks. */
#define QOC_THROTTLE_ADDRESS_PARAMS                                                                \
	((struct qoc_throttle_params){                                                             \
	    .max_failures = 20, .window = 900, .lock_base = 30, .lock_max = 900})
#define QOC_THROTTLE_DEFAULT_CAP 16384
#define QOC_THROTTLE_MAX_CAP (1u << 24)

struct qoc_throttle;

/* A table of at most cap entries (1..QOC_THROTTLE_MAX_CAP). NULL when out of memory, when
 * the random key cannot be drawn, or when cap or params are out of range. */
struct qoc_throttle *qoc_throttle_new(size_t cap, const struct qoc_throttle_params *params);
/* NULL is a no-op. */
void qoc_throttle_free(struct qoc_throttle *t);

/* Names the table in qoc_throttle_refusals_total (core/metrics.h): every refusal of
 * qoc_throttle_check and qoc_throttle_reserve counts there. Set before use; a table
 * without a kind counts nowhere. */
void qoc_throttle_set_kind(struct qoc_throttle *t, enum qoc_metrics_throttle kind);

/* May `key` try now? true when it is not locked; false with *retry_after (may be NULL)
 * set to the whole seconds, >= 1, until it may. Fails closed: false with *retry_after 1
 * when hashing the key fails. */
bool qoc_throttle_check(struct qoc_throttle *t, const char *key, int64_t now, int64_t *retry_after);

/* Counts one failure for key at now (and locks it when due). QOC_ECRYPTO when hashing
 * the key fails. */
enum qoc_err qoc_throttle_fail(struct qoc_throttle *t, const char *key, int64_t now);

/* Counts a failure that settles a reservation of qoc_throttle_reserve. */
enum qoc_err qoc_throttle_fail_reserved(struct qoc_throttle *t, const char *key, int64_t now);

/* Reserves one attempt of key before costly work: true when it may run now, with
 * *failures (may be NULL) the failures already counted on key. false with *retry_after
 * (may be NULL) the whole seconds, >= 1, to wait. Fails closed (false, 1) when hashing
 * the key or (shared) the store fails. Settle every true with qoc_throttle_fail_reserved,
 * qoc_throttle_cancel or qoc_throttle_success. */
bool qoc_throttle_reserve(struct qoc_throttle *t, const char *key, int64_t now,
                          int64_t *retry_after, int64_t *failures);

/* Settles a reservation without a failure. */
void qoc_throttle_cancel(struct qoc_throttle *t, const char *key, int64_t now);

struct qoc_store;
/* Keeps this table's budgets in store from now on (see the top of this file), under
 * HMAC(key, name); every node must use the same key (derived from the master key) and
 * name (1..31 bytes) for the same table. QOC_EINVAL, QOC_ECRYPTO. */
enum qoc_err qoc_throttle_share(struct qoc_throttle *t, struct qoc_store *store,
                                const uint8_t key[32], const char *name);

/* Forgets key (after a successful sign-in, on the (account, address) key). */
void qoc_throttle_success(struct qoc_throttle *t, const char *key);

/* True when the table holds no entry at all, so no key can be locked: a relaxed read, no
 * hashing and no lock. Callers on a hot path check it before building keys; an entry
 * being added meanwhile is the check-then-fail race qoc_throttle_check has anyway. */
bool qoc_throttle_idle(struct qoc_throttle *t);

/* Entries in use, for tests and metrics. */
size_t qoc_throttle_count(struct qoc_throttle *t);

#endif
