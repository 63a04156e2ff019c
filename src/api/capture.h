/* capture.h - analytics capture of the protocol endpoints (issue 6).
 *
 * Each protocol route is registered through a wrapper (routes.c) that times the handler,
 * and after its last call (an offloaded request is called twice) builds one event from
 * what the handler noted and what it answered (analytics/outcome.h), and queues it
 * (analytics/analytics.h: never blocks). A request is recorded only once a handler
 * named its application (qoc_api_note_client): the login and consent forms do so only
 * when they complete or fail an authorization, so re-shown forms are not requests.
 * With api->analytics NULL (capture off) the wrappers only call the handler.
 */
#ifndef QOC_API_CAPTURE_H
#define QOC_API_CAPTURE_H

#include "analytics/event.h"
#include "api/api.h"
#include "http/http.h"

/* What a handler knows; each is copied, so arena or static strings are fine. No-ops when
 * capture is off or the request is not captured. */
void qoc_api_note_client(struct qoc_http_req *req, const char *client_id);
void qoc_api_note_account(struct qoc_http_req *req, const char *account_id);
/* The OAuth error the handler rendered where the response does not show it as JSON (an
 * error page, a redirect, a form_post). */
void qoc_api_note_error(struct qoc_http_req *req, const char *error);


/* The captured handlers of routes.c. */
qoc_http_handler_fn qoc_api_authorize_captured;      /* authorize */
qoc_http_handler_fn qoc_api_login_submit_captured;   /* authorize (completing) */
qoc_http_handler_fn qoc_api_consent_submit_captured; /* authorize (completing) */
qoc_http_handler_fn qoc_api_token_captured;          /* token */
qoc_http_handler_fn qoc_api_userinfo_captured;       /* userinfo */
qoc_http_handler_fn qoc_api_introspect_captured;     /* introspect */
qoc_http_handler_fn qoc_api_revoke_captured;         /* revoke */
qoc_http_handler_fn qoc_api_logout_captured;         /* logout */

#endif
