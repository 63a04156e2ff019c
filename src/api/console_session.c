/* console_session.c - the console web app's sign-in through QOC Login and its cookie
 * session (console/signin.h has the flow and the decisions):
 *   GET  /console/login     start: the transaction cookie, then 303 to /oauth2/authorize
 *   GET  /console/callback  finish: check state, redeem the code in process, set the
 *                           session cookie, 303 to the page the user wanted
 *   GET  /console/session   who is signed in, and the CSRF token for API calls
 *   POST /console/logout    revoke the session, end the QOC Login SSO session (only with
 *                           a console session and its CSRF token; without a session:
 *                           303 to QOC Login's logout confirmation, nothing ended)
 * Every answer is no-store. Failures of the browser flow are QOC Login's error page
 * (plain words, a reference); the JSON route answers problems.
 */
#include <string.h>
#include <strings.h>

#include "api/backchannel.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "api/web.h"
#include "console/client.h"
#include "core/buf.h"
#include "crypto/ct.h"
#include "crypto/pkce.h"
#include "login/html.h"
#include "oauth/authz_flow.h"
#include "oauth/grant.h"
#include "oauth/introspect.h"
#include "oauth/last_used.h"

#define CONSOLE_SCOPE "openid profile email"
#define URL_MAX (8 * 1024)

/* The one value of cookie `name`, NULL when absent, repeated or unsafe. */
static const char *one_cookie(struct qoc_http_req *req, const char *name)
{
	const char *v = qoc_http_cookie(req, name);
	if (!v || !v[0] || !qoc_cookie_value_safe(v) || qoc_http_cookie_count(req, name) != 1)
		return NULL;
	return v;
}

static enum qoc_err set_cookie(struct qoc_http_resp *resp, const struct qoc_api *api,
                               const char *name, const char *value, int64_t max_age,
                               enum qoc_cookie_same_site same_site, const char *path)
{
	struct qoc_cookie_opts o = QOC_COOKIE_OPTS_DEFAULT;
	o.secure = api->secure_cookies;
	o.max_age = max_age;
	o.same_site = same_site;
	o.path = path;
	return qoc_http_resp_set_cookie(resp, name, value, &o);
}

static enum qoc_err clear_tx(struct qoc_http_resp *resp, const struct qoc_api *api)
{
	return set_cookie(resp, api, QOC_CONSOLE_TX_COOKIE, "", QOC_COOKIE_DELETE,
	                  QOC_COOKIE_SAMESITE_LAX, QOC_CONSOLE_CALLBACK_PATH);
}

/* Appends issuer + path. */
static enum qoc_err issuer_url(struct qoc_buf *b, const struct qoc_api *api, const char *path)
{
	enum qoc_err err = qoc_buf_append_cstr(b, api->cfg->issuer);
	return err ? err : qoc_buf_append_cstr(b, path);
}

/* Does the request's Host name the issuer's authority? Cookies are per host, so the
 * sign-in must start on the host the callback (a URL under the issuer) comes back to. */
static bool on_issuer_host(struct qoc_http_req *req, const struct qoc_api *api)
{
	const char *host = qoc_http_header(req, "Host");
	const char *iss = strstr(api->cfg->issuer, "://");
	if (!host || !iss)
		return false;
	iss += 3;
	size_t n = strcspn(iss, "/");
	return strlen(host) == n && strncasecmp(host, iss, n) == 0;
}

static enum qoc_err redirect_buf(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                 struct qoc_buf *b, enum qoc_err err)
{
	const char *url = err ? NULL : qoc_arena_strdup(req->arena, qoc_buf_cstr(b));
	qoc_buf_release(b);
	if (err)
		return err;
	return url ? qoc_http_resp_redirect(resp, 303, url) : QOC_ENOMEM;
}

/* 303 to the same sign-in on the issuer's host (once: `canon` stops a loop behind a proxy
 * that rewrites Host). */
static enum qoc_err to_issuer_host(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   const struct qoc_api *api, const char *next)
{
	struct qoc_buf b;
	qoc_buf_init(&b, URL_MAX);
	enum qoc_err err = issuer_url(&b, api, "/console/login?canon=1&next=");
	if (!err)
		err = qoc_html_url_component(&b, next);
	return redirect_buf(req, resp, &b, err);
}

enum qoc_err qoc_api_console_login(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_form form;
	const char *next = NULL, *canon = NULL;
	enum qoc_err err = qoc_api_no_store(resp);
	if (err || (err = qoc_http_form_query(req, &form)) == QOC_ENOMEM)
		return err;
	if (err || qoc_form_get(&form, "next", &next) != QOC_OK || !qoc_console_next_valid(next))
		next = QOC_CONSOLE_HOME;
	if (!on_issuer_host(req, api) && qoc_form_get(&form, "canon", &canon) != QOC_OK)
		return to_issuer_host(req, resp, api, next);

	struct qoc_buf b;
	char state[QOC_CSRF_TOKEN_LEN + 1], verifier[QOC_CSRF_TOKEN_LEN + 1];
	char challenge[QOC_PKCE_CHALLENGE_LEN + 1];
	const char *txid = NULL, *tx = NULL;
	qoc_buf_init(&b, 128);
	err = qoc_token_new("", 32, &b);
	if (!err && !(txid = qoc_arena_strdup(req->arena, qoc_buf_cstr(&b))))
		err = QOC_ENOMEM;
	qoc_buf_release_secret(&b);
	if (err || (err = qoc_console_tx_encode(req->arena, txid, next, &tx)) ||
	    (err = qoc_csrf_token(api->csrf_key, txid, QOC_CONSOLE_PURPOSE_STATE, state)) ||
	    (err = qoc_csrf_token(api->csrf_key, txid, QOC_CONSOLE_PURPOSE_PKCE, verifier)) ||
	    (err = qoc_pkce_s256(verifier, strlen(verifier), challenge)))
		return qoc_web_internal_error(req, resp, err);
	if ((err = set_cookie(resp, api, QOC_CONSOLE_TX_COOKIE, tx, QOC_CONSOLE_TX_LIFETIME,
	                      QOC_COOKIE_SAMESITE_LAX, QOC_CONSOLE_CALLBACK_PATH)))
		return err;

	qoc_buf_init(&b, URL_MAX);
	err = issuer_url(&b, api, "/oauth2/authorize?response_type=code&client_id=");
	if (!err)
		err = qoc_buf_append_cstr(&b, QOC_CONSOLE_CLIENT_ID
		                          "&scope=openid%20profile%20email"
		                          "&code_challenge_method=S256&code_challenge=");
	if (!err)
		err = qoc_buf_append_cstr(&b, challenge);
	if (!err)
		err = qoc_buf_append_cstr(&b, "&state=");
	if (!err)
		err = qoc_buf_append_cstr(&b, state);
	if (!err)
		err = qoc_buf_append_cstr(&b, "&redirect_uri=");
	if (!err)
		err = qoc_html_url_component(&b, api->cfg->issuer);
	if (!err)
		err = qoc_html_url_component(&b, QOC_CONSOLE_CALLBACK_PATH);
	return redirect_buf(req, resp, &b, err);
}

/* The callback could not finish: QOC Login's page, the transaction cookie gone. */
static enum qoc_err callback_failed(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const struct qoc_api *api, enum qoc_login_error_kind kind,
                                    const char *detail)
{
	enum qoc_err err = clear_tx(resp, api);
	return err ? err : qoc_web_error_page(req, resp, kind, detail, 0);
}

#define START_AGAIN "Open the console again to sign in."

/* Redeems code as the console (the token endpoint's own code exchange) and keeps the
 * access token as the session cookie. */
static enum qoc_err redeem(struct qoc_http_req *req, struct qoc_http_resp *resp,
                           struct qoc_api *api, const char *code, const char *verifier,
                           const char *next)
{
	struct qoc_app app;
	struct qoc_buf b;
	const char *redirect_uri = NULL;
	qoc_buf_init(&b, URL_MAX);
	enum qoc_err err = issuer_url(&b, api, QOC_CONSOLE_CALLBACK_PATH);
	if (!err && !(redirect_uri = qoc_arena_strdup(req->arena, qoc_buf_cstr(&b))))
		err = QOC_ENOMEM;
	qoc_buf_release(&b);
	if (err || (err = qoc_console_client_get(api->store, req->arena, &app)))
		return qoc_web_internal_error(req, resp, err);
	struct qoc_token_request tr = {.grant = QOC_GRANT_AUTHORIZATION_CODE,
	                               .code = code,
	                               .redirect_uri = redirect_uri,
	                               .code_verifier = verifier};
	struct qoc_issue_ctx ictx = qoc_api_issue_ctx(api);
	struct qoc_issued issued;
	struct qoc_oauth_error oe = {0};
	err = qoc_grant_code_exchange(&ictx, &app, &tr, req->arena, &issued, &oe);
	if (err == QOC_EINVAL)
		return callback_failed(
		    req, resp, api, QOC_LOGIN_ERR_EXPIRED,
		    "The sign-in code was already used or has expired. " START_AGAIN);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	if (!issued.access_token)
		return qoc_web_internal_error(req, resp, QOC_EDB);
	if ((err = clear_tx(resp, api)) ||
	    (err = set_cookie(resp, api, QOC_CONSOLE_SESSION_COOKIE, issued.access_token,
	                      issued.expires_in, QOC_COOKIE_SAMESITE_STRICT, "/")))
		return err;
	(void)qoc_last_used_note(api->last_used, QOC_CONSOLE_CLIENT_ID, qoc_clock_now(api->clock));
	return qoc_http_resp_redirect(resp, 303, next);
}

enum qoc_err qoc_api_console_callback(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                      void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_form form;
	const char *txid, *next, *state = NULL, *code = NULL, *iss = NULL, *error = NULL;
	char want_state[QOC_CSRF_TOKEN_LEN + 1], verifier[QOC_CSRF_TOKEN_LEN + 1];
	enum qoc_err err = qoc_api_no_store(resp);
	if (err || (err = qoc_http_form_query(req, &form)) == QOC_ENOMEM)
		return err;
	if (err)
		return callback_failed(req, resp, api, QOC_LOGIN_ERR_GENERIC,
		                       "The answer from QOC Login could not be read. " START_AGAIN);
	const char *tx = one_cookie(req, QOC_CONSOLE_TX_COOKIE);
	if (!tx || qoc_console_tx_decode(req->arena, tx, &txid, &next) != QOC_OK)
		return callback_failed(req, resp, api, QOC_LOGIN_ERR_EXPIRED,
		                       "This sign-in was not started in this browser, or it took "
		                       "too long. " START_AGAIN);
	if ((err = qoc_csrf_token(api->csrf_key, txid, QOC_CONSOLE_PURPOSE_STATE, want_state)) ||
	    (err = qoc_csrf_token(api->csrf_key, txid, QOC_CONSOLE_PURPOSE_PKCE, verifier)))
		return qoc_web_internal_error(req, resp, err);
	if (qoc_form_get(&form, "state", &state) != QOC_OK ||
	    !qoc_ct_equal(state, strlen(state), want_state, strlen(want_state)))
		return callback_failed(req, resp, api, QOC_LOGIN_ERR_EXPIRED,
		                       "This answer does not belong to the sign-in this browser "
		                       "started. " START_AGAIN);
	/* RFC 9207: the iss QOC Login sends must be ours. */
	if (qoc_form_get(&form, "iss", &iss) != QOC_OK || strcmp(iss, api->cfg->issuer) != 0)
		return callback_failed(req, resp, api, QOC_LOGIN_ERR_GENERIC,
		                       "The answer did not come from this server. " START_AGAIN);
	if (qoc_form_get(&form, "error", &error) == QOC_OK)
		return callback_failed(req, resp, api, QOC_LOGIN_ERR_GENERIC,
		                       strcmp(error, "access_denied") == 0
		                           ? "The sign-in was cancelled. " START_AGAIN
		                           : "QOC Login could not sign you in. " START_AGAIN);
	if (qoc_form_get(&form, "code", &code) != QOC_OK)
		return callback_failed(req, resp, api, QOC_LOGIN_ERR_GENERIC,
		                       "QOC Login sent no sign-in code. " START_AGAIN);
	return redeem(req, resp, api, code, verifier, next);
}

enum qoc_err qoc_console_session_find(struct qoc_http_req *req, struct qoc_api *api,
                                      struct qoc_console_session *out)
{
	memset(out, 0, sizeof(*out));
	const char *token = one_cookie(req, QOC_CONSOLE_SESSION_COOKIE);
	if (!token)
		return QOC_ENOTFOUND;
	struct qoc_introspect_ctx ictx = qoc_api_introspect_ctx(api);
	struct qoc_token_info info;
	enum qoc_err err = qoc_introspect_for_resource(
	    &ictx, token, strlen(token), qoc_clock_now(api->clock), req->arena, &info, NULL);
	if (err)
		return err;
	/* Only the console's own opaque access tokens are sessions: a token some other
	 * application got for the same user must not open the console. */
	if (info.jwt || info.kind != QOC_TOKEN_ACCESS || !info.account_id ||
	    strcmp(info.client_id, QOC_CONSOLE_CLIENT_ID) != 0)
		return QOC_ENOTFOUND;
	if ((err =
	         qoc_console_session_account(api->store, req->arena, info.account_id, &out->acct)))
		return err;
	if ((err = qoc_token_hash(token, strlen(token), out->token_hash)))
		return err;
	out->expires_at = info.exp;
	return qoc_csrf_token(api->csrf_key, out->token_hash, QOC_CONSOLE_PURPOSE_CSRF, out->csrf);
}

bool qoc_console_session_csrf_ok(const struct qoc_console_session *s, const char *presented)
{
	return presented && s->csrf[0] &&
	       qoc_ct_equal(presented, strlen(presented), s->csrf, strlen(s->csrf));
}

enum qoc_err qoc_api_console_session(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                     void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_session s;
	enum qoc_err err = qoc_api_no_store(resp);
	if (err)
		return err;
	err = qoc_console_session_find(req, api, &s);
	if (err == QOC_ENOTFOUND)
		return qoc_console_done(
		    qoc_console_problem(resp, 401, "not signed in to the console"));
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	json_t *body =
	    json_pack("{s:{s:s,s:s,s:s?,s:b},s:s,s:I}", "account", "id", s.acct.id, "email",
	              s.acct.email, "name", s.acct.name, "admin", s.acct.is_admin, "csrf_token",
	              s.csrf, "expires_at", (json_int_t)s.expires_at);
	return qoc_http_resp_json(resp, 200, body);
}

enum qoc_err qoc_api_console_logout(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_session s;
	struct qoc_form form;
	const char *csrf = qoc_http_header(req, QOC_CONSOLE_CSRF_HEADER);
	enum qoc_err err = qoc_api_no_store(resp);
	if (err || (err = qoc_http_form_body(req, &form)) == QOC_ENOMEM)
		return err;
	if (!csrf && !err)
		(void)qoc_form_get(&form, "csrf_token", &csrf);
	err = qoc_console_session_find(req, api, &s);
	if (err == QOC_ENOTFOUND) {
		/* No console session, so no CSRF token can be checked: a cross-site POST must not
		 * sign the user out of QOC Login (issue 13). Clear the console cookie and leave
		 * the SSO session to QOC Login's own confirmation page (/oauth2/logout). */
		if ((err = set_cookie(resp, api, QOC_CONSOLE_SESSION_COOKIE, "", QOC_COOKIE_DELETE,
		                      QOC_COOKIE_SAMESITE_STRICT, "/")))
			return err;
		return qoc_http_resp_redirect(resp, 303, "/oauth2/logout");
	}
	if (err)
		return qoc_web_internal_error(req, resp, err);
	/* Signing out is a state change: a page elsewhere must not sign the user out. */
	if (!qoc_console_session_csrf_ok(&s, csrf))
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_EXPIRED,
		                          "This sign-out form is out of date. Reload the "
		                          "console and sign out again.",
		                          0);
	int64_t now = qoc_clock_now(api->clock);
	err = qoc_console_session_revoke(api->store, s.token_hash, now);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	/* The QOC Login SSO session of this browser ends too: "sign out" means signed out. */
	if ((err = qoc_web_session_end(req, resp, api, NULL)))
		return err == QOC_ENOMEM ? err : qoc_web_internal_error(req, resp, err);
	if ((err = set_cookie(resp, api, QOC_CONSOLE_SESSION_COOKIE, "", QOC_COOKIE_DELETE,
	                      QOC_COOKIE_SAMESITE_STRICT, "/")))
		return err;
	return qoc_http_resp_redirect(resp, 303, "/console/login");
}
