/* throttle.h - sign-in throttling (SECURITY.md "Passwords": login throttled per account
 * and per address).
 *
 * A fixed-capacity, thread-safe table of failure counters keyed by strings. The login
 * handlers keep two tables with their own parameters:
 *   accounts:  key "acct:" + the normalised (lower-cased, trimmed) email as typed, whether
 *              or not such an account exists, so a lock says nothing about existence
 *              (SECURITY.md "same answer for an unknown account");
 *   addresses: key "ip:" + the client address (an IPv6 client by its /64 is the handler's
 *              choice to make).
 * A sign-in is refused without checking the password when either key is locked; a wrong
 * password counts a failure on both; a right one calls qoc_throttle_success on the
 * account key only (resetting the address key would let anyone holding one valid
 * account clear their address between guesses on others).
 *
 * Policy, per key: failures are counted until a quiet period of `window` seconds passes
 * after the last failure (or after the end of the lock, when there was one), which
 * forgets the key. Once `max_failures` are counted, every
 * further failure (including the one reaching the limit) locks the key for lock_base
 * seconds, doubling with each lock up to lock_max: 5 failures lock 30 s, the next one
 * after that 60 s, then 120 s, ... 900 s. A check while locked is not a failure.
 *
 * Memory is bounded: `cap` entries, allocated once. When full, a new key evicts the least
 * recently used one, skipping (a few) entries that are locked right now, so flooding the
 * table with fresh keys does not easily unlock an account under attack. Keys are never
 * stored: an entry holds 128 bits of HMAC-SHA256(per-table random key, key string).
 *
 * Check-then-fail is not atomic: attempts already past qoc_throttle_check when the limit
 * is reached still run (at most the number of sign-ins in flight at once, which the
 * argon2id offload queue bounds). The handler should call qoc_throttle_fail before it
 * answers, so the next request sees the lock.
 *
 * Several nodes: each node throttles on its own (the limits multiply by the node count
 * behind a load balancer without stickiness). A later issue may move this to the store.
 *
 * Time is passed in (seconds since the epoch) so tests can pin it.
 */
#ifndef QOC_LOGIN_THROTTLE_H
#define QOC_LOGIN_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct qoc_throttle_params {
	unsigned max_failures; /* failures counted before the first lock; >= 1 */
	int64_t window;    /* quiet seconds (since the last failure or lock) that forget a key */
	int64_t lock_base; /* first lock, seconds; >= 1 */
	int64_t lock_max;  /* longest lock, seconds; >= lock_base */
};

/* 5 failures for one account, then 30 s doubling up to 15 min; forgotten after 15 min. */
#define QOC_THROTTLE_ACCOUNT_PARAMS                                                                \
	((struct qoc_throttle_params){                                                             \
	    .max_failures = 5, .window = 900, .lock_base = 30, .lock_max = 900})
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

/* May `key` try now? true when it is not locked; false with *retry_after (may be NULL)
 * set to the whole seconds, >= 1, until it may. Fails closed: false with *retry_after 1
 * when hashing the key fails. */
bool qoc_throttle_check(struct qoc_throttle *t, const char *key, int64_t now, int64_t *retry_after);

/* Counts one failure for key at now (and locks it when due). QOC_ECRYPTO when hashing
 * the key fails. */
enum qoc_err qoc_throttle_fail(struct qoc_throttle *t, const char *key, int64_t now);

/* Forgets key (after a successful sign-in with the account key). */
void qoc_throttle_success(struct qoc_throttle *t, const char *key);

/* Entries in use, for tests and metrics. */
size_t qoc_throttle_count(struct qoc_throttle *t);

#endif
