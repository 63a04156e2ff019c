/* userinfo.c - GET/POST /oauth2/userinfo (OIDC Core §5.3; RFC 6750 §2, §3), and OPTIONS.
 *
 * The access token comes from `Authorization: Bearer` (§2.1) or from an `access_token`
 * field of a form body (§2.2), never both (invalid_request), and never from the query:
 * §2.3 is optional and leaks tokens into logs and Referer, so a query access_token is
 * refused (invalid_request) rather than ignored. The token must be a live access token
 * of an existing, active application (introspect.h) whose scope has openid.
 */
#include <string.h>
#include <strings.h>

#include "api/backchannel.h"
#include "api/capture.h"
#include "api/handlers.h"
#include "oauth/last_used.h"
#include "oidc/userinfo.h"

#define USERINFO_MAX (16u * 1024)

/* RFC 6750 §3: the challenge for an error code (NULL: a request without any token). */
static const char *challenge_for(const char *code)
{
	if (!code)
		return "Bearer";
	if (!strcmp(code, QOC_OAUTH_INVALID_REQUEST))
		return "Bearer error=\"invalid_request\"";
	if (!strcmp(code, QOC_OAUTH_INSUFFICIENT_SCOPE))
		return "Bearer error=\"insufficient_scope\", scope=\"openid\"";
	return "Bearer error=\"invalid_token\"";
}

/* Answers a refusal: error JSON + WWW-Authenticate; code NULL: 401 without error code
 * (§3.1: no authentication information at all). */
static enum qoc_err refuse(struct qoc_http_resp *resp, const char *code, const char *description)
{
	enum qoc_err err;
	if (!code) {
		err = qoc_http_resp_body(resp, 401, NULL, "", 0);
	} else {
		struct qoc_oauth_error oe = qoc_oauth_error_make(code, description);
		err = qoc_http_resp_json(resp, oe.status, qoc_oauth_error_json(&oe));
	}
	return err ? err : qoc_http_resp_header(resp, "WWW-Authenticate", challenge_for(code));
}

/* "Bearer <b64token>" (scheme case-insensitive, RFC 9110 §11.1). NULL: another scheme. */
static const char *bearer_of(const char *h)
{
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

static const char *no_token(const char **why, const char *description)
{
	*why = description;
	return NULL;
}

/* The token of the request, or a refusal in *code / *why (both NULL: no token at all). */
static const char *find_token(struct qoc_http_req *req, const char **code, const char **why)
{
	static const char *const names[] = {"access_token"};
	const char *hdr = qoc_http_header(req, "Authorization"), *field = NULL;
	*code = QOC_OAUTH_INVALID_REQUEST;
	*why = NULL;
	if (qoc_http_header_count(req, "Authorization") > 1)
		return no_token(why, "the Authorization header is given more than once");
	if (qoc_api_query_has(req, names, 1)) /* RFC 6750 §2.3: refused here */
		return no_token(why, "access tokens are not accepted in the query string");
	if (hdr && !bearer_of(hdr))
		return no_token(why, "the Authorization header must use the Bearer scheme");
	if (req->method == QOC_HTTP_POST &&
	    qoc_http_content_type_is(req, "application/x-www-form-urlencoded")) {
		struct qoc_form form;
		if (qoc_http_form_body(req, &form) != QOC_OK)
			return no_token(why, "the form body does not decode");
		enum qoc_err e = qoc_form_get(&form, "access_token", &field);
		if (e == QOC_ECONFLICT)
			return no_token(why, "access_token is given more than once");
	}
	if (hdr && field) /* RFC 6750 §2: one method only */
		return no_token(why, "send the access token in one place only");
	*code = NULL;
	return hdr ? bearer_of(hdr) : field;
}

/* The answer for a live token of an active application. */
static enum qoc_err answer(struct qoc_api *api, struct qoc_http_req *req,
                           struct qoc_http_resp *resp, const struct qoc_token_info *info)
{
	struct qoc_account acct;
	if (!qoc_userinfo_scope_has(info->scope, "openid")) /* OIDC Core §5.3 */
		return refuse(resp, QOC_OAUTH_INSUFFICIENT_SCOPE,
		              "the token was not granted openid");
	enum qoc_err err = QOC_ENOTFOUND;
	if (info->account_id)
		err = qoc_store_account_by_id(api->store, req->arena, info->account_id, &acct);
	if (err == QOC_ENOTFOUND)
		return refuse(resp, QOC_OAUTH_INVALID_TOKEN,
		              "the token's account no longer exists");
	if (err)
		return qoc_api_internal(resp, "userinfo.account", err);
	struct qoc_buf out;
	qoc_buf_init(&out, USERINFO_MAX);
	err = qoc_userinfo_json(info->scope, &acct, &out);
	if (!err)
		err = qoc_http_resp_body(resp, 200, "application/json", out.data, out.len);
	qoc_buf_release(&out);
	if (!err)
		(void)qoc_last_used_note(api->last_used, info->client_id,
		                         qoc_clock_now(api->clock));
	return err;
}

enum qoc_err qoc_api_userinfo(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_token_info info;
	struct qoc_app app;
	const char *code, *why;
	bool app_known = false;
	enum qoc_err err = qoc_api_no_store(resp);
	if (err)
		return err;
	if (req->method == QOC_HTTP_OPTIONS)
		return qoc_api_options(api, req, resp, "GET, POST");
	const char *token = find_token(req, &code, &why);
	if (!token) {
		err = refuse(resp, code, why);
		goto out;
	}
	struct qoc_introspect_ctx ictx = qoc_api_introspect_ctx(api);
	err = qoc_introspect_for_resource(&ictx, token, strlen(token), qoc_clock_now(api->clock),
	                                  req->arena, &info, &app);
	if (err == QOC_ENOTFOUND)
		err = refuse(resp, QOC_OAUTH_INVALID_TOKEN, "the access token is not active");
	else if (err)
		err = qoc_api_internal(resp, "userinfo.token", err);
	else if ((app_known = true)) {
		qoc_api_note_client(req, info.client_id);
		qoc_api_note_account(req, info.account_id);
		err = answer(api, req, resp, &info);
	}
out:
	if (err)
		return err;
	return qoc_api_cors(api, req, resp, app_known ? &app : NULL);
}
