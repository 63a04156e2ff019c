/* logout.c - GET and POST /oauth2/logout: OpenID Connect RP-Initiated Logout 1.0.
 *
 *   - A valid id_token_hint (§2, §4; oidc/id_token_hint.h; expired ones are accepted, §4)
 *     whose sub is the account signed in here (or no one is signed in here):
 *     the browser's SSO session and the hint's sid end, the cookie is cleared; then a 303
 *     to post_logout_redirect_uri (with state, §3) ONLY when it is byte for byte one of the
 *     hinted application's logout URIs (oauth/logout.h), else the signed-out page.
 *   - No hint, one that does not verify, or one whose sub is another account than the
 *     one signed in here (nothing ends before the user confirms): the confirmation page (CSRF
 * purpose "logout", POSTing back here); confirmed, the session ends and the signed-out page shows.
 * Never a redirect (SECURITY.md "Logout redirects only to a registered post-logout URI, and only
 * with a valid id_token_hint"). A POST carrying a csrf field is the confirmation; any other request
 * is an RP's request. A parameter given twice counts as absent.
 */
#include <string.h>

#include "api/capture.h"
#include "api/handlers.h"
#include "api/web.h"
#include "login/csrf.h"
#include "oauth/response.h"
#include "oidc/id_token_hint.h"
#include "oauth/logout.h"

static const char *param(const struct qoc_form *form, const char *name)
{
	const char *v = NULL;
	return qoc_form_get(form, name, &v) == QOC_OK ? v : NULL;
}

static enum qoc_err signed_out_page(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const char *app_name)
{
	struct qoc_buf page;
	qoc_buf_init(&page, QOC_WEB_PAGE_MAX);
	enum qoc_err err = qoc_login_render_signed_out(&page, app_name);
	if (!err)
		err = qoc_web_send_page(resp, 200, &page);
	qoc_buf_release(&page);
	return err ? qoc_web_internal_error(req, resp, err) : QOC_OK;
}

static enum qoc_err confirm_page(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                 const struct qoc_api *api)
{
	struct qoc_web_browser b;
	char csrf[QOC_CSRF_TOKEN_LEN + 1];
	struct qoc_buf page;
	enum qoc_err err = qoc_web_browser(req, resp, api, true, &b);
	if (err || (err = qoc_csrf_token(api->csrf_key, b.id, QOC_CSRF_LOGOUT, csrf)))
		return qoc_web_internal_error(req, resp, err);
	struct qoc_login_logout in = {.csrf = csrf};
	qoc_buf_init(&page, QOC_WEB_PAGE_MAX);
	if (!(err = qoc_login_render_logout(&page, &in)))
		err = qoc_web_send_page(resp, 200, &page);
	qoc_buf_release(&page);
	return err;
}

/* The confirmation form came back. */
static enum qoc_err confirmed(struct qoc_http_req *req, struct qoc_http_resp *resp,
                              const struct qoc_api *api, const struct qoc_form *form)
{
	struct qoc_web_browser b;
	enum qoc_err err = qoc_web_browser(req, resp, api, false, &b);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	if (!b.id || !qoc_csrf_check(api->csrf_key, b.id, QOC_CSRF_LOGOUT, param(form, "csrf")))
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_EXPIRED, NULL, 0);
	if ((err = qoc_web_session_end(req, resp, api, NULL)))
		return qoc_web_internal_error(req, resp, err);
	return signed_out_page(req, resp, NULL);
}

/* uri + "?state=..." (or "&state=...") in out; §3 "state ... passed ... as a query
 * parameter". A URI with a fragment is refused (logout URIs never have one). */
static enum qoc_err logout_location(const char *uri, const char *state, struct qoc_buf *out)
{
	size_t len = strlen(uri);
	enum qoc_err err;
	if (strchr(uri, '#'))
		return QOC_EINVAL;
	if ((err = qoc_buf_append(out, uri, len)) || !state)
		return err;
	const char *q = strchr(uri, '?');
	const char *sep = !q ? "?" : (uri[len - 1] == '?' || uri[len - 1] == '&') ? "" : "&";
	if ((err = qoc_buf_append_cstr(out, sep)) || (err = qoc_buf_append_cstr(out, "state=")))
		return err;
	return qoc_oauth_percent_encode(state, strlen(state), out);
}

/* A verified hint: end the sessions, then redirect if allowed, else the signed-out page. */
static enum qoc_err hinted(struct qoc_http_req *req, struct qoc_http_resp *resp,
                           const struct qoc_api *api, const struct qoc_form *form,
                           const struct qoc_id_token_hint *h)
{
	struct qoc_app app;
	struct qoc_sso_session s;
	const char *uri = param(form, "post_logout_redirect_uri");
	qoc_api_note_client(req, h->client_id);
	qoc_api_note_account(req, h->sub);
	/* The hint names someone else than the account signed in here (a stale hint, or a
	 * page that holds another user's ID token): it proves nothing about this browser's
	 * session, so the user confirms, and no redirect follows (issue 13; RP-Initiated
	 * Logout 1.0 §4: such a request is suspect, and the OP may decline to act on it). */
	enum qoc_err err = qoc_web_session(req, api, &s, NULL);
	if (err && err != QOC_ENOTFOUND)
		return qoc_web_internal_error(req, resp, err);
	if (!err && strcmp(s.account_id, h->sub) != 0)
		return confirm_page(req, resp, api);
	err = qoc_web_session_end(req, resp, api, h->sid);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	err = qoc_store_client_get(api->store, req->arena, h->client_id, &app);
	if (err && err != QOC_ENOTFOUND)
		return qoc_web_internal_error(req, resp, err);
	if (err || !uri || qoc_logout_redirect_allowed(&app, h, uri) != QOC_OK)
		return signed_out_page(req, resp, err ? NULL : app.name);
	struct qoc_buf loc;
	qoc_buf_init(&loc, QOC_WEB_LOCATION_MAX);
	if (!(err = logout_location(uri, param(form, "state"), &loc)))
		err = qoc_http_resp_redirect(resp, 303, qoc_buf_cstr(&loc));
	qoc_buf_release(&loc);
	return err ? signed_out_page(req, resp, app.name) : QOC_OK;
}

enum qoc_err qoc_api_logout(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_form form;
	struct qoc_id_token_hint h;
	const char *csrf = NULL;
	enum qoc_err err = req->method == QOC_HTTP_POST ? qoc_http_form_body(req, &form)
	                                                : qoc_http_form_query(req, &form);
	if (err == QOC_ENOMEM)
		return err;
	if (err)
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_GENERIC,
		                          "The request could not be read.", 0);
	if (req->method == QOC_HTTP_POST && qoc_form_get(&form, "csrf", &csrf) != QOC_ENOTFOUND)
		return confirmed(req, resp, api, &form);
	const char *hint = param(&form, "id_token_hint");
	qoc_api_note_client(req, param(&form, "client_id"));
	if (hint && qoc_id_token_hint_verify(api->signer, api->cfg->issuer,
	                                     param(&form, "client_id"), hint, strlen(hint),
	                                     qoc_clock_now(api->clock), req->arena, &h) == QOC_OK)
		return hinted(req, resp, api, &form, &h);
	return confirm_page(req, resp, api);
}
