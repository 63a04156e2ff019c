/* origins.h - "is this Origin registered by some active application?", for CORS preflights.
 *
 * A preflight (OPTIONS) carries no client id and no token, so the exact origins of the one
 * application concerned are not known yet. The preflight is answered for an origin that
 * some active application registered (SECURITY.md "only for the exact origins an
 * application registered"); the actual request is then answered with CORS headers only
 * when its own application (the authenticated client, or the access token's) registered
 * the origin. So the set below only decides whether a browser may *send* the request,
 * never whether a page may read an answer.
 *
 * The set is a snapshot of every active application's allowed_origins, rebuilt from the
 * store (app_list, paged) at most once every `interval` seconds by one caller while the
 * others keep using the old one; an origin removed in the console stops passing preflights
 * within that bound (and never passes the actual request's check). An origin not found
 * triggers a rebuild when the snapshot is a second old or more, so a newly registered
 * origin works at once while misses cost at most one scan a second. A store error keeps
 * the old snapshot (logged). Memory: the origins themselves, sorted, looked up by bisection.
 *
 * Thread-safe; the store is borrowed.
 */
#ifndef QOC_OAUTH_ORIGINS_H
#define QOC_OAUTH_ORIGINS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/* Most origins kept (50 per application); beyond it the rest are left out (logged). */
#define QOC_ORIGINS_MAX 100000

struct qoc_origins;

enum qoc_err qoc_origins_new(struct qoc_store *st, int64_t interval, struct qoc_origins **out);
/* NULL is a no-op. */
void qoc_origins_free(struct qoc_origins *o);

/* Is origin (exact bytes) in the snapshot, refreshed first when it is older than the
 * interval? */
bool qoc_origins_allowed(struct qoc_origins *o, const char *origin, int64_t now);

/* Is origin (exact bytes) one of app's allowed_origins? */
bool qoc_origins_app_allows(const struct qoc_app *app, const char *origin);

#endif
