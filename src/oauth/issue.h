/* issue.h - minting the tokens of a grant: access token (opaque `qoc_at_...` stored as a
 * hash, or an RFC 9068 JWT when the application chose token_format "jwt"), refresh token
 * (`qoc_rt_...`, stored as a hash), ID token (signed with the application's
 * id_token_signed_response_alg, with at_hash when an access token goes with it).
 *
 * Used by the token endpoint (authorization_code, refresh_token, client_credentials) and
 * by the authorization endpoint for the implicit response types. Two steps so the store
 * can write atomically what the grant needs:
 *   qoc_issue_prepare  makes the token strings and the store records (nothing written);
 *   the caller stores the records: qoc_store_tokens_issue (new grant) or
 *     qoc_store_refresh_rotate (rotation, which also checks the old token);
 *   qoc_issue_id_token signs the ID token (needs the access token for at_hash).
 * Clear token strings live in the arena; the caller sends them and the arena dies with the
 * request. Nothing here logs a token.
 */
#ifndef QOC_OAUTH_ISSUE_H
#define QOC_OAUTH_ISSUE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "crypto/sigkey.h"
#include "store/store.h"
#include "store/store_oauth.h"

struct qoc_signer;

struct qoc_issue_ctx {
	struct qoc_store *store;
	struct qoc_signer *signer;
	const struct qoc_clock *clock;
	const char *issuer;
	enum qoc_jws_alg access_token_alg; /* JWT access tokens */
};

struct qoc_issue_request {
	const struct qoc_app *app;
	const struct qoc_account *account; /* NULL for client_credentials */
	const char *scope;                 /* granted, canonical, space-separated ("" allowed) */
	const char *family_id;             /* NULL: a new family is made */
	const char *parent_hash;           /* refresh rotation: the old refresh token's hash */
	const char *sid;                   /* SSO session sid, NULL: none */
	int64_t auth_time;                 /* 0: none */
	const char *nonce;                 /* for the ID token; NULL: none */
	bool want_refresh;                 /* mint a refresh token */
	bool want_id_token;                /* mint an ID token (scope has openid) */
	bool access_token;                 /* mint an access token (false: implicit id_token) */
	/* The refresh token's scope when it differs from the access token's: a rotation with
	 * a narrowed scope keeps the original grant on the new refresh token (RFC 6749 §6).
	 * NULL: `scope`. (Added by the token endpoint; callers that zero-initialise the
	 * struct need not know it.) */
	const char *refresh_scope;
};

struct qoc_issued {
	const char *access_token;  /* NULL when not minted */
	const char *refresh_token; /* NULL when not minted */
	const char *id_token;      /* set by qoc_issue_id_token */
	const char *family_id;
	int64_t expires_in; /* access token lifetime, seconds */
	const char *scope;
	/* Records for the store: the access token (opaque; or a user's JWT, keyed by the hash
	 * of the whole JWT so that revoking its family reaches it; a client_credentials JWT is
	 * not stored) and the refresh token. */
	struct qoc_token records[2];
	size_t record_count;
};

/* Mints what req asks for at qoc_clock_now(ctx->clock): an access token (opaque, 32 random
 * bytes after "qoc_at_", its record in out->records; or a JWT of ctx->access_token_alg when
 * app->token_format is "jwt": its record only when req->account is set, so that family
 * revocation reaches it; a client_credentials JWT is not stored), a refresh token ("qoc_rt_",
 * record) and a new family id when req->family_id is NULL. Lifetimes are the application's. Records
 * borrow strings from req and the arena: store them before either goes. QOC_EINVAL: no app, or a
 * refresh token without an account (never for a client alone); signer errors (QOC_ENOTFOUND:
 * no active key of the algorithm); QOC_ENOMEM. *out is zeroed on error. */
enum qoc_err qoc_issue_prepare(const struct qoc_issue_ctx *ctx, const struct qoc_issue_request *req,
                               struct qoc_arena *a, struct qoc_issued *out);
/* Whether app's access tokens are JWTs (token_format "jwt"), not opaque. */
bool qoc_issue_jwt_format(const struct qoc_app *app);

/* Signs the ID token into out->id_token (arena): sub = req->account->id, nonce, auth_time,
 * sid from req, at_hash of out->access_token when there is one; without one the scope's
 * claims go into the ID token (OIDC Core §5.4). Call after qoc_issue_prepare (and, when the
 * grant stores tokens, after they are stored, so no signed token exists for a write that
 * failed). QOC_EINVAL: no account. */
enum qoc_err qoc_issue_id_token(const struct qoc_issue_ctx *ctx,
                                const struct qoc_issue_request *req, struct qoc_arena *a,
                                struct qoc_issued *out);

#endif
