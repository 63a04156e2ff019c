/* token.c - POST /oauth2/token (RFC 6749 §3.2, §4.1.3, §4.4, §5, §6; OIDC Core §3.1.3),
 * and OPTIONS for CORS preflights.
 *
 * Decode (form body, client credentials) -> authenticate (backchannel.c) -> parse the
 * grant (token_req.h) -> run it (grant.h) -> encode. Every answer carries no-store; CORS
 * headers go only to an origin the client registered.
 */
#include <string.h>

#include "api/backchannel.h"
#include "api/capture.h"
#include "api/handlers.h"
#include "oauth/grant.h"
#include "oauth/last_used.h"
#include "oauth/token_req.h"

static enum qoc_err success(struct qoc_http_resp *resp, const struct qoc_issued *t)
{
	/* RFC 6749 §5.1; "s*" leaves a member out when its value is NULL. */
	json_t *body = json_pack(
	    "{s:s, s:s, s:I, s:s*, s:s*, s:s*}", "access_token", t->access_token, "token_type",
	    "Bearer", "expires_in", (json_int_t)t->expires_in, "refresh_token", t->refresh_token,
	    "id_token", t->id_token, "scope", t->scope && t->scope[0] ? t->scope : NULL);
	return qoc_http_resp_json(resp, 200, body);
}

static enum qoc_err not_allowed(struct qoc_http_resp *resp)
{
	enum qoc_err err = qoc_http_resp_problem(resp, 405, NULL, "use POST");
	return err ? err : qoc_http_resp_header(resp, "Allow", "POST, OPTIONS");
}

/* Parses and runs the grant of an authenticated client. */
static enum qoc_err run(struct qoc_api *api, struct qoc_http_req *req, struct qoc_http_resp *resp,
                        const struct qoc_api_client *c)
{
	struct qoc_token_request tr;
	struct qoc_oauth_error oe = {0};
	struct qoc_issued issued;
	enum qoc_err err = qoc_token_request_parse(&c->form, &c->app, &tr, &oe);
	if (err)
		return qoc_api_oauth_error(resp, &oe, NULL);
	struct qoc_issue_ctx ictx = qoc_api_issue_ctx(api);
	err = qoc_grant_run(&ictx, &c->app, &tr, req->arena, &issued, &oe);
	if (err == QOC_EINVAL)
		return qoc_api_oauth_error(resp, &oe, qoc_client_auth_challenge(&c->creds, &oe));
	if (err)
		return qoc_api_internal(resp, qoc_grant_name(tr.grant), err);
	if (issued.record_count > 0)
		qoc_api_note_account(req, issued.records[0].account_id);
	if ((err = success(resp, &issued)))
		return err;
	(void)qoc_last_used_note(api->last_used, c->app.client_id, qoc_clock_now(api->clock));
	return QOC_OK;
}

enum qoc_err qoc_api_token(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_api_client c;
	enum qoc_err err = qoc_api_no_store(resp);
	if (err)
		return err;
	if (req->method == QOC_HTTP_OPTIONS)
		return qoc_api_options(api, req, resp, "POST");
	if (req->method != QOC_HTTP_POST) /* RFC 6749 §3.2: POST only */
		return not_allowed(resp);
	err = qoc_api_client_auth(api, req, resp, &c);
	if (err == QOC_OK)
		err = run(api, req, resp, &c);
	else if (err == QOC_EINVAL)
		err = QOC_OK; /* refused: resp holds the answer */
	if (err)
		return err;
	return qoc_api_cors(api, req, resp, c.app_found ? &c.app : NULL);
}
