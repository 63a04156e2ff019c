/* app_cache.h - copies of application rows for the protocol's hot paths.
 *
 * Every client authentication reads the application (secret hash, status, grants,
 * lifetimes): 13% of the server's time on a JWT client_credentials request and 24% on an
 * introspection, most of it SQLite opening and closing a read transaction. This cache keeps
 * a copy of each recently used row, tagged with the backend's change counter ("generation")
 * at the moment the row was read. A copy is served only while the counter still has that
 * value; any committed change to any application moves the counter, so a regenerated
 * secret, a suspension or a deletion takes effect on the next request (issue 3), and the
 * next read refills the entry. Backends own the counter (sqlite_appgen.c); this file only
 * stores and copies.
 *
 * Bounded: QOC_APP_CACHE_SETS x QOC_APP_CACHE_WAYS entries, the least recently used of a
 * set replaced. Each set has its own lock. Entries hold the secret hash and the sealed
 * secret, as the database pages in SQLite's page cache do; they are wiped when dropped.
 */
#ifndef QOC_STORE_APP_CACHE_H
#define QOC_STORE_APP_CACHE_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

#define QOC_APP_CACHE_SETS 128
#define QOC_APP_CACHE_WAYS 4

struct qoc_app_cache;

struct qoc_app_cache_stats {
	uint64_t hits;   /* gets answered from a copy */
	uint64_t misses; /* gets that found none, or one of an older generation */
	uint64_t puts;
};

enum qoc_err qoc_app_cache_new(struct qoc_app_cache **out);
/* NULL is a no-op. */
void qoc_app_cache_free(struct qoc_app_cache *c);

/* QOC_OK: *out is a copy, in arena a, of client_id's row as stored at generation gen.
 * QOC_ENOTFOUND: no copy of that generation (an older one is dropped); read the store.
 * QOC_ENOMEM: the arena is full. */
enum qoc_err qoc_app_cache_get(struct qoc_app_cache *c, struct qoc_arena *a,
                               const char *client_id, uint64_t gen, struct qoc_app *out);

/* Keeps a copy of app, read from the store after the counter showed gen. Best effort:
 * out of memory, or a client id longer than the store's, keeps nothing. */
void qoc_app_cache_put(struct qoc_app_cache *c, const struct qoc_app *app, uint64_t gen);

void qoc_app_cache_stats(struct qoc_app_cache *c, struct qoc_app_cache_stats *out);

#endif
