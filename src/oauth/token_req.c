/* token_req.c - token request validation. */
#include "oauth/token_req.h"

#include <string.h>

#include "oauth/app_rules.h"
#include "crypto/pkce.h"
#include "core/form.h"

enum param { ABSENT, ONE, TWICE };

static enum param get(const struct qoc_form *form, const char *name, const char **v)
{
	enum qoc_err e = qoc_form_get(form, name, v);
	return e == QOC_OK ? ONE : e == QOC_ECONFLICT ? TWICE : ABSENT;
}

const char *qoc_grant_name(enum qoc_grant g)
{
	static const char *const names[] = {"authorization_code", "refresh_token",
	                                    "client_credentials"};
	return (unsigned)g < 3 ? names[g] : "authorization_code";
}

static bool parse_grant(const char *v, enum qoc_grant *g)
{
	for (unsigned i = 0; i < 3; i++) {
		if (strcmp(v, qoc_grant_name((enum qoc_grant)i)) == 0) {
			*g = (enum qoc_grant)i;
			return true;
		}
	}
	return false;
}

static enum qoc_err invalid_request(struct qoc_oauth_error *err, const char *description)
{
	return qoc_oauth_fail(err, QOC_OAUTH_INVALID_REQUEST, description);
}

static enum qoc_err parse_scope(const struct qoc_form *form, struct qoc_token_request *out,
                                struct qoc_oauth_error *err)
{
	const char *v = NULL;
	qoc_scope_init(&out->scope);
	out->scope_given = get(form, "scope", &v) == ONE;
	if (out->scope_given && qoc_scope_parse(v, strlen(v), &out->scope) != QOC_OK)
		return qoc_oauth_fail(
		    err, QOC_OAUTH_INVALID_SCOPE,
		    "scope must be at most 32 space-separated tokens of printable "
		    "ASCII (1024 bytes)");
	return QOC_OK;
}

static enum qoc_err parse_code_grant(const struct qoc_form *form, struct qoc_token_request *out,
                                     struct qoc_oauth_error *err)
{
	if (get(form, "code", &out->code) != ONE) /* RFC 6749 §4.1.3 */
		return invalid_request(err, "the code parameter is missing");
	if (strlen(out->code) > QOC_TOKEN_REQ_TOKEN_MAX)
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_GRANT, "the code is not valid");
	(void)get(form, "redirect_uri", &out->redirect_uri);
	if (get(form, "code_verifier", &out->code_verifier) == ONE &&
	    !qoc_pkce_verifier_valid(out->code_verifier, strlen(out->code_verifier)))
		return invalid_request(err, "code_verifier must be 43 to 128 characters of "
		                            "A-Z a-z 0-9 - . _ ~ (RFC 7636)");
	return QOC_OK;
}

static enum qoc_err parse_refresh_grant(const struct qoc_form *form, struct qoc_token_request *out,
                                        struct qoc_oauth_error *err)
{
	if (get(form, "refresh_token", &out->refresh_token) != ONE) /* RFC 6749 §6 */
		return invalid_request(err, "the refresh_token parameter is missing");
	if (strlen(out->refresh_token) > QOC_TOKEN_REQ_TOKEN_MAX)
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_GRANT,
		                      "the refresh token is not valid");
	return parse_scope(form, out, err);
}

static enum qoc_err parse_client_credentials(const struct qoc_form *form, const struct qoc_app *app,
                                             struct qoc_token_request *out,
                                             struct qoc_oauth_error *err)
{
	/* RFC 6749 §4.4: confidential clients only */
	if (qoc_app_type_is_public(app->type))
		return qoc_oauth_fail(err, QOC_OAUTH_UNAUTHORIZED_CLIENT,
		                      "public clients may not use client_credentials");
	enum qoc_err e = parse_scope(form, out, err);
	if (e)
		return e;
	if (qoc_scope_contains(&out->scope, QOC_SCOPE_OPENID) ||
	    qoc_scope_contains(&out->scope, QOC_SCOPE_OFFLINE_ACCESS))
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_SCOPE,
		                      "openid and offline_access cannot be used with "
		                      "client_credentials");
	return QOC_OK;
}

enum qoc_err qoc_token_request_parse(const struct qoc_form *form, const struct qoc_app *app,
                                     struct qoc_token_request *out, struct qoc_oauth_error *err)
{
	const char *v = NULL;
	memset(out, 0, sizeof(*out));
	qoc_scope_init(&out->scope);
	if (qoc_form_has_duplicate(form, NULL)) /* SECURITY.md: any parameter given twice */
		return invalid_request(err, "a parameter is given more than once");
	if (get(form, "grant_type", &v) != ONE) /* RFC 6749 §5.2 */
		return invalid_request(err, "the grant_type parameter is missing");
	if (!parse_grant(v, &out->grant))
		return qoc_oauth_fail(err, QOC_OAUTH_UNSUPPORTED_GRANT_TYPE,
		                      "grant_type must be authorization_code, refresh_token or "
		                      "client_credentials");
	if (!qoc_app_allows_grant(app, qoc_grant_name(out->grant)))
		return qoc_oauth_fail(err, QOC_OAUTH_UNAUTHORIZED_CLIENT,
		                      "the application may not use this grant type");
	switch (out->grant) {
	case QOC_GRANT_AUTHORIZATION_CODE:
		return parse_code_grant(form, out, err);
	case QOC_GRANT_REFRESH_TOKEN:
		return parse_refresh_grant(form, out, err);
	case QOC_GRANT_CLIENT_CREDENTIALS:
		return parse_client_credentials(form, app, out, err);
	}
	return invalid_request(err, "the grant_type parameter is missing");
}

static enum qoc_err invalid_grant(struct qoc_oauth_error *err, const char *description)
{
	return qoc_oauth_fail(err, QOC_OAUTH_INVALID_GRANT, description);
}

static enum qoc_err check_pkce(const struct qoc_token_request *req,
                               const struct qoc_code_binding *code, const struct qoc_app *app,
                               struct qoc_oauth_error *err)
{
	const char *challenge = code->code_challenge;
	const char *verifier = req->code_verifier;
	if (challenge && !verifier) /* RFC 7636 §4.6 */
		return invalid_grant(err, "code_verifier is required for this code");
	if (!challenge && verifier) /* SECURITY.md: PKCE downgrade */
		return invalid_grant(err, "code_verifier is given but the code has no challenge");
	if (!challenge && (app->pkce_required || qoc_app_type_is_public(app->type)))
		return invalid_grant(err, "this application must use PKCE");
	if (challenge && !qoc_pkce_check(verifier, strlen(verifier), challenge, strlen(challenge)))
		return invalid_grant(err, "code_verifier does not match the code_challenge");
	return QOC_OK;
}

enum qoc_err qoc_token_code_check(const struct qoc_token_request *req,
                                  const struct qoc_code_binding *code, const struct qoc_app *app,
                                  int64_t now, struct qoc_oauth_error *err)
{
	if (req->grant != QOC_GRANT_AUTHORIZATION_CODE || !req->code)
		return invalid_request(err, "the code parameter is missing");
	/* RFC 6749 §4.1.3: the code was issued to the authenticated client */
	if (!code->client_id || !app->client_id || strcmp(code->client_id, app->client_id) != 0)
		return invalid_grant(err, "the code was not issued to this client");
	if (now >= code->expires_at)
		return invalid_grant(err, "the code has expired");
	/* RFC 6749 §4.1.3: identical to the authorization request's redirect_uri */
	if (code->redirect_uri_required && !req->redirect_uri)
		return invalid_grant(err, "redirect_uri is required for this code");
	if (req->redirect_uri &&
	    (!code->redirect_uri || strcmp(req->redirect_uri, code->redirect_uri) != 0))
		return invalid_grant(err, "redirect_uri differs from the authorization request's");
	return check_pkce(req, code, app, err);
}

enum qoc_err qoc_token_refresh_scope(const struct qoc_token_request *req,
                                     const struct qoc_scope *original, struct qoc_scope *granted,
                                     struct qoc_oauth_error *err)
{
	if (!req->scope_given) {
		*granted = *original;
		return QOC_OK;
	}
	if (!qoc_scope_is_subset(&req->scope, original)) /* RFC 6749 §6 */
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_SCOPE,
		                      "scope may only narrow the scope originally granted");
	*granted = req->scope;
	return QOC_OK;
}
