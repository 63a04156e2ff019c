/* grant.c - the token endpoint's grants (grant.h). */
#include "oauth/grant.h"

#include <string.h>

#include "oauth/app_rules.h"
#include "core/log.h"
#include "core/metrics.h"
#include "crypto/token.h"
#include "oauth/scope.h"
#include "oidc/userinfo.h"
#include "store/store_oauth.h"

static enum qoc_err invalid_grant(struct qoc_oauth_error *err, const char *description)
{
	return qoc_oauth_fail(err, QOC_OAUTH_INVALID_GRANT, description);
}

/* An internal failure: *err says only "try again" or "server error"; cause is returned. */
static enum qoc_err internal(struct qoc_oauth_error *err, enum qoc_err cause)
{
	*err = qoc_oauth_error_internal(cause);
	return cause;
}

bool qoc_grant_code_wants_refresh(const struct qoc_app *app, const char *scope)
{
	if (!qoc_app_allows_grant(app, "refresh_token"))
		return false;
	if (!qoc_userinfo_scope_has(scope, QOC_SCOPE_OPENID))
		return true;
	return qoc_userinfo_scope_has(scope, QOC_SCOPE_OFFLINE_ACCESS); /* OIDC Core §11 */
}

static enum qoc_err hash_of(const char *token, char out[QOC_TOKEN_HASH_LEN + 1])
{
	return qoc_token_hash(token, strlen(token), out);
}

/* The account a user grant is for; gone (deleted meanwhile) is invalid_grant. */
static enum qoc_err load_account(const struct qoc_issue_ctx *ctx, struct qoc_arena *a,
                                 const char *id, struct qoc_account *acct,
                                 struct qoc_oauth_error *err)
{
	enum qoc_err e = id ? qoc_store_account_by_id(ctx->store, a, id, acct) : QOC_ENOTFOUND;
	if (e == QOC_ENOTFOUND)
		return invalid_grant(err, "the account of this grant no longer exists");
	return e ? internal(err, e) : QOC_OK;
}

/* Signs the ID token once the tokens are stored (grant.h: nothing signed for a failed
 * write). */
static enum qoc_err finish_id_token(const struct qoc_issue_ctx *ctx,
                                    const struct qoc_issue_request *ir, struct qoc_arena *a,
                                    struct qoc_issued *out, struct qoc_oauth_error *err)
{
	if (!ir->want_id_token)
		return QOC_OK;
	enum qoc_err e = qoc_issue_id_token(ctx, ir, a, out);
	return e ? internal(err, e) : QOC_OK;
}

static enum qoc_err consume_code(const struct qoc_issue_ctx *ctx, const char *code,
                                 const char *client_id, int64_t now, struct qoc_arena *a,
                                 struct qoc_auth_code *out, struct qoc_oauth_error *err)
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	enum qoc_err e = hash_of(code, hash);
	if (e)
		return internal(err, e);
	/* Only the client the code was issued to can redeem (or burn) it: another client's
	 * attempt is invalid_grant and leaves the code valid (issue 13). */
	e = qoc_store_code_consume(ctx->store, a, hash, client_id, now, out);
	if (e == QOC_ECONFLICT) { /* SECURITY.md: the store revoked the code's family */
		char qid[160];
		qoc_log_event("code_reuse", "authorization code reused; its tokens are revoked",
		              "client_id=%s", qoc_log_quote(qid, sizeof(qid), client_id));
		return invalid_grant(err, "the code was already used; tokens issued from it are "
		                          "revoked");
	}
	if (e == QOC_ENOTFOUND)
		return invalid_grant(err, "the code is not valid or has expired");
	return e ? internal(err, e) : QOC_OK;
}

enum qoc_err qoc_grant_code_exchange(const struct qoc_issue_ctx *ctx, const struct qoc_app *app,
                                     const struct qoc_token_request *req, struct qoc_arena *a,
                                     struct qoc_issued *out, struct qoc_oauth_error *err)
{
	struct qoc_auth_code code;
	struct qoc_account acct;
	int64_t now = qoc_clock_now(ctx->clock);
	enum qoc_err e = consume_code(ctx, req->code, app->client_id, now, a, &code, err);
	if (e)
		return e;
	/* From here on the code is burned, whatever the checks say (RFC 7636 §4.6). */
	struct qoc_code_binding binding = {
	    .client_id = code.client_id,
	    .redirect_uri = code.redirect_uri,
	    .redirect_uri_required = true, /* grant.h: the store does not say "given" */
	    .code_challenge = code.code_challenge,
	    .expires_at = code.expires_at,
	};
	if ((e = qoc_token_code_check(req, &binding, app, now, err)))
		return e;
	if ((e = load_account(ctx, a, code.account_id, &acct, err)))
		return e;
	struct qoc_issue_request ir = {
	    .app = app,
	    .account = &acct,
	    .scope = code.scope,
	    .family_id = code.family_id,
	    .sid = code.sid,
	    .auth_time = code.auth_time,
	    .nonce = code.nonce,
	    .want_refresh = qoc_grant_code_wants_refresh(app, code.scope),
	    .want_id_token = qoc_userinfo_scope_has(code.scope, QOC_SCOPE_OPENID),
	    .access_token = true,
	};
	if ((e = qoc_issue_prepare(ctx, &ir, a, out)))
		return internal(err, e);
	/* A reuse racing this exchange leaves these born revoked (store tombstone). */
	e = out->record_count ? qoc_store_tokens_issue(ctx->store, out->records, out->record_count)
	                      : QOC_OK;
	if (e == QOC_ENOTFOUND)
		return invalid_grant(err, "the application or account of this code is gone");
	if (e)
		return internal(err, e);
	return finish_id_token(ctx, &ir, a, out, err);
}

/* The scope to grant on a refresh of `old`: narrowed when asked (never widened). */
static enum qoc_err refresh_scope(const struct qoc_token_request *req, const struct qoc_token *old,
                                  char granted[QOC_SCOPE_MAX_BYTES + 1],
                                  struct qoc_oauth_error *err)
{
	struct qoc_scope orig, out;
	qoc_scope_init(&orig);
	if (old->scope && old->scope[0] &&
	    qoc_scope_parse(old->scope, strlen(old->scope), &orig) != QOC_OK)
		return invalid_grant(err, "the refresh token is not valid");
	enum qoc_err e = qoc_token_refresh_scope(req, &orig, &out, err);
	if (e)
		return e;
	qoc_scope_format(&out, granted);
	return QOC_OK;
}

static enum qoc_err rotate(const struct qoc_issue_ctx *ctx, const char *hash,
                           const struct qoc_app *app, int64_t now, struct qoc_arena *a,
                           const struct qoc_issued *out, struct qoc_oauth_error *err)
{
	enum qoc_err e = qoc_store_refresh_rotate(ctx->store, a, hash, app->client_id, now,
	                                          out->records, out->record_count, NULL);
	if (e == QOC_ECONFLICT) { /* SECURITY.md: the store revoked the whole family */
		char qid[160];
		qoc_log_event("refresh_reuse", "refresh token reused; its grant is revoked",
		              "client_id=%s", qoc_log_quote(qid, sizeof(qid), app->client_id));
		return invalid_grant(err, "the refresh token was already used; the grant is "
		                          "revoked");
	}
	if (e == QOC_ENOTFOUND)
		return invalid_grant(err, "the refresh token is not valid or has expired");
	return e ? internal(err, e) : QOC_OK;
}

static bool refresh_live(const struct qoc_token *t, int64_t now)
{
	return !t->used_at && !t->revoked_at && now < t->expires_at;
}

enum qoc_err qoc_grant_refresh(const struct qoc_issue_ctx *ctx, const struct qoc_app *app,
                               const struct qoc_token_request *req, struct qoc_arena *a,
                               struct qoc_issued *out, struct qoc_oauth_error *err)
{
	char hash[QOC_TOKEN_HASH_LEN + 1], granted[QOC_SCOPE_MAX_BYTES + 1];
	struct qoc_token old;
	struct qoc_account acct;
	int64_t now = qoc_clock_now(ctx->clock);
	enum qoc_err e = hash_of(req->refresh_token, hash);
	if (e)
		return internal(err, e);
	e = qoc_store_token_get(ctx->store, a, hash, &old);
	if (e == QOC_ENOTFOUND ||
	    (!e && (old.kind != QOC_TOKEN_REFRESH || strcmp(old.client_id, app->client_id) != 0)))
		return invalid_grant(err, "the refresh token is not valid or has expired");
	if (e)
		return internal(err, e);
	/* A used or revoked token goes straight to the rotation, which sees the reuse and
	 * revokes the family; only a live one is checked for scope first (RFC 6749 §6), so
	 * an over-wide scope costs the client nothing. */
	if (!refresh_live(&old, now)) {
		size_t n = strlen(old.scope);
		n = n <= QOC_SCOPE_MAX_BYTES ? n : 0;
		memcpy(granted, old.scope, n);
		granted[n] = '\0';
	} else if ((e = refresh_scope(req, &old, granted, err))) {
		return e;
	}
	if ((e = load_account(ctx, a, old.account_id, &acct, err)))
		return e;
	struct qoc_issue_request ir = {
	    .app = app,
	    .account = &acct,
	    .scope = granted,
	    .refresh_scope = old.scope,
	    .family_id = old.family_id,
	    .parent_hash = hash,
	    .sid = old.sid,
	    .auth_time = old.auth_time,
	    .want_refresh = true,
	    .want_id_token = qoc_userinfo_scope_has(granted, QOC_SCOPE_OPENID),
	    .access_token = true,
	};
	if ((e = qoc_issue_prepare(ctx, &ir, a, out)))
		return internal(err, e);
	if ((e = rotate(ctx, hash, app, now, a, out, err)))
		return e;
	return finish_id_token(ctx, &ir, a, out, err); /* OIDC Core §12.2: no nonce */
}

enum qoc_err qoc_grant_client_credentials(const struct qoc_issue_ctx *ctx,
                                          const struct qoc_app *app,
                                          const struct qoc_token_request *req, struct qoc_arena *a,
                                          struct qoc_issued *out, struct qoc_oauth_error *err)
{
	char scope[QOC_SCOPE_MAX_BYTES + 1];
	qoc_scope_format(&req->scope, scope);
	/* RFC 6749 §4.4.3: no refresh token; no user, so no ID token. */
	struct qoc_issue_request ir = {.app = app, .scope = scope, .access_token = true};
	enum qoc_err e = qoc_issue_prepare(ctx, &ir, a, out);
	if (e)
		return internal(err, e);
	if (!out->record_count) /* a JWT access token: nothing to store */
		return QOC_OK;
	e = qoc_store_tokens_issue(ctx->store, out->records, out->record_count);
	if (e == QOC_ENOTFOUND) /* deleted since it authenticated */
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_CLIENT,
		                      "client authentication failed");
	return e ? internal(err, e) : QOC_OK;
}

enum qoc_err qoc_grant_run(const struct qoc_issue_ctx *ctx, const struct qoc_app *app,
                           const struct qoc_token_request *req, struct qoc_arena *a,
                           struct qoc_issued *out, struct qoc_oauth_error *err)
{
	enum qoc_err e;
	enum qoc_metrics_grant label;
	switch (req->grant) {
	case QOC_GRANT_AUTHORIZATION_CODE:
		e = qoc_grant_code_exchange(ctx, app, req, a, out, err);
		label = QOC_METRICS_GRANT_AUTHORIZATION_CODE;
		break;
	case QOC_GRANT_REFRESH_TOKEN:
		e = qoc_grant_refresh(ctx, app, req, a, out, err);
		label = QOC_METRICS_GRANT_REFRESH_TOKEN;
		break;
	case QOC_GRANT_CLIENT_CREDENTIALS:
		e = qoc_grant_client_credentials(ctx, app, req, a, out, err);
		label = QOC_METRICS_GRANT_CLIENT_CREDENTIALS;
		break;
	default:
		return qoc_oauth_fail(err, QOC_OAUTH_UNSUPPORTED_GRANT_TYPE, "unknown grant_type");
	}
	if (!e && out->access_token)
		qoc_metrics_token_issued(label, qoc_issue_jwt_format(app));
	return e;
}
