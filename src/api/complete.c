/* complete.c - the end of an authorization request: the response sent back through the
 * browser (RFC 6749 §4.1.2, §4.2.2 and their error forms; OAuth 2.0 Form Post Response
 * Mode; RFC 9207 iss on every response), and the code it carries.
 *
 * Redirects are 303 (SECURITY.md: never 307/308 after a credential POST; for a GET, 303
 * is as good as 302). form_post is an HTML page through qoc_web_send_page.
 */
#include <string.h>

#include "api/backchannel.h"
#include "api/capture.h"
#include "api/web.h"
#include "core/metrics.h"
#include "crypto/token.h"
#include "oauth/authz_flow.h"
#include "oauth/issue.h"
#include "oauth/last_used.h"
#include "oauth/oauth_error.h"
#include "oauth/response.h"

bool qoc_web_implicit_available(void)
{
	/* complete_implicit below mints through oauth/issue.c; each application still opts
	 * in with the "implicit" grant (the validator answers unauthorized_client). */
	return true;
}

static enum qoc_err send_form_post(struct qoc_http_resp *resp, const char *redirect_uri,
                                   const struct qoc_authz_response *r)
{
	struct qoc_authz_params p;
	struct qoc_login_field fields[QOC_AUTHZ_RESPONSE_MAX_PARAMS];
	struct qoc_buf page;
	enum qoc_err err = qoc_authz_response_params(r, &p);
	if (err)
		return err;
	for (size_t i = 0; i < p.count; i++)
		fields[i] = (struct qoc_login_field){p.name[i], p.value[i]};
	qoc_buf_init(&page, QOC_WEB_PAGE_MAX);
	if (!(err = qoc_login_render_form_post(&page, redirect_uri, fields, p.count)))
		err = qoc_web_send_page(resp, 200, &page);
	qoc_buf_release_secret(&page); /* holds the code or tokens */
	return err;
}

/* Sends r to redirect_uri in mode. */
static enum qoc_err send_response(struct qoc_http_resp *resp, const char *redirect_uri,
                                  enum qoc_response_mode mode, const struct qoc_authz_response *r)
{
	if (mode == QOC_RESPONSE_MODE_FORM_POST)
		return send_form_post(resp, redirect_uri, r);
	struct qoc_buf loc;
	qoc_buf_init(&loc, QOC_WEB_LOCATION_MAX);
	enum qoc_err err = qoc_authz_response_location(redirect_uri, mode, r, &loc);
	if (!err)
		err = qoc_http_resp_redirect(resp, 303, qoc_buf_cstr(&loc));
	if (!err)
		err = qoc_http_resp_header(resp, "Cache-Control", "no-store");
	qoc_buf_release_secret(&loc);
	return err;
}

enum qoc_err qoc_web_authz_error(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                 const struct qoc_api *api, const struct qoc_authz_request *r,
                                 const char *code, const char *description)
{
	struct qoc_authz_response out = {.state = r->state,
	                                 .iss = api->cfg->issuer,
	                                 .expires_in = -1,
	                                 .error = code,
	                                 .error_description = description};
	qoc_api_note_client(req, r->client_id);
	qoc_api_note_error(req, code);
	enum qoc_err err = send_response(resp, r->redirect_uri, r->response_mode, &out);
	/* Cannot happen with a validated request; never fall back to another URI. */
	return err && err != QOC_ENOMEM ? qoc_web_internal_error(req, resp, err) : err;
}

/* A store or crypto failure once the user is through: the client hears about it. */
static enum qoc_err fail_internal(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                  const struct qoc_api *api, const struct qoc_authz_request *r,
                                  enum qoc_err cause)
{
	struct qoc_oauth_error e = qoc_oauth_error_internal(cause);
	return qoc_web_authz_error(req, resp, api, r, e.code, e.description);
}

/* A new code for r and g, stored (as its hash) before it is sent; *code in the arena. */
static enum qoc_err issue_code(struct qoc_http_req *req, const struct qoc_api *api,
                               const struct qoc_authz_request *r, const struct qoc_web_grant *g,
                               const char **code)
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	char scope[QOC_SCOPE_MAX_BYTES + 1];
	struct qoc_buf cb, fb;
	int64_t now = qoc_clock_now(api->clock);
	qoc_buf_init(&cb, 128);
	qoc_buf_init(&fb, 64);
	enum qoc_err err;
	if ((err = qoc_token_new("qoc_ac_", 32, &cb)) || (err = qoc_token_new("", 16, &fb)) ||
	    (err = qoc_token_hash(qoc_buf_cstr(&cb), cb.len, hash)))
		goto out;
	qoc_scope_format(&r->scope, scope);
	struct qoc_auth_code c = {.code_hash = hash,
	                          .client_id = r->client_id,
	                          .account_id = g->account_id,
	                          .redirect_uri = r->redirect_uri,
	                          .scope = scope,
	                          .nonce = r->nonce,
	                          .code_challenge = r->code_challenge,
	                          .auth_time = g->auth_time,
	                          .sid = g->sid,
	                          .family_id = qoc_buf_cstr(&fb),
	                          .created_at = now,
	                          .expires_at = now + QOC_WEB_CODE_LIFETIME};
	if ((err = qoc_store_code_create(api->store, &c)))
		goto out;
	if (!(*code = qoc_arena_strdup(req->arena, qoc_buf_cstr(&cb))))
		err = QOC_ENOMEM;
out:
	qoc_buf_release_secret(&cb);
	qoc_buf_release(&fb);
	return err;
}

/* Implicit response types (RFC 6749 §4.2, OIDC Core §3.2), for applications with the
 * implicit grant (the validator checked it, and the nonce an ID token needs):
 *   token          access token (opaque and stored, or the app's JWT format), no refresh
 *                  token (RFC 6749 §4.2.2: MUST NOT);
 *   id_token       ID token with nonce and the scope's claims (OIDC Core §5.4), no access
 *                  token;
 *   id_token token both; the ID token carries at_hash (OIDC Core §3.2.2.10).
 * Tokens are stored before the ID token is signed (issue.h), as at the token endpoint. */
static enum qoc_err complete_implicit(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                      const struct qoc_api *api, const struct qoc_app *app,
                                      const struct qoc_authz_request *r,
                                      const struct qoc_web_grant *g)
{
	char scope[QOC_SCOPE_MAX_BYTES + 1];
	struct qoc_account acct;
	struct qoc_issued out;
	struct qoc_issue_ctx ctx = qoc_api_issue_ctx(api);
	enum qoc_err err = qoc_store_account_by_id(api->store, req->arena, g->account_id, &acct);
	if (err)
		return fail_internal(req, resp, api, r, err);
	qoc_scope_format(&r->scope, scope);
	bool want_at = r->response_type != QOC_RESPONSE_TYPE_ID_TOKEN;
	bool want_idt = r->response_type != QOC_RESPONSE_TYPE_TOKEN;
	struct qoc_issue_request ir = {
	    .app = app,
	    .account = &acct,
	    .scope = scope,
	    .sid = g->sid,
	    .auth_time = g->auth_time,
	    .nonce = r->nonce,
	    .want_refresh = false,
	    .want_id_token = want_idt,
	    .access_token = want_at,
	};
	if ((err = qoc_issue_prepare(&ctx, &ir, req->arena, &out)))
		return fail_internal(req, resp, api, r, err);
	if (out.record_count &&
	    (err = qoc_store_tokens_issue(api->store, out.records, out.record_count)))
		return fail_internal(req, resp, api, r, err);
	if (want_idt && (err = qoc_issue_id_token(&ctx, &ir, req->arena, &out)))
		return fail_internal(req, resp, api, r, err);
	if (want_at)
		qoc_metrics_token_issued(QOC_METRICS_GRANT_IMPLICIT, qoc_issue_jwt_format(app));
	(void)qoc_last_used_note(api->last_used, app->client_id, qoc_clock_now(api->clock));
	struct qoc_authz_response o = {.state = r->state,
	                               .iss = api->cfg->issuer,
	                               .id_token = out.id_token,
	                               .access_token = out.access_token,
	                               .token_type = want_at ? "Bearer" : NULL,
	                               .expires_in = want_at ? out.expires_in : -1,
	                               .scope = want_at ? out.scope : NULL};
	return send_response(resp, r->redirect_uri, r->response_mode, &o);
}

enum qoc_err qoc_web_authz_complete(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const struct qoc_api *api, const struct qoc_app *app,
                                    const struct qoc_authz_request *r,
                                    const struct qoc_web_grant *g)
{
	qoc_api_note_client(req, app->client_id);
	qoc_api_note_account(req, g->account_id);
	if (qoc_response_type_is_implicit(r->response_type))
		return complete_implicit(req, resp, api, app, r, g);
	const char *code = NULL;
	enum qoc_err err = issue_code(req, api, r, g, &code);
	if (err)
		return fail_internal(req, resp, api, r, err);
	/* Informative only: a failed write never fails the sign-in. */
	(void)qoc_last_used_note(api->last_used, app->client_id, qoc_clock_now(api->clock));
	struct qoc_authz_response out = {
	    .code = code, .state = r->state, .iss = api->cfg->issuer, .expires_in = -1};
	return send_response(resp, r->redirect_uri, r->response_mode, &out);
}

enum qoc_err qoc_web_authz_continue(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const struct qoc_api *api, const struct qoc_web_browser *b,
                                    struct qoc_web_pending *p, const struct qoc_web_grant *g)
{
	const char *granted = NULL;
	enum qoc_err err = qoc_store_consent_get(api->store, req->arena, g->account_id,
	                                         p->row.client_id, &granted);
	if (err && err != QOC_ENOTFOUND)
		return qoc_web_internal_error(req, resp, err);
	bool covered = qoc_authz_consent_covers(&p->req.scope, err ? NULL : granted, p->req.prompt,
	                                        qoc_authz_app_is_first_party(&p->app));
	if (qoc_authz_next_after_signin(covered) == QOC_AUTHZ_NEXT_CONSENT) {
		const char *url = qoc_web_handle_url(req->arena, QOC_LOGIN_PATH_CONSENT, p->handle);
		return url ? qoc_http_resp_redirect(resp, 303, url) : QOC_ENOMEM;
	}
	struct qoc_auth_request taken;
	err = qoc_store_authreq_take(api->store, req->arena, p->handle_hash, b->hash,
	                             qoc_clock_now(api->clock), &taken);
	if (err == QOC_ENOTFOUND) /* a parallel submit won */
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_EXPIRED, NULL, 0);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	return qoc_web_authz_complete(req, resp, api, &p->app, &p->req, g);
}
