/* store_outbox.h - the durable mail outbox: its record and the qoc_store_* calls on it.
 * The contract of each call is on its op in store/store.h (block "mail outbox").
 * Ownership as everywhere in the store: records passed in are read during the call only,
 * records read back live in the caller's arena. */
#ifndef QOC_STORE_OUTBOX_H
#define QOC_STORE_OUTBOX_H

#include "store/store.h"

/* One message. to_addr and subject are already validated by mail/ (no CR or LF). */
struct qoc_outbox_row {
	int64_t id; /* > 0, assigned by outbox_put */
	const char *to_addr;
	const char *subject; /* UTF-8 */
	const char *body;    /* UTF-8 text */
	int64_t created_at;
	int64_t attempts;        /* failed deliveries so far */
	int64_t next_attempt_at; /* 0: given up (never due again) */
	int64_t sent_at;         /* 0 while unsent */
	const char *last_error;  /* NULL until a failure */
};

/* Most rows one outbox_due call returns. */
#define QOC_OUTBOX_DUE_MAX 100

static inline enum qoc_err qoc_store_outbox_put(struct qoc_store *st,
                                                const struct qoc_outbox_row *row, int64_t *id)
{
	return QOC_STORE_TIMED(outbox_put, st->ops->outbox_put(st, row, id));
}
static inline enum qoc_err qoc_store_outbox_due(struct qoc_store *st, int64_t now, size_t limit,
                                                struct qoc_arena *a, struct qoc_outbox_row **rows,
                                                size_t *n)
{
	return QOC_STORE_TIMED(outbox_due, st->ops->outbox_due(st, now, limit, a, rows, n));
}
static inline enum qoc_err qoc_store_outbox_mark_sent(struct qoc_store *st, int64_t id, int64_t now)
{
	return QOC_STORE_TIMED(outbox_mark_sent, st->ops->outbox_mark_sent(st, id, now));
}
static inline enum qoc_err qoc_store_outbox_mark_failed(struct qoc_store *st, int64_t id,
                                                        int64_t now, int64_t next_attempt_at,
                                                        const char *error_text)
{
	return QOC_STORE_TIMED(outbox_mark_failed, st->ops->outbox_mark_failed(
	                                               st, id, now, next_attempt_at, error_text));
}

static inline enum qoc_err qoc_store_outbox_claim(struct qoc_store *st, int64_t now,
                                                  int64_t lease_until, size_t limit,
                                                  struct qoc_arena *a, struct qoc_outbox_row **rows,
                                                  size_t *n)
{
	return QOC_STORE_TIMED(outbox_claim,
	                       st->ops->outbox_claim(st, now, lease_until, limit, a, rows, n));
}
static inline enum qoc_err qoc_store_outbox_pending(struct qoc_store *st, int64_t *pending)
{
	return QOC_STORE_TIMED(outbox_pending, st->ops->outbox_pending(st, pending));
}

#endif
