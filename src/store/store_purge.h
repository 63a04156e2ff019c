/* store_purge.h - the qoc_store_* calls of the state purge (store.h "state purge"): one
 * call per kind of expired protocol state, each one short transaction deleting at most
 * `limit` rows. store/purge.h runs them in turn. */
#ifndef QOC_STORE_PURGE_H
#define QOC_STORE_PURGE_H

#include "store/store.h"

/* Dead rows of a kind older than this after their expiry (revocation) go; pending
 * authorization requests go at their expiry. */
#define QOC_STORE_PURGE_GRACE_SECONDS 86400

static inline enum qoc_err qoc_store_authreq_purge(struct qoc_store *st, int64_t now, size_t limit,
                                                   size_t *deleted)
{
	return QOC_STORE_TIMED(authreq_purge, st->ops->authreq_purge(st, now, limit, deleted));
}
static inline enum qoc_err qoc_store_sessions_purge(struct qoc_store *st, int64_t now, size_t limit,
                                                    size_t *deleted)
{
	return QOC_STORE_TIMED(sessions_purge, st->ops->sessions_purge(st, now, limit, deleted));
}
static inline enum qoc_err qoc_store_codes_purge(struct qoc_store *st, int64_t now, size_t limit,
                                                 size_t *deleted)
{
	return QOC_STORE_TIMED(codes_purge, st->ops->codes_purge(st, now, limit, deleted));
}
static inline enum qoc_err qoc_store_tokens_purge(struct qoc_store *st, int64_t now, size_t limit,
                                                  size_t *deleted)
{
	return QOC_STORE_TIMED(tokens_purge, st->ops->tokens_purge(st, now, limit, deleted));
}
static inline enum qoc_err qoc_store_families_purge(struct qoc_store *st, int64_t now, size_t limit,
                                                    size_t *deleted)
{
	return QOC_STORE_TIMED(families_purge, st->ops->families_purge(st, now, limit, deleted));
}

#endif
