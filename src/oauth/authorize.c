/* authorize.c - authorization request validation.
 *
 * qoc_authz_validate runs the checks in the order SECURITY.md fixes: the first two decide
 * whether there is anywhere safe to send an error at all, so until they pass every error is
 * shown, never redirected. Each check sets *err and returns false; descriptions are static.
 */
#include "oauth/authorize.h"

#include <string.h>

#include "oauth/app_rules.h"
#include "crypto/pkce.h"
#include "core/form.h"
#include "core/json.h"
#include "oauth/redirect_uri.h"

enum param { ABSENT, ONE, TWICE };

/* The parameter's single non-empty value (ONE), or ABSENT / TWICE (*v NULL). */
static enum param get(const struct qoc_form *form, const char *name, const char **v)
{
	enum qoc_err e = qoc_form_get(form, name, v);
	return e == QOC_OK ? ONE : e == QOC_ECONFLICT ? TWICE : ABSENT;
}

static bool fail(struct qoc_oauth_error *err, const char *code, const char *description)
{
	qoc_oauth_fail(err, code, description);
	return false;
}

/* An error for the page: 400 whatever the code (it is HTML, not a token endpoint answer). */
static bool show(struct qoc_oauth_error *err, const char *code, const char *description)
{
	qoc_oauth_fail(err, code, description);
	err->status = 400;
	return false;
}

const char *qoc_authz_client_id(const struct qoc_form *form)
{
	const char *v = NULL;
	return get(form, "client_id", &v) == ONE ? v : NULL;
}

/* ---- client_id and redirect_uri: errors are shown ------------------------------------ */

static bool check_client(const struct qoc_form *form, const struct qoc_app *app,
                         struct qoc_authz_request *out, struct qoc_oauth_error *err)
{
	const char *id = NULL;
	switch (get(form, "client_id", &id)) {
	case ABSENT: /* RFC 6749 §4.1.2.1: never redirect without a valid client */
		return show(err, QOC_OAUTH_INVALID_REQUEST, "the client_id parameter is missing");
	case TWICE:
		return show(err, QOC_OAUTH_INVALID_REQUEST, "client_id is given more than once");
	case ONE:
		break;
	}
	if (!app || !app->client_id || strcmp(app->client_id, id) != 0)
		return show(err, QOC_OAUTH_INVALID_CLIENT, "no application has this client_id");
	if (!app->status || strcmp(app->status, "active") != 0)
		return show(err, QOC_OAUTH_INVALID_CLIENT, "the application is not active");
	out->client_id = id;
	return true;
}

/* An OpenID request, as far as picking the redirect URI list goes: one scope parameter
 * that parses and contains openid. A malformed scope fails later, as invalid_scope. */
static bool scope_has_openid(const struct qoc_form *form)
{
	const char *v = NULL;
	struct qoc_scope s;
	return get(form, "scope", &v) == ONE && qoc_scope_parse(v, strlen(v), &s) == QOC_OK &&
	       qoc_scope_contains(&s, QOC_SCOPE_OPENID);
}

static bool in_list(const struct qoc_str_list *list, const char *uri)
{
	for (size_t i = 0; i < list->count; i++)
		if (qoc_redirect_uri_matches(qoc_str_from(list->items[i]), qoc_str_from(uri)))
			return true;
	return false;
}

static enum qoc_redirect_kind redirect_kind(const char *type)
{
	if (type && strcmp(type, "mobile") == 0)
		return QOC_REDIRECT_MOBILE;
	if (type && strcmp(type, "spa") == 0)
		return QOC_REDIRECT_SPA;
	if (type && strcmp(type, "service") == 0)
		return QOC_REDIRECT_SERVICE;
	return QOC_REDIRECT_WEB;
}

/* RFC 6749 §3.1.2.3: without the parameter, the one registered URI (no wildcard). */
static bool default_redirect(const struct qoc_app *app, bool openid, struct qoc_authz_request *out,
                             struct qoc_oauth_error *err)
{
	if (openid) /* OIDC Core §3.1.2.1: redirect_uri REQUIRED */
		return show(err, QOC_OAUTH_INVALID_REQUEST,
		            "redirect_uri is required in OpenID Connect requests");
	if (app->redirect_uris.count != 1)
		return show(err, QOC_OAUTH_INVALID_REQUEST,
		            "redirect_uri is required: the application does not have exactly one "
		            "registered redirect URI");
	const char *only = app->redirect_uris.items[0];
	if (strchr(only, '*') ||
	    qoc_redirect_uri_validate(qoc_str_from(only), redirect_kind(app->type), NULL) != QOC_OK)
		return show(err, QOC_OAUTH_INVALID_REQUEST,
		            "redirect_uri is required: the registered redirect URI is a pattern");
	out->redirect_uri = only;
	out->redirect_uri_given = false;
	return true;
}

static bool check_redirect(const struct qoc_form *form, const struct qoc_app *app,
                           struct qoc_authz_request *out, struct qoc_oauth_error *err)
{
	const char *uri = NULL;
	bool openid = scope_has_openid(form);
	switch (get(form, "redirect_uri", &uri)) {
	case ABSENT:
		return default_redirect(app, openid, out, err);
	case TWICE:
		return show(err, QOC_OAUTH_INVALID_REQUEST, "redirect_uri is given more than once");
	case ONE:
		break;
	}
	/* Issue 3: SSO redirect URIs serve OpenID requests only. */
	if (!in_list(&app->redirect_uris, uri) &&
	    !(openid && in_list(&app->sso_redirect_uris, uri)))
		return show(err, QOC_OAUTH_INVALID_REQUEST,
		            "redirect_uri is not registered for this application");
	out->redirect_uri = uri;
	out->redirect_uri_given = true;
	return true;
}

/* state must come back byte-exact in the error response too, so a state that cannot is a
 * reason not to redirect at all. */
static bool check_state(const struct qoc_form *form, struct qoc_authz_request *out,
                        struct qoc_oauth_error *err)
{
	const char *state = NULL;
	enum param p = get(form, "state", &state);
	if (p == TWICE)
		return show(err, QOC_OAUTH_INVALID_REQUEST, "state is given more than once");
	if (p == ONE && strlen(state) > QOC_AUTHZ_STATE_MAX)
		return show(err, QOC_OAUTH_INVALID_REQUEST, "state is longer than 1024 bytes");
	out->state = state;
	return true;
}

/* ---- response_type and response_mode ------------------------------------------------- */

const char *qoc_response_type_name(enum qoc_response_type rt)
{
	static const char *const names[] = {"code", "token", "id_token", "id_token token"};
	return (unsigned)rt < 4 ? names[rt] : "code";
}

bool qoc_response_type_is_implicit(enum qoc_response_type rt)
{
	return rt != QOC_RESPONSE_TYPE_CODE;
}

/* A space-separated set (order free, Multiple Response Type Encoding Practices §3) of
 * code, token, id_token; only the four supported combinations are recognised. */
static bool parse_response_type(const char *v, enum qoc_response_type *rt)
{
	unsigned seen = 0, bit;
	size_t start = 0, len = strlen(v);
	for (size_t i = 0; i <= len; i++) {
		if (i < len && v[i] != ' ')
			continue;
		size_t n = i - start;
		const char *t = v + start;
		if (n == 4 && memcmp(t, "code", 4) == 0)
			bit = 1;
		else if (n == 5 && memcmp(t, "token", 5) == 0)
			bit = 2;
		else if (n == 8 && memcmp(t, "id_token", 8) == 0)
			bit = 4;
		else
			return false;
		if (seen & bit)
			return false;
		seen |= bit;
		start = i + 1;
	}
	static const int map[8] = {-1,
	                           QOC_RESPONSE_TYPE_CODE,
	                           QOC_RESPONSE_TYPE_TOKEN,
	                           -1,
	                           QOC_RESPONSE_TYPE_ID_TOKEN,
	                           -1,
	                           QOC_RESPONSE_TYPE_ID_TOKEN_TOKEN,
	                           -1};
	if (map[seen] < 0)
		return false;
	*rt = (enum qoc_response_type)map[seen];
	return true;
}

static bool parse_response_mode(const char *v, enum qoc_response_mode *mode)
{
	if (strcmp(v, "query") == 0)
		*mode = QOC_RESPONSE_MODE_QUERY;
	else if (strcmp(v, "fragment") == 0)
		*mode = QOC_RESPONSE_MODE_FRAGMENT;
	else if (strcmp(v, "form_post") == 0)
		*mode = QOC_RESPONSE_MODE_FORM_POST;
	else
		return false;
	return true;
}

/* Is the requested mode usable for rt? Tokens never travel in a query (Multiple Response
 * Type Encoding Practices §2.1, RFC 9700 §2.1.2). */
static bool mode_allowed(enum qoc_response_mode mode, enum qoc_response_type rt,
                         const struct qoc_authz_policy *policy)
{
	if (mode == QOC_RESPONSE_MODE_FORM_POST)
		return policy->form_post;
	if (mode == QOC_RESPONSE_MODE_QUERY)
		return !qoc_response_type_is_implicit(rt);
	return true;
}

/* Where errors go before response_type and response_mode are validated: the requested mode
 * when it is usable, else the default of the response type, else query (RFC 6749
 * §4.1.2.1). */
static void pick_error_mode(const struct qoc_form *form, const struct qoc_authz_policy *policy,
                            struct qoc_authz_request *out)
{
	const char *v = NULL;
	enum qoc_response_type rt = QOC_RESPONSE_TYPE_CODE;
	enum qoc_response_mode mode;
	if (get(form, "response_type", &v) == ONE)
		(void)parse_response_type(v, &rt);
	out->response_mode = qoc_response_type_is_implicit(rt) ? QOC_RESPONSE_MODE_FRAGMENT
	                                                       : QOC_RESPONSE_MODE_QUERY;
	if (get(form, "response_mode", &v) == ONE && parse_response_mode(v, &mode) &&
	    mode_allowed(mode, rt, policy))
		out->response_mode = mode;
}

static bool check_response_type(const struct qoc_form *form, const struct qoc_app *app,
                                const struct qoc_authz_policy *policy,
                                struct qoc_authz_request *out, struct qoc_oauth_error *err)
{
	const char *v = NULL;
	if (get(form, "response_type", &v) != ONE) /* RFC 6749 §4.1.1: REQUIRED */
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "the response_type parameter is missing");
	if (!parse_response_type(v, &out->response_type))
		return fail(err, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
		            "response_type must be code, token, id_token or id_token token");
	bool implicit = qoc_response_type_is_implicit(out->response_type);
	if (implicit && !policy->implicit)
		return fail(err, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
		            "this server does not offer the implicit flow");
	if (!qoc_app_allows_grant(app, implicit ? "implicit" : "authorization_code"))
		return fail(err, QOC_OAUTH_UNAUTHORIZED_CLIENT,
		            implicit ? "the application may not use the implicit flow"
		                     : "the application may not use the authorization code flow");
	out->response_mode = implicit ? QOC_RESPONSE_MODE_FRAGMENT : QOC_RESPONSE_MODE_QUERY;
	if (get(form, "response_mode", &v) == ABSENT)
		return true;
	enum qoc_response_mode mode;
	if (!parse_response_mode(v, &mode))
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "response_mode must be query, fragment or form_post");
	if (!mode_allowed(mode, out->response_type, policy))
		return fail(
		    err, QOC_OAUTH_INVALID_REQUEST,
		    mode == QOC_RESPONSE_MODE_QUERY
		        ? "tokens are never returned in the query: use fragment or form_post"
		        : "this server does not offer response_mode form_post");
	out->response_mode = mode;
	return true;
}

/* ---- scope, nonce, PKCE ---------------------------------------------------------------- */

static bool check_scope(const struct qoc_form *form, const struct qoc_app *app,
                        const struct qoc_authz_policy *policy, struct qoc_authz_request *out,
                        struct qoc_oauth_error *err)
{
	const char *v = NULL;
	qoc_scope_init(&out->scope);
	if (get(form, "scope", &v) == ONE && qoc_scope_parse(v, strlen(v), &out->scope) != QOC_OK)
		return fail(err, QOC_OAUTH_INVALID_SCOPE,
		            "scope must be at most 32 space-separated tokens of printable ASCII "
		            "(1024 bytes)");
	if (policy->scopes_supported && !qoc_scope_is_subset(&out->scope, policy->scopes_supported))
		return fail(err, QOC_OAUTH_INVALID_SCOPE,
		            "scope holds a value this server does not "
		            "offer");
	out->openid = qoc_scope_contains(&out->scope, QOC_SCOPE_OPENID);
	/* OIDC Core §11: ignored unless a code is returned; QOC also needs openid and the
	 * refresh_token grant for it to mean anything. */
	if (out->response_type != QOC_RESPONSE_TYPE_CODE || !out->openid ||
	    !qoc_app_allows_grant(app, "refresh_token"))
		qoc_scope_remove(&out->scope, QOC_SCOPE_OFFLINE_ACCESS);
	out->offline_access = qoc_scope_contains(&out->scope, QOC_SCOPE_OFFLINE_ACCESS);
	bool id_token = out->response_type == QOC_RESPONSE_TYPE_ID_TOKEN ||
	                out->response_type == QOC_RESPONSE_TYPE_ID_TOKEN_TOKEN;
	if (id_token && !out->openid) /* OIDC Core §3.2.2.1: an ID token needs openid */
		return fail(err, QOC_OAUTH_INVALID_SCOPE,
		            "response types with id_token need the openid scope");
	if (get(form, "nonce", &out->nonce) == ONE && strlen(out->nonce) > QOC_AUTHZ_NONCE_MAX)
		return fail(err, QOC_OAUTH_INVALID_REQUEST, "nonce is longer than 1024 bytes");
	if (id_token && !out->nonce) /* OIDC Core §3.2.2.1: nonce REQUIRED */
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "nonce is required with response types that return an ID token");
	return true;
}

/* RFC 7636 §4.3 and §4.4.1; SECURITY.md "PKCE". */
static bool check_pkce(const struct qoc_form *form, const struct qoc_app *app,
                       struct qoc_authz_request *out, struct qoc_oauth_error *err)
{
	const char *challenge = NULL, *method = NULL;
	bool has_challenge = get(form, "code_challenge", &challenge) == ONE;
	bool has_method = get(form, "code_challenge_method", &method) == ONE;
	if (out->response_type != QOC_RESPONSE_TYPE_CODE)
		return true; /* no code, nothing to bind: ignored */
	if (has_method && strcmp(method, "S256") != 0)
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "code_challenge_method must be S256 (plain is not supported)");
	if (has_method && !has_challenge)
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "code_challenge_method is given without a code_challenge");
	if (has_challenge && !has_method)
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "code_challenge_method=S256 is required with a code_challenge");
	if (has_challenge && !qoc_pkce_challenge_valid(challenge, strlen(challenge)))
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "code_challenge must be 43 base64url characters (S256)");
	if (!has_challenge && (app->pkce_required || qoc_app_type_is_public(app->type)))
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "this application must use PKCE: code_challenge is required");
	out->code_challenge = challenge;
	return true;
}

/* ---- prompt, max_age, display, hints ------------------------------------------------- */

static bool parse_prompt(const char *v, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} values[] = {{"none", QOC_PROMPT_NONE},
	              {"login", QOC_PROMPT_LOGIN},
	              {"consent", QOC_PROMPT_CONSENT},
	              {"select_account", QOC_PROMPT_SELECT_ACCOUNT}};
	size_t start = 0, len = strlen(v);
	*out = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && v[i] != ' ')
			continue;
		size_t k = 0, n = i - start;
		for (; k < sizeof(values) / sizeof(values[0]); k++)
			if (strlen(values[k].name) == n &&
			    memcmp(v + start, values[k].name, n) == 0)
				break;
		if (k == sizeof(values) / sizeof(values[0]))
			return false;
		*out |= values[k].bit;
		start = i + 1;
	}
	return true;
}

/* A non-negative decimal integer, digits only, at most QOC_AUTHZ_MAX_AGE_MAX. */
static bool parse_max_age(const char *v, int64_t *out)
{
	int64_t n = 0;
	if (!v[0])
		return false;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (*p - '0');
		if (n > QOC_AUTHZ_MAX_AGE_MAX)
			return false;
	}
	*out = n;
	return true;
}

static bool parse_display(const char *v, enum qoc_display *out)
{
	static const char *const names[] = {"page", "popup", "touch", "wap"};
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (enum qoc_display)i;
			return true;
		}
	}
	return false;
}

static bool check_interaction(const struct qoc_form *form, struct qoc_authz_request *out,
                              struct qoc_oauth_error *err)
{
	const char *v = NULL;
	if (get(form, "prompt", &v) == ONE) {
		if (!parse_prompt(v, &out->prompt))
			return fail(err, QOC_OAUTH_INVALID_REQUEST,
			            "prompt must be none, login, consent or select_account");
		/* OIDC Core §3.1.2.1: none with any other value is an error */
		if ((out->prompt & QOC_PROMPT_NONE) && out->prompt != QOC_PROMPT_NONE)
			return fail(err, QOC_OAUTH_INVALID_REQUEST,
			            "prompt=none cannot be combined with other values");
	}
	if (get(form, "max_age", &v) == ONE && !parse_max_age(v, &out->max_age))
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "max_age must be a non-negative number of seconds");
	if (get(form, "display", &v) == ONE && !parse_display(v, &out->display))
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "display must be page, popup, touch or wap");
	static const struct {
		const char *name;
		size_t offset, max;
	} hints[] = {
	    {"login_hint", offsetof(struct qoc_authz_request, login_hint), QOC_AUTHZ_HINT_MAX},
	    {"id_token_hint", offsetof(struct qoc_authz_request, id_token_hint),
	     QOC_AUTHZ_ID_TOKEN_HINT_MAX},
	    {"ui_locales", offsetof(struct qoc_authz_request, ui_locales), QOC_AUTHZ_HINT_MAX},
	    {"acr_values", offsetof(struct qoc_authz_request, acr_values), QOC_AUTHZ_HINT_MAX},
	};
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		const char **slot = (const char **)((char *)out + hints[i].offset);
		if (get(form, hints[i].name, slot) == ONE && strlen(*slot) > hints[i].max)
			return fail(
			    err, QOC_OAUTH_INVALID_REQUEST,
			    "login_hint, id_token_hint, ui_locales or acr_values is too long");
	}
	return true;
}

/* ---- claims (OIDC Core §5.5) ------------------------------------------------------------ */

static unsigned claim_bit(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} known[] = {{"sub", QOC_CLAIM_SUB},
	             {"name", QOC_CLAIM_NAME},
	             {"email", QOC_CLAIM_EMAIL},
	             {"email_verified", QOC_CLAIM_EMAIL_VERIFIED},
	             {"auth_time", QOC_CLAIM_AUTH_TIME},
	             {"acr", QOC_CLAIM_ACR}};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i].name) == 0)
			return known[i].bit;
	return 0;
}

/* One of the "userinfo" / "id_token" members: an object of claim -> null or
 * {"essential": bool, "value": any, "values": array}. */
static bool claims_member(const json_t *root, const char *key, unsigned *named, unsigned *essential)
{
	const json_t *m = json_object_get(root, key);
	const char *name;
	json_t *spec;
	if (!m || json_is_null(m))
		return true;
	if (!json_is_object(m))
		return false;
	json_object_foreach((json_t *)m, name, spec)
	{
		if (!json_is_null(spec) && !json_is_object(spec))
			return false;
		json_t *ess = json_object_get(spec, "essential"); /* NULL for a null spec */
		json_t *values = json_object_get(spec, "values");
		if ((ess && !json_is_boolean(ess)) || (values && !json_is_array(values)))
			return false;
		*named |= claim_bit(name);
		if (json_is_true(ess))
			*essential |= claim_bit(name);
	}
	return true;
}

static bool check_claims(const struct qoc_form *form, struct qoc_authz_request *out,
                         struct qoc_oauth_error *err)
{
	const char *v = NULL;
	json_t *root = NULL;
	if (get(form, "claims", &v) != ONE)
		return true;
	struct qoc_json_limits lim = {QOC_AUTHZ_CLAIMS_MAX, 8};
	enum qoc_err e = qoc_json_parse(v, strlen(v), &lim, &root, NULL, 0);
	if (e == QOC_ENOMEM) {
		*err = qoc_oauth_error_internal(e);
		return false;
	}
	bool ok =
	    e == QOC_OK && json_is_object(root) &&
	    claims_member(root, "userinfo", &out->claims_userinfo,
	                  &out->claims_userinfo_essential) &&
	    claims_member(root, "id_token", &out->claims_id_token, &out->claims_id_token_essential);
	json_decref(root);
	if (!ok)
		return fail(err, QOC_OAUTH_INVALID_REQUEST,
		            "claims must be a JSON object as OpenID Connect Core 5.5 describes "
		            "(at most 4096 bytes)");
	out->claims = v;
	return true;
}

/* ---- the whole request -------------------------------------------------------------------- */

static bool check_rest(const struct qoc_form *form, const struct qoc_app *app,
                       const struct qoc_authz_policy *policy, struct qoc_authz_request *out,
                       struct qoc_oauth_error *err)
{
	const char *v = NULL;
	/* SECURITY.md: any parameter given twice, known or not */
	if (qoc_form_has_duplicate(form, NULL))
		return fail(err, QOC_OAUTH_INVALID_REQUEST, "a parameter is given more than once");
	if (get(form, "request", &v) != ABSENT) /* OIDC Core §6.1 */
		return fail(err, QOC_OAUTH_REQUEST_NOT_SUPPORTED,
		            "request objects are not supported");
	if (get(form, "request_uri", &v) != ABSENT) /* OIDC Core §6.2 */
		return fail(err, QOC_OAUTH_REQUEST_URI_NOT_SUPPORTED,
		            "request_uri is not supported");
	return check_response_type(form, app, policy, out, err) &&
	       check_scope(form, app, policy, out, err) && check_pkce(form, app, out, err) &&
	       check_interaction(form, out, err) && check_claims(form, out, err);
}

enum qoc_authz_disposition qoc_authz_validate(const struct qoc_form *form,
                                              const struct qoc_app *app,
                                              const struct qoc_authz_policy *policy,
                                              struct qoc_authz_request *out,
                                              struct qoc_oauth_error *err)
{
	memset(out, 0, sizeof(*out));
	qoc_scope_init(&out->scope);
	out->max_age = -1;
	*err = (struct qoc_oauth_error){NULL, NULL, 0};
	if (!check_client(form, app, out, err) || !check_redirect(form, app, out, err) ||
	    !check_state(form, out, err))
		return QOC_AUTHZ_SHOW;
	pick_error_mode(form, policy, out);
	if (!check_rest(form, app, policy, out, err))
		return QOC_AUTHZ_REDIRECT;
	return QOC_AUTHZ_VALID;
}
