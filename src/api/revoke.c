/* revoke.c - POST /oauth2/revoke (RFC 7009), and OPTIONS for CORS preflights.
 *
 * Client-authenticated; a client revokes only its own tokens. Unknown tokens and other
 * clients' tokens get 200 like revoked ones (§2.2). A refresh token takes its family
 * with it (§2.1, in the store). A store failure is 503 with Retry-After: nothing was
 * revoked, and the client must not believe otherwise (SECURITY.md "fails closed").
 * A JWT access token cannot be revoked on its own (it is not stored): for the caller's
 * own, valid JWT the answer is 400 unsupported_token_type (§2.2.1) rather than a 200 that
 * would claim a revocation that did not happen; revoking the refresh token still ends
 * the grant, and the JWT dies at its (short) expiry.
 */
#include <string.h>

#include "api/backchannel.h"
#include "api/handlers.h"
#include "core/log.h"
#include "oauth/last_used.h"

static enum qoc_err run(struct qoc_api *api, struct qoc_http_req *req, struct qoc_http_resp *resp,
                        const struct qoc_api_client *c)
{
	const char *token = NULL;
	int64_t now = qoc_clock_now(api->clock);
	if (qoc_form_get(&c->form, "token", &token) != QOC_OK) { /* RFC 7009 §2.1 */
		struct qoc_oauth_error oe = qoc_oauth_error_make(
		    QOC_OAUTH_INVALID_REQUEST, "the token parameter is missing or given twice");
		return qoc_api_oauth_error(resp, &oe, NULL);
	}
	/* token_type_hint is ignored (§2.1 allows it): the hash finds either kind. */
	struct qoc_introspect_ctx ictx = qoc_api_introspect_ctx(api);
	enum qoc_err err =
	    qoc_introspect_revoke(&ictx, &c->app, token, strlen(token), now, req->arena);
	if (err == QOC_EPERM) {
		struct qoc_oauth_error oe = qoc_oauth_error_make(
		    QOC_OAUTH_UNSUPPORTED_TOKEN_TYPE,
		    "JWT access tokens cannot be revoked; revoke the refresh token");
		return qoc_api_oauth_error(resp, &oe, NULL);
	}
	if (err) {
		struct qoc_oauth_error oe = qoc_oauth_error_make(
		    QOC_OAUTH_TEMPORARILY_UNAVAILABLE, "the token could not be revoked; retry");
		oe.status = 503;
		qoc_log_error("request failed", "what=revoke err=%s", qoc_strerror(err));
		return qoc_api_oauth_error(resp, &oe, NULL);
	}
	if ((err = qoc_http_resp_body(resp, 200, NULL, "", 0)))
		return err;
	(void)qoc_last_used_note(api->last_used, c->app.client_id, now);
	return QOC_OK;
}

enum qoc_err qoc_api_revoke(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_api_client c;
	enum qoc_err err = qoc_api_no_store(resp);
	if (err)
		return err;
	if (req->method == QOC_HTTP_OPTIONS)
		return qoc_api_options(api, req, resp, "POST");
	err = qoc_api_client_auth(api, req, resp, &c);
	if (err == QOC_OK)
		err = run(api, req, resp, &c);
	else if (err == QOC_EINVAL)
		err = QOC_OK;
	if (err)
		return err;
	return qoc_api_cors(api, req, resp, c.app_found ? &c.app : NULL);
}
