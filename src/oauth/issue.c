/* issue.c - minting the tokens of a grant (issue.h). */
#include "oauth/issue.h"

#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "crypto/token.h"
#include "oidc/access_token_jwt.h"
#include "oidc/id_token.h"
#include "oidc/signer.h"

/* 32 random bytes (256 bits) behind each prefix; SECURITY.md asks for >= 128. */
#define TOKEN_BYTES 32
#define FAMILY_BYTES 16
/* A JWT access token or an ID token; ours are well under 2 KiB (RS256 ~ 700 bytes). */
#define JWT_MAX 16384

static void wipe_cstr(void *p)
{
	qoc_memwipe(p, strlen(p));
}

/* Copies a token out of buf into the arena; the copy is wiped when the arena goes. */
static enum qoc_err to_arena(struct qoc_arena *a, const struct qoc_buf *buf, bool secret,
                             const char **out)
{
	char *s = qoc_arena_strndup(a, qoc_buf_cstr(buf), buf->len);
	if (!s)
		return QOC_ENOMEM;
	if (secret && qoc_arena_on_release(a, wipe_cstr, s) != 0)
		return QOC_ENOMEM; /* wiped already by the failed registration */
	*out = s;
	return QOC_OK;
}

/* A new opaque token (prefix + base64url(TOKEN_BYTES)) in the arena, and its hash. */
static enum qoc_err new_opaque(struct qoc_arena *a, const char *prefix, const char **token,
                               const char **hash)
{
	struct qoc_buf b;
	char h[QOC_TOKEN_HASH_LEN + 1];
	qoc_buf_init(&b, 128);
	enum qoc_err err = qoc_token_new(prefix, TOKEN_BYTES, &b);
	if (!err)
		err = qoc_token_hash(qoc_buf_cstr(&b), b.len, h);
	if (!err)
		err = to_arena(a, &b, true, token);
	qoc_buf_release_secret(&b);
	if (!err && !(*hash = qoc_arena_strdup(a, h)))
		err = QOC_ENOMEM;
	return err;
}

static enum qoc_err new_family(struct qoc_arena *a, const char **out)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 64);
	enum qoc_err err = qoc_token_new("fam_", FAMILY_BYTES, &b);
	if (!err)
		err = to_arena(a, &b, false, out);
	qoc_buf_release(&b);
	return err;
}

static struct qoc_token record(const struct qoc_issue_request *req, const struct qoc_issued *out,
                               enum qoc_token_kind kind, const char *hash, int64_t now,
                               int64_t lifetime)
{
	struct qoc_token t;
	memset(&t, 0, sizeof(t));
	t.token_hash = hash;
	t.kind = kind;
	t.client_id = req->app->client_id;
	t.account_id = req->account ? req->account->id : NULL;
	t.family_id = out->family_id;
	t.parent_hash = req->parent_hash;
	t.scope = kind == QOC_TOKEN_REFRESH && req->refresh_scope ? req->refresh_scope : out->scope;
	t.sid = req->sid;
	t.auth_time = req->auth_time;
	t.created_at = now;
	t.expires_at = now + lifetime;
	return t;
}

static enum qoc_err jwt_access_token(const struct qoc_issue_ctx *ctx,
                                     const struct qoc_issue_request *req, int64_t now,
                                     struct qoc_arena *a, struct qoc_issued *out)
{
	struct qoc_access_token_jwt_params p;
	memset(&p, 0, sizeof(p));
	p.issuer = ctx->issuer;
	/* RFC 9068 §2.2: without a resource owner the client is the subject. */
	p.sub = req->account ? req->account->id : req->app->client_id;
	p.client_id = req->app->client_id;
	p.scope = out->scope;
	p.now = now;
	p.lifetime = req->app->access_token_lifetime;
	p.auth_time = req->auth_time;
	struct qoc_buf b;
	qoc_buf_init(&b, JWT_MAX);
	enum qoc_err err =
	    qoc_access_token_jwt_issue(ctx->signer, ctx->access_token_alg, &p, &b, NULL);
	if (!err)
		err = to_arena(a, &b, true, &out->access_token);
	qoc_buf_release_secret(&b);
	if (err || !req->account)
		return err; /* client_credentials: stateless, nothing stored */
	/* A user's JWT belongs to a grant family that can be revoked (code or refresh reuse,
	 * revocation of the refresh token, app deletion): its record, keyed by the hash of
	 * the whole JWT, goes into the write that already stores the grant's tokens, and
	 * introspection and userinfo check it (docs/decisions/jwt-revocation.md). */
	char h[QOC_TOKEN_HASH_LEN + 1];
	const char *hash;
	if ((err = qoc_token_hash(out->access_token, strlen(out->access_token), h)))
		return err;
	if (!(hash = qoc_arena_strdup(a, h)))
		return QOC_ENOMEM;
	out->records[out->record_count++] =
	    record(req, out, QOC_TOKEN_ACCESS, hash, now, req->app->access_token_lifetime);
	return QOC_OK;
}

static bool is_jwt_format(const struct qoc_app *app)
{
	return app->token_format && strcmp(app->token_format, "jwt") == 0;
}

bool qoc_issue_jwt_format(const struct qoc_app *app)
{
	return is_jwt_format(app);
}

static enum qoc_err make_access_token(const struct qoc_issue_ctx *ctx,
                                      const struct qoc_issue_request *req, int64_t now,
                                      struct qoc_arena *a, struct qoc_issued *out)
{
	if (is_jwt_format(req->app))
		return jwt_access_token(ctx, req, now, a, out); /* stored for a user only */
	const char *hash;
	enum qoc_err err = new_opaque(a, "qoc_at_", &out->access_token, &hash);
	if (err)
		return err;
	out->records[out->record_count++] =
	    record(req, out, QOC_TOKEN_ACCESS, hash, now, req->app->access_token_lifetime);
	return QOC_OK;
}

enum qoc_err qoc_issue_prepare(const struct qoc_issue_ctx *ctx, const struct qoc_issue_request *req,
                               struct qoc_arena *a, struct qoc_issued *out)
{
	enum qoc_err err = QOC_OK;
	memset(out, 0, sizeof(*out));
	if (!ctx || !req || !req->app || !req->app->client_id || !a)
		return QOC_EINVAL;
	/* A refresh token stands for a user's grant: never for a client alone. */
	if (req->want_refresh && !req->account)
		return QOC_EINVAL;
	int64_t now = qoc_clock_now(ctx->clock);
	/* A copy: the caller's scope may be a buffer on its stack, gone before the answer is
	 * written (the token endpoint answers from another thread than the grant's). */
	out->scope = qoc_arena_strdup(a, req->scope ? req->scope : "");
	if (!out->scope)
		return QOC_ENOMEM;
	out->expires_in = req->access_token ? req->app->access_token_lifetime : 0;
	if (req->family_id)
		out->family_id = req->family_id;
	else if ((err = new_family(a, &out->family_id)))
		return err;
	if (req->access_token && (err = make_access_token(ctx, req, now, a, out)))
		goto out;
	if (req->want_refresh) {
		const char *hash;
		if ((err = new_opaque(a, "qoc_rt_", &out->refresh_token, &hash)))
			goto out;
		out->records[out->record_count++] = record(req, out, QOC_TOKEN_REFRESH, hash, now,
		                                           req->app->refresh_token_lifetime);
	}
out:
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

enum qoc_err qoc_issue_id_token(const struct qoc_issue_ctx *ctx,
                                const struct qoc_issue_request *req, struct qoc_arena *a,
                                struct qoc_issued *out)
{
	if (!ctx || !req || !req->app || !req->account || !a || !out)
		return QOC_EINVAL;
	struct qoc_id_token_params p;
	memset(&p, 0, sizeof(p));
	p.issuer = ctx->issuer;
	p.sub = req->account->id;
	p.client_id = req->app->client_id;
	p.now = qoc_clock_now(ctx->clock);
	p.lifetime = req->app->id_token_lifetime;
	p.auth_time = req->auth_time;
	p.nonce = req->nonce;
	p.sid = req->sid;
	if (out->access_token) {
		p.access_token = out->access_token;
		p.access_token_len = strlen(out->access_token);
	} else {
		/* OIDC Core §5.4: no access token to fetch the claims with (id_token alone). */
		p.scope_claims = true;
		p.scope = out->scope ? out->scope : req->scope;
		p.account = req->account;
	}
	struct qoc_buf b;
	qoc_buf_init(&b, JWT_MAX);
	enum qoc_err err = qoc_id_token_issue(ctx->signer, req->app, &p, &b);
	if (!err)
		err = to_arena(a, &b, false, &out->id_token);
	qoc_buf_release(&b);
	return err;
}
