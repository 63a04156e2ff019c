/* cors.h - Cross-Origin Resource Sharing for the endpoints a browser client calls.
 *
 * SECURITY.md: CORS only on token, userinfo, revocation, JWKS and discovery, and only for
 * the exact origins an application registered; never on /authorize. A route that wants
 * CORS registers its method(s) and an OPTIONS handler, and calls qoc_cors_apply first in
 * both (the router answers 405 to OPTIONS on routes that did not).
 *
 * Two modes:
 * - exact origins (a list and/or a callback): the request's Origin is compared byte for
 *   byte; an allowed origin is echoed in Access-Control-Allow-Origin, and every response
 *   carries Vary: Origin because its headers depend on it. The origin "null" is never
 *   allowed. Credentials (cookies) are never allowed cross-origin: no
 *   Access-Control-Allow-Credentials is ever sent.
 * - public (any_origin): Access-Control-Allow-Origin: * for documents anyone may read
 *   (discovery, JWKS); no Vary needed.
 *
 * Pure: reads the request, adds headers to the response.
 */
#ifndef QOC_HTTP_CORS_H
#define QOC_HTTP_CORS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "http/http.h"

/* Called with the request's Origin value (attacker-controlled, NUL-terminated): return true
 * only for an exact registered origin. Runs on the request's thread. */
typedef bool qoc_cors_origin_fn(void *ctx, const char *origin);

struct qoc_cors_policy {
	bool any_origin;            /* public mode */
	const char *const *origins; /* exact origins ("https://app.example.com") */
	size_t origin_count;
	qoc_cors_origin_fn *origin_allowed; /* asked when the list does not match; may be NULL */
	void *origin_ctx;
	const char *allow_methods;  /* preflight: e.g. "GET, POST" (OPTIONS is implied) */
	const char *allow_headers;  /* preflight: e.g. "Authorization, Content-Type"; NULL: none */
	const char *expose_headers; /* actual responses: e.g. "WWW-Authenticate"; NULL: none */
	unsigned max_age;           /* preflight cache seconds; 0: no Access-Control-Max-Age */
};

enum qoc_cors_outcome {
	QOC_CORS_NONE,      /* no Origin header: not a cross-origin request; carry on */
	QOC_CORS_ALLOWED,   /* cross-origin and allowed: headers added; carry on */
	QOC_CORS_DENIED,    /* cross-origin, not allowed: no CORS headers; carry on (the
	                     * browser withholds the response from the page) */
	QOC_CORS_PREFLIGHT, /* a preflight was answered in resp (204, or 403 when denied):
	                     * the handler must return QOC_OK without touching resp */
};

/* Applies policy to the request. A preflight is an OPTIONS request with an Origin and an
 * Access-Control-Request-Method header (Fetch standard §3.2.2); it is allowed when the
 * origin is and the requested method is listed in allow_methods (exact token match).
 * An OPTIONS request that is not a preflight is reported as NONE/ALLOWED/DENIED and left
 * to the handler. QOC_ENOMEM (or QOC_EINVAL for a policy string with control bytes). */
enum qoc_err qoc_cors_apply(const struct qoc_cors_policy *policy, const struct qoc_http_req *req,
                            struct qoc_http_resp *resp, enum qoc_cors_outcome *outcome);

/* True when origin is allowed by policy (public mode: always; "null": never). */
bool qoc_cors_origin_allowed(const struct qoc_cors_policy *policy, const char *origin);

#endif
