/* authorize.c - GET and POST /oauth2/authorize (RFC 6749 §3.1, §4.1.1, §4.2.1; OIDC Core
 * §3.1.2).
 *
 * Decode (query or form body) -> oauth/authorize.c validates (client_id, redirect_uri,
 * state, then the rest) -> oauth/authz_flow.c decides from the SSO session and the consent
 * on record -> one of: the error page (never a redirect: SECURITY.md "An invalid client or
 * redirect URI shows an error page and never redirects"), an error sent to the client, the
 * response at once, or a pending request and a 303 to the sign-in or consent page.
 */
#include <string.h>

#include "api/capture.h"
#include "api/handlers.h"
#include "api/web.h"
#include "oauth/authz_flow.h"
#include "oidc/id_token_hint.h"

/* The page for a request that cannot be redirected. */
static enum qoc_err show_error(struct qoc_http_req *req, struct qoc_http_resp *resp,
                               const struct qoc_app *app, const struct qoc_form *form,
                               const struct qoc_oauth_error *e)
{
	enum qoc_login_error_kind kind = QOC_LOGIN_ERR_REDIRECT_URI;
	const char *state = NULL;
	qoc_api_note_error(req, e->code);
	if (!app)
		kind = QOC_LOGIN_ERR_UNKNOWN_APP;
	else if (strcmp(e->code, QOC_OAUTH_INVALID_CLIENT) == 0)
		kind = QOC_LOGIN_ERR_APP_UNAVAILABLE;
	else if (qoc_form_get(form, "state", &state) != QOC_ENOTFOUND &&
	         (!state || strlen(state) > QOC_AUTHZ_STATE_MAX))
		kind = QOC_LOGIN_ERR_GENERIC; /* a state that cannot be echoed */
	return qoc_web_error_page(req, resp, kind, e->description, 0);
}

/* The subject of a verifying id_token_hint, NULL when it does not verify (or is absent). */
static const char *hint_subject(struct qoc_http_req *req, const struct qoc_api *api,
                                const struct qoc_authz_request *r, int64_t now)
{
	struct qoc_id_token_hint h;
	if (!r->id_token_hint)
		return NULL;
	enum qoc_err err =
	    qoc_id_token_hint_verify(api->signer, api->cfg->issuer, r->client_id, r->id_token_hint,
	                             strlen(r->id_token_hint), now, req->arena, &h);
	return err ? NULL : h.sub;
}

/* Stores the request and sends the browser to path (sign-in or consent). */
static enum qoc_err park(struct qoc_http_req *req, struct qoc_http_resp *resp,
                         const struct qoc_api *api, const struct qoc_web_browser *b,
                         const struct qoc_authz_request *r, const struct qoc_sso_session *s,
                         const char *path)
{
	const char *handle = NULL;
	enum qoc_err err = qoc_web_pending_create(req, api, b, r, s ? s->account_id : NULL,
	                                          s ? s->auth_time : 0, &handle);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	const char *url = qoc_web_handle_url(req->arena, path, handle);
	return url ? qoc_http_resp_redirect(resp, 303, url) : QOC_ENOMEM;
}

/* Does the consent on record cover r for account_id? */
static enum qoc_err consent_covers(struct qoc_http_req *req, const struct qoc_api *api,
                                   const struct qoc_app *app, const struct qoc_authz_request *r,
                                   const char *account_id, bool *covered)
{
	const char *granted = NULL;
	enum qoc_err err =
	    qoc_store_consent_get(api->store, req->arena, account_id, r->client_id, &granted);
	if (err && err != QOC_ENOTFOUND)
		return err;
	*covered = qoc_authz_consent_covers(&r->scope, err ? NULL : granted, r->prompt,
	                                    qoc_authz_app_is_first_party(app));
	return QOC_OK;
}

/* A valid request: what now, given this browser's session and consent. */
static enum qoc_err decide(struct qoc_http_req *req, struct qoc_http_resp *resp,
                           const struct qoc_api *api, const struct qoc_app *app,
                           const struct qoc_authz_request *r)
{
	struct qoc_web_browser b;
	struct qoc_sso_session s;
	int64_t now = qoc_clock_now(api->clock);
	bool covered = false;
	enum qoc_err err = qoc_web_browser(req, resp, api, true, &b);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	err = qoc_web_session(req, api, &s, NULL);
	if (err && err != QOC_ENOTFOUND)
		return qoc_web_internal_error(req, resp, err);
	struct qoc_authz_session_facts facts = {.has_session = err == QOC_OK,
	                                        .account_id = err ? NULL : s.account_id,
	                                        .auth_time = err ? 0 : s.auth_time,
	                                        .hint_given = r->id_token_hint != NULL,
	                                        .hint_sub = hint_subject(req, api, r, now)};
	bool usable = qoc_authz_session_usable(&facts, r->prompt, r->max_age, now);
	if (usable && (err = consent_covers(req, api, app, r, s.account_id, &covered)))
		return qoc_web_internal_error(req, resp, err);
	switch (qoc_authz_next_step(r->prompt, usable, covered)) {
	case QOC_AUTHZ_NEXT_LOGIN_REQUIRED: /* OIDC Core §3.1.2.6 */
		return qoc_web_authz_error(req, resp, api, r, QOC_OAUTH_LOGIN_REQUIRED,
		                           "the user is not signed in");
	case QOC_AUTHZ_NEXT_CONSENT_REQUIRED:
		return qoc_web_authz_error(req, resp, api, r, QOC_OAUTH_CONSENT_REQUIRED,
		                           "the user has not approved this request");
	case QOC_AUTHZ_NEXT_SIGNIN:
		return park(req, resp, api, &b, r, NULL, QOC_LOGIN_PATH_SIGNIN);
	case QOC_AUTHZ_NEXT_CONSENT:
		return park(req, resp, api, &b, r, &s, QOC_LOGIN_PATH_CONSENT);
	case QOC_AUTHZ_NEXT_COMPLETE:
		break;
	}
	struct qoc_web_grant g = {
	    .account_id = s.account_id, .auth_time = s.auth_time, .sid = s.sid};
	return qoc_web_authz_complete(req, resp, api, app, r, &g);
}

enum qoc_err qoc_api_authorize(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_form form;
	struct qoc_app app_row;
	const struct qoc_app *app = NULL;
	enum qoc_err err = req->method == QOC_HTTP_POST ? qoc_http_form_body(req, &form)
	                                                : qoc_http_form_query(req, &form);
	if (err == QOC_ENOMEM)
		return err;
	if (err)
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_GENERIC,
		                          "The request could not be read.", 0);
	const char *client_id = qoc_authz_client_id(&form);
	qoc_api_note_client(req, client_id);
	if (client_id) {
		err = qoc_store_client_get(api->store, req->arena, client_id, &app_row);
		if (err && err != QOC_ENOTFOUND)
			return qoc_web_internal_error(req, resp, err);
		app = err ? NULL : &app_row;
	}
	struct qoc_authz_policy policy = api->authz_policy;
	policy.implicit = policy.implicit && qoc_web_implicit_available();
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	switch (qoc_authz_validate(&form, app, &policy, &r, &e)) {
	case QOC_AUTHZ_SHOW:
		return show_error(req, resp, app, &form, &e);
	case QOC_AUTHZ_REDIRECT:
		return qoc_web_authz_error(req, resp, api, &r, e.code, e.description);
	case QOC_AUTHZ_VALID:
		break;
	}
	return decide(req, resp, api, app, &r);
}
