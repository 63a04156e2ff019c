/* consent.c - GET and POST /login/consent: "{app} wants to ..." with Allow and Deny.
 *
 * Both need a pending request of this browser that is signed in (authreq account set) AND
 * the browser's current SSO session belonging to that account: a consent page left open
 * after signing out, or after another person signed in on the same browser, is "expired".
 * POST takes the request atomically before anything is issued (store: authreq_take), so a
 * double-submitted form issues one code; the loser sees the "expired" page.
 */
#include <string.h>

#include "api/handlers.h"
#include "api/web.h"
#include "login/csrf.h"
#include "oauth/authz_flow.h"

/* The browser's SSO session, when it is the one the request was signed in with. */
static enum qoc_err signed_in_session(struct qoc_http_req *req, const struct qoc_api *api,
                                      const struct qoc_web_pending *p, struct qoc_sso_session *s)
{
	enum qoc_err err = qoc_web_session(req, api, s, NULL);
	if (err)
		return err;
	if (!p->row.account_id || strcmp(p->row.account_id, s->account_id) != 0)
		return QOC_ENOTFOUND;
	return QOC_OK;
}

static enum qoc_err expired_or_internal(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                        enum qoc_err err)
{
	if (err == QOC_ENOTFOUND)
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_EXPIRED, NULL, 0);
	return qoc_web_internal_error(req, resp, err);
}

/* The name of the team that registered app (issue 13: the consent page names it). The
 * owner is always a member of the application's team (store.h), so the owner's teams
 * hold it. NULL when it cannot be found (the page then does without). */
static const char *team_name(struct qoc_http_req *req, const struct qoc_api *api,
                             const struct qoc_app *app, enum qoc_err *err)
{
	struct qoc_team *teams;
	size_t n;
	*err = QOC_OK;
	if (!app->owner_id || !app->team_id)
		return NULL;
	*err = qoc_store_teams_of_account(api->store, req->arena, app->owner_id, &teams, &n);
	for (size_t i = 0; !*err && i < n; i++)
		if (strcmp(teams[i].id, app->team_id) == 0)
			return teams[i].name;
	return NULL;
}

enum qoc_err qoc_api_consent_page(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_web_browser b;
	struct qoc_web_pending p;
	struct qoc_sso_session s;
	struct qoc_account acct;
	char csrf[QOC_CSRF_TOKEN_LEN + 1];
	char scope[QOC_SCOPE_MAX_BYTES + 1];
	enum qoc_err err = QOC_OK;
	if (!qoc_web_form_start(req, resp, api, NULL, NULL, &b, &p, &err))
		return err;
	if ((err = signed_in_session(req, api, &p, &s)) ||
	    (err = qoc_store_account_by_id(api->store, req->arena, s.account_id, &acct)))
		return expired_or_internal(req, resp, err);
	if ((err = qoc_csrf_token(api->csrf_key, b.id, QOC_CSRF_CONSENT, csrf)))
		return qoc_web_internal_error(req, resp, err);
	qoc_scope_format(&p.req.scope, scope);
	const char *team = team_name(req, api, &p.app, &err);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	struct qoc_login_consent in = {.csrf = csrf,
	                               .team_name = team,
	                               .handle = p.handle,
	                               .app_name = p.app.name,
	                               .client_id = p.app.client_id,
	                               .app_has_icon = p.app.icon_type != NULL,
	                               .scope = scope,
	                               .account_name = acct.name,
	                               .account_email = acct.email};
	struct qoc_buf page;
	qoc_buf_init(&page, QOC_WEB_PAGE_MAX);
	if (!(err = qoc_login_render_consent(&page, &in)))
		err = qoc_web_send_page(resp, 200, &page);
	qoc_buf_release(&page);
	return err;
}

/* Allow: record the consent (the union with what was granted before) and complete. */
static enum qoc_err allow(struct qoc_http_req *req, struct qoc_http_resp *resp,
                          const struct qoc_api *api, const struct qoc_web_pending *p,
                          const struct qoc_web_grant *g)
{
	const char *granted = NULL;
	char scope[QOC_SCOPE_MAX_BYTES + 1];
	enum qoc_err err = qoc_store_consent_get(api->store, req->arena, g->account_id,
	                                         p->row.client_id, &granted);
	if (err && err != QOC_ENOTFOUND)
		return qoc_web_internal_error(req, resp, err);
	/* Too large a union keeps only this request's scope: consent is asked again later. */
	(void)qoc_authz_consent_union(err ? NULL : granted, &p->req.scope, scope);
	err = qoc_store_consent_put(api->store, g->account_id, p->row.client_id, scope,
	                            qoc_clock_now(api->clock));
	if (err)
		return qoc_web_internal_error(req, resp, err);
	return qoc_web_authz_complete(req, resp, api, &p->app, &p->req, g);
}

enum qoc_err qoc_api_consent_submit(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_web_browser b;
	struct qoc_web_pending p;
	struct qoc_sso_session s;
	struct qoc_auth_request taken;
	struct qoc_form form;
	const char *decision = NULL;
	enum qoc_err err = QOC_OK;
	if (!qoc_web_form_start(req, resp, api, QOC_CSRF_CONSENT, &form, &b, &p, &err))
		return err;
	if ((err = signed_in_session(req, api, &p, &s)))
		return expired_or_internal(req, resp, err);
	bool allowed =
	    qoc_form_get(&form, "decision", &decision) == QOC_OK && strcmp(decision, "allow") == 0;
	bool denied = decision && strcmp(decision, "deny") == 0;
	if (!allowed && !denied)
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_GENERIC, "Choose Allow or Deny.",
		                          0);
	/* One winner among double submits (store: authreq_take). */
	if ((err = qoc_store_authreq_take(api->store, req->arena, p.handle_hash, b.hash,
	                                  qoc_clock_now(api->clock), &taken)))
		return expired_or_internal(req, resp, err);
	if (denied) /* RFC 6749 §4.1.2.1 */
		return qoc_web_authz_error(req, resp, api, &p.req, QOC_OAUTH_ACCESS_DENIED,
		                           "the user denied the request");
	struct qoc_web_grant g = {
	    .account_id = taken.account_id, .auth_time = taken.auth_time, .sid = s.sid};
	return allow(req, resp, api, &p, &g);
}
