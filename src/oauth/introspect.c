/* introspect.c - what a presented token is worth (introspect.h). */
#include "oauth/introspect.h"

#include <string.h>

#include "crypto/token.h"
#include "oidc/access_token_verify.h"

static bool is_jwt(const char *token, size_t len)
{
	return memchr(token, '.', len) != NULL; /* opaque tokens are prefix + base64url */
}

/* QOC_OK when the stored record of a verified user JWT is live and matches its claims;
 * QOC_ENOTFOUND when it is missing (never stored, purged, its app or account deleted),
 * revoked or expired. */
static enum qoc_err jwt_record_live(const struct qoc_introspect_ctx *ctx, const char *token,
                                    size_t len, const struct qoc_access_token_claims *c,
                                    int64_t now, struct qoc_arena *a)
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	struct qoc_token t;
	enum qoc_err err = qoc_token_hash(token, len, hash);
	if (!err)
		err = qoc_store_token_get(ctx->store, a, hash, &t);
	if (err)
		return err;
	if (t.kind != QOC_TOKEN_ACCESS || t.revoked_at || now >= t.expires_at ||
	    strcmp(t.client_id, c->client_id) != 0 || !t.account_id ||
	    strcmp(t.account_id, c->sub) != 0)
		return QOC_ENOTFOUND;
	return QOC_OK;
}

static enum qoc_err from_jwt(const struct qoc_introspect_ctx *ctx, const char *token, size_t len,
                             int64_t now, struct qoc_arena *a, struct qoc_token_info *out)
{
	struct qoc_access_token_claims c;
	enum qoc_err err =
	    qoc_access_token_jwt_verify(ctx->signer, ctx->issuer, token, len, now, a, &c);
	if (err == QOC_ENOMEM)
		return err;
	if (err)
		return QOC_ENOTFOUND; /* every other refusal means "not a valid token" */
	out->kind = QOC_TOKEN_ACCESS;
	out->jwt = true;
	out->client_id = c.client_id;
	/* RFC 9068 §2.2: sub is the client itself for client_credentials. */
	out->account_id = strcmp(c.sub, c.client_id) == 0 ? NULL : c.sub;
	/* A user's JWT lives only as long as its stored record: a revoked family (code or
	 * refresh reuse, revocation, deletion) ends it before its exp. client_credentials
	 * JWTs stay stateless (docs/decisions/jwt-revocation.md). */
	if (out->account_id && (err = jwt_record_live(ctx, token, len, &c, now, a)))
		return err;
	out->sub = c.sub;
	out->scope = c.scope;
	out->aud = ctx->issuer;
	out->jti = c.jti;
	out->iat = c.iat;
	out->exp = c.exp;
	out->auth_time = c.auth_time;
	return QOC_OK;
}

static enum qoc_err from_store(const struct qoc_introspect_ctx *ctx, const char *token, size_t len,
                               int64_t now, struct qoc_arena *a, struct qoc_token_info *out)
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	struct qoc_token t;
	if (len > QOC_INTROSPECT_OPAQUE_MAX)
		return QOC_ENOTFOUND;
	enum qoc_err err = qoc_token_hash(token, len, hash);
	if (err)
		return err;
	if ((err = qoc_store_token_get(ctx->store, a, hash, &t)))
		return err;
	if (now >= t.expires_at || t.revoked_at || (t.kind == QOC_TOKEN_REFRESH && t.used_at))
		return QOC_ENOTFOUND;
	out->kind = t.kind;
	out->client_id = t.client_id;
	out->account_id = t.account_id;
	out->sub = t.account_id ? t.account_id : t.client_id;
	out->scope = t.scope ? t.scope : "";
	out->iat = t.created_at;
	out->exp = t.expires_at;
	out->auth_time = t.auth_time;
	return QOC_OK;
}

enum qoc_err qoc_introspect_token(const struct qoc_introspect_ctx *ctx, const char *token,
                                  size_t len, int64_t now, struct qoc_arena *a,
                                  struct qoc_token_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!token || len == 0)
		return QOC_ENOTFOUND;
	enum qoc_err err = is_jwt(token, len) ? from_jwt(ctx, token, len, now, a, out)
	                                      : from_store(ctx, token, len, now, a, out);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

enum qoc_err qoc_introspect_for_client(const struct qoc_introspect_ctx *ctx,
                                       const struct qoc_app *caller, const char *token, size_t len,
                                       int64_t now, struct qoc_arena *a, struct qoc_token_info *out)
{
	enum qoc_err err = qoc_introspect_token(ctx, token, len, now, a, out);
	if (err)
		return err;
	/* RFC 7662 §4: another client's token is simply not active for this one. */
	if (strcmp(out->client_id, caller->client_id) != 0) {
		memset(out, 0, sizeof(*out));
		return QOC_ENOTFOUND;
	}
	return QOC_OK;
}

static bool app_active(const struct qoc_app *app)
{
	return app->status && strcmp(app->status, "active") == 0;
}

enum qoc_err qoc_introspect_for_resource(const struct qoc_introspect_ctx *ctx, const char *token,
                                         size_t len, int64_t now, struct qoc_arena *a,
                                         struct qoc_token_info *out, struct qoc_app *app)
{
	struct qoc_app local;
	struct qoc_app *ap = app ? app : &local;
	enum qoc_err err = qoc_introspect_token(ctx, token, len, now, a, out);
	if (!err && out->kind != QOC_TOKEN_ACCESS)
		err = QOC_ENOTFOUND; /* a refresh token is no bearer credential for a resource */
	if (!err)
		err = qoc_store_client_get(ctx->store, a, out->client_id, ap);
	if (!err && !app_active(ap))
		err = QOC_ENOTFOUND;
	if (err) {
		memset(out, 0, sizeof(*out));
		memset(ap, 0, sizeof(*ap));
	}
	return err;
}

enum qoc_err qoc_introspect_revoke(const struct qoc_introspect_ctx *ctx,
                                   const struct qoc_app *caller, const char *token, size_t len,
                                   int64_t now, struct qoc_arena *a)
{
	if (!token || len == 0)
		return QOC_OK;
	if (is_jwt(token, len)) {
		struct qoc_token_info info;
		enum qoc_err err =
		    qoc_introspect_for_client(ctx, caller, token, len, now, a, &info);
		if (err == QOC_ENOTFOUND)
			return QOC_OK; /* RFC 7009 §2.2: an invalid token is answered with 200 */
		return err ? err : QOC_EPERM;
	}
	if (len > QOC_INTROSPECT_OPAQUE_MAX)
		return QOC_OK;
	char hash[QOC_TOKEN_HASH_LEN + 1];
	enum qoc_err err = qoc_token_hash(token, len, hash);
	if (!err)
		err = qoc_store_token_revoke(ctx->store, hash, caller->client_id, now);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}
