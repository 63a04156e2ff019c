/* introspect.c - POST /oauth2/introspect (RFC 7662).
 *
 * Client-authenticated like the token endpoint; a client sees only its own tokens, so
 * another client's token, an unknown, expired, revoked or used one, and one whose
 * application is no longer active all answer {"active": false} with 200 (RFC 7662 §2.2).
 * Hot path: one client_get (the caller, which is also the token's application when the token
 * is its own), one keyed hash, one token_get; no write (last used is coalesced).
 * No CORS: introspection is for resource servers, not browsers.
 */
#include <string.h>

#include "api/backchannel.h"
#include "api/handlers.h"
#include "oauth/last_used.h"

/* The hottest answer of the server: written straight into the body (core/jsonw.h), as
 * jansson's pack + dump was ~8% of its CPU. */
static enum qoc_err active_json(struct qoc_http_resp *resp, const char *issuer,
                                const struct qoc_token_info *t)
{
	bool access = t->kind == QOC_TOKEN_ACCESS;
	struct qoc_jsonw w;
	qoc_http_resp_jsonw_begin(resp, &w);
	qoc_jsonw_bool(&w, "active", true);
	qoc_jsonw_int(&w, "exp", t->exp);
	qoc_jsonw_int(&w, "iat", t->iat);
	qoc_jsonw_str(&w, "scope", t->scope);
	qoc_jsonw_str(&w, "client_id", t->client_id);
	qoc_jsonw_str(&w, "sub", t->sub);
	qoc_jsonw_str(&w, "iss", issuer);
	/* token_type is RFC 6749 §5.1's ("Bearer", for access tokens); token_use says which
	 * kind of QOC token it is. */
	if (access)
		qoc_jsonw_str(&w, "token_type", "Bearer");
	qoc_jsonw_str(&w, "token_use", access ? "access_token" : "refresh_token");
	if (t->aud)
		qoc_jsonw_str(&w, "aud", t->aud);
	if (t->jti)
		qoc_jsonw_str(&w, "jti", t->jti);
	enum qoc_err err = qoc_http_resp_jsonw_end(resp, 200, &w);
	return err == QOC_ELIMIT ? QOC_ENOMEM : err;
}

static enum qoc_err inactive_json(struct qoc_http_resp *resp)
{
	static const char body[] = "{\"active\":false}";
	return qoc_http_resp_body(resp, 200, "application/json", body, sizeof(body) - 1);
}

static enum qoc_err run(struct qoc_api *api, struct qoc_http_req *req, struct qoc_http_resp *resp,
                        const struct qoc_api_client *c)
{
	const char *token = NULL;
	struct qoc_token_info info;
	int64_t now = qoc_clock_now(api->clock);
	if (qoc_form_get(&c->form, "token", &token) != QOC_OK) { /* RFC 7662 §2.1 */
		struct qoc_oauth_error oe = qoc_oauth_error_make(
		    QOC_OAUTH_INVALID_REQUEST, "the token parameter is missing or given twice");
		return qoc_api_oauth_error(resp, &oe, NULL);
	}
	struct qoc_introspect_ctx ictx = qoc_api_introspect_ctx(api);
	enum qoc_err err =
	    qoc_introspect_for_client(&ictx, &c->app, token, strlen(token), now, req->arena, &info);
	if (err == QOC_ENOTFOUND)
		err = inactive_json(resp);
	else if (err)
		return qoc_api_internal(resp, "introspect", err);
	else
		err = active_json(resp, api->cfg->issuer, &info);
	if (!err)
		(void)qoc_last_used_note(api->last_used, c->app.client_id, now);
	return err;
}

enum qoc_err qoc_api_introspect(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_api_client c;
	enum qoc_err err = qoc_api_no_store(resp);
	if (err)
		return err;
	err = qoc_api_client_auth(api, req, resp, &c);
	if (err == QOC_EINVAL)
		return QOC_OK; /* refused: resp holds the answer */
	if (err)
		return err;
	if (c.creds.method == QOC_CLIENT_AUTH_NONE) {
		/* SECURITY.md "Introspection ... require client authentication": a client id
		 * alone (a public client) proves nothing. Revocation accepts it (RFC 7009 §2.1:
		 * a public client may revoke its own tokens). */
		struct qoc_oauth_error oe = qoc_oauth_error_make(
		    QOC_OAUTH_INVALID_CLIENT, "public clients cannot use introspection");
		return qoc_api_oauth_error(resp, &oe, NULL);
	}
	return run(api, req, resp, &c);
}
