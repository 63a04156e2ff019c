/* backchannel.h - what the token, userinfo, introspection and revocation handlers share
 * (token.c, userinfo.c, introspect.c, revoke.c): response headers, protocol errors as
 * JSON, client authentication from a request, CORS.
 *
 * Every response of these endpoints carries `Cache-Control: no-store` and
 * `Pragma: no-cache` (RFC 6749 §5.1, SECURITY.md "Token endpoint"), errors included.
 */
#ifndef QOC_API_BACKCHANNEL_H
#define QOC_API_BACKCHANNEL_H

#include <stdbool.h>

#include "analytics/event.h"
#include "api/api.h"
#include "http/http.h"
#include "oauth/client_auth.h"
#include "oauth/introspect.h"
#include "oauth/issue.h"
#include "oauth/oauth_error.h"

/* Cache-Control: no-store and Pragma: no-cache. */
enum qoc_err qoc_api_no_store(struct qoc_http_resp *resp);

/* err as {"error", "error_description"} with err->status; WWW-Authenticate when
 * challenge is not NULL; Retry-After: 1 with a 503. */
enum qoc_err qoc_api_oauth_error(struct qoc_http_resp *resp, const struct qoc_oauth_error *err,
                                 const char *challenge);

/* An internal failure (cause logged, never sent): 503 temporarily_unavailable for
 * QOC_ENOMEM / QOC_EBUSY, 500 server_error otherwise. */
enum qoc_err qoc_api_internal(struct qoc_http_resp *resp, const char *what, enum qoc_err cause);

/* Does the raw query string hold any of names (empty values included)? A query that does
 * not decode counts as holding them (refuse rather than guess). */
bool qoc_api_query_has(struct qoc_http_req *req, const char *const *names, size_t n);

/* The client address of req as analytics computes it (analytics/client_addr.h): the
 * peer, or X-Forwarded-For read through api->trusted_proxies only. The key of every
 * per-address throttle. */
void qoc_api_client_addr(const struct qoc_api *api, const struct qoc_http_req *req,
                         char out[QOC_AN_ADDR_MAX]);

/* An authenticated client. */
struct qoc_api_client {
	struct qoc_form form; /* the decoded body (arena) */
	struct qoc_client_creds creds;
	struct qoc_app app; /* valid when app_found (also when authentication failed) */
	bool app_found;
};

/* Decodes the form body (application/x-www-form-urlencoded only: invalid_request),
 * extracts the credentials (client_auth.h: one method, never from the query), refuses a
 * client address, or (client id, address), whose failures are throttled (429
 * temporarily_unavailable with Retry-After, before any secret check; never the client id
 * alone, so nobody can lock a client out from elsewhere), reads the application and authenticates
 * it (active only). QOC_OK: authenticated. QOC_EINVAL: refused, resp holds the answer
 * (invalid_client 401 with WWW-Authenticate when Basic was used; the failure is counted against the
 * address and the (client id, address)); the handler returns QOC_OK. QOC_ENOMEM or another error:
 * resp holds a 500/503. */
enum qoc_err qoc_api_client_auth(struct qoc_api *api, struct qoc_http_req *req,
                                 struct qoc_http_resp *resp, struct qoc_api_client *out);

/* CORS of an actual (not preflight) request: the Origin is answered only when app (the
 * authenticated client or the token's application) registered it exactly. app NULL (not
 * known: an error before the client or token was found): an origin some active
 * application registered, so a browser client can read the error it got. */
enum qoc_err qoc_api_cors(struct qoc_api *api, struct qoc_http_req *req, struct qoc_http_resp *resp,
                          const struct qoc_app *app);

/* OPTIONS: a preflight for an origin some active application registered (origins.h) gets
 * 204 with the CORS headers for `methods`; another origin 403 without them; an OPTIONS
 * that is not a preflight 204 with Allow. */
enum qoc_err qoc_api_options(struct qoc_api *api, struct qoc_http_req *req,
                             struct qoc_http_resp *resp, const char *methods);

/* The issue / introspection contexts over api's store, signer, clock and issuer. */
struct qoc_issue_ctx qoc_api_issue_ctx(const struct qoc_api *api);
struct qoc_introspect_ctx qoc_api_introspect_ctx(const struct qoc_api *api);

#endif
