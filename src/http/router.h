/* router.h - method + path pattern -> handler.
 *
 * Patterns are absolute paths whose segments are literals (matched byte-exact against the
 * raw, not decoded, request path), `{name}` parameters (exactly one non-empty segment) or,
 * as the last segment only, `*` (the rest of the path, possibly empty, '/' included):
 *   "/api/v1/applications/{client_id}/icon"   "/"   "/static" + "/" + "*" (a catch-all)
 * When several patterns match a path the most specific wins, comparing segment by
 * segment from the left: literal before parameter before catch-all. So
 * "/apps/new" beats "/apps/{id}" for "/apps/new", whatever the order of registration.
 *
 * Methods: HEAD is served by the GET handler unless a HEAD handler is registered. OPTIONS
 * is only ever served by an OPTIONS handler (CORS preflight is the route's business).
 * A path that some route matches but none for this method is 405, with Allow listing the
 * methods of every matching route (HEAD wherever GET is); no matching route is 404.
 *
 * Thread safety: build the router before the server starts; afterwards it is read-only
 * and qoc_router_dispatch may run on any number of threads at once.
 */
#ifndef QOC_HTTP_ROUTER_H
#define QOC_HTTP_ROUTER_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/http.h"

/* Most {name} parameters a pattern may have. */
#define QOC_ROUTER_MAX_PARAMS 8

struct qoc_router;

/* NULL when out of memory. */
struct qoc_router *qoc_router_new(void);
/* NULL is a no-op. Does not touch the ctx pointers handlers were registered with. */
void qoc_router_free(struct qoc_router *router);

/* Registers handler for method ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
 * "OPTIONS") on pattern. The pattern string is copied; ctx is stored as given.
 * QOC_EINVAL: unknown method, a pattern not starting with '/', a malformed or repeated
 * {name} (names are [A-Za-z_][A-Za-z0-9_]*), '*' other than as the whole last segment,
 * '{', '}', '?', '#', control bytes or spaces in a literal, too many parameters.
 * QOC_ECONFLICT: the method is already registered for this pattern, or a pattern of the
 * same shape names its parameters differently ("/a/{x}" vs "/a/{y}"). QOC_ENOMEM. */
enum qoc_err qoc_router_add(struct qoc_router *router, const char *method, const char *pattern,
                            qoc_http_handler_fn *handler, void *ctx);

/* Route flags. */
enum {
	/* The handler may wait on the store (a durable write's commit): the server calls it
	 * on its wait pool (qoc_http_offload_wait), never on a connection thread. */
	QOC_ROUTE_WAITS = 1u << 0,
};
/* qoc_router_add with QOC_ROUTE_* flags. */
enum qoc_err qoc_router_add_flags(struct qoc_router *router, const char *method,
                                  const char *pattern, qoc_http_handler_fn *handler, void *ctx,
                                  unsigned flags);

enum qoc_route_status {
	QOC_ROUTE_FOUND,
	QOC_ROUTE_NOT_FOUND,          /* 404 */
	QOC_ROUTE_METHOD_NOT_ALLOWED, /* 405 with allow[] as the Allow header */
};

struct qoc_route_match {
	enum qoc_route_status status;
	qoc_http_handler_fn *handler;  /* FOUND */
	void *ctx;                     /* FOUND */
	unsigned flags;                /* FOUND: QOC_ROUTE_* */
	const char *pattern;           /* FOUND: router memory, lives as long as the router */
	unsigned route_id;             /* FOUND: the pattern's metrics route label (0: none) */
	struct qoc_http_param *params; /* FOUND: arena memory; NULL when param_count is 0 */
	size_t param_count;
	char allow[64]; /* METHOD_NOT_ALLOWED: "GET, HEAD, POST"; else "" */
};

/* Pure: matches (method, raw path) and fills *out; {name} values are percent-decoded into
 * the arena (a value with a bad escape, a NUL, an encoded '/' or invalid UTF-8 does not
 * match). A path not starting with '/' (e.g. "*") is NOT_FOUND.
 * QOC_OK with out->status set, or QOC_ENOMEM. */
enum qoc_err qoc_router_dispatch(const struct qoc_router *router, enum qoc_http_method method,
                                 const char *path, struct qoc_arena *arena,
                                 struct qoc_route_match *out);

#endif
