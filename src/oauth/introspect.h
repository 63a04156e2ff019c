/* introspect.h - what a presented token is worth: the one decision behind introspection
 * (RFC 7662), userinfo (OIDC Core §5.3, RFC 6750) and revocation (RFC 7009).
 *
 * A token is opaque (`qoc_at_...`, `qoc_rt_...`: looked up by its hash, token_get, one
 * indexed read, no write) or an RFC 9068 JWT access token (it has dots: checked by
 * signature, access_token_verify.h). A JWT issued for a user (sub is not the client) is
 * also looked up by the hash of the whole JWT, one indexed read: it is active only while
 * that record is (so a revoked family ends it before its exp; a JWT without a record, as
 * made before records existed, is inactive). A client_credentials JWT has no record and
 * stays valid until it expires. No JWT can be revoked alone (RFC 7009 §2.2.1).
 *
 * Active means all of these (SECURITY.md "Inactive, suspended or deleted applications ...
 * their live tokens introspect as {"active": false}"):
 *   - the token is ours: its hash is stored / its signature verifies;
 *   - now < expires_at; it is not revoked; a refresh token is not yet used (rotated);
 *   - its application exists and is active (read on every call: a status change or a
 *     deletion takes effect on the next request, issue 3).
 * A deleted application's opaque tokens are gone with it (ON DELETE CASCADE).
 */
#ifndef QOC_OAUTH_INTROSPECT_H
#define QOC_OAUTH_INTROSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"
#include "store/store_oauth.h"

struct qoc_signer;

/* Longest token looked at; longer ones are never ours (a JWT is capped by the JWS
 * verifier's own bound). */
#define QOC_INTROSPECT_OPAQUE_MAX 512

struct qoc_introspect_ctx {
	struct qoc_store *store;
	struct qoc_signer *signer;
	const char *issuer;
};

/* An active token; strings in the caller's arena. */
struct qoc_token_info {
	enum qoc_token_kind kind; /* JWTs are always access tokens */
	bool jwt;
	const char *client_id;
	const char *account_id; /* NULL for client_credentials */
	const char *sub;        /* account_id, or client_id when there is no account */
	const char *scope;      /* "" when none */
	const char *aud;        /* JWT: the audience QOC wrote (the issuer); NULL for opaque */
	const char *jti;        /* JWT only */
	int64_t iat;
	int64_t exp;
	int64_t auth_time; /* 0: unknown */
};

/* Is the token itself live at now (the application is not looked at)? QOC_OK with *out;
 * QOC_ENOTFOUND when it is not (unknown, malformed, over-long, expired, revoked, used, a bad
 * signature); other errors: the store failed (callers fail closed). */
enum qoc_err qoc_introspect_token(const struct qoc_introspect_ctx *ctx, const char *token,
                                  size_t len, int64_t now, struct qoc_arena *a,
                                  struct qoc_token_info *out);

/* Introspection and revocation: `caller` is the authenticated, active client. Active only
 * when the token is live and was issued to caller (a client sees only its own tokens, RFC
 * 7662 §4; caller's status was checked when it authenticated). QOC_ENOTFOUND otherwise. */
enum qoc_err qoc_introspect_for_client(const struct qoc_introspect_ctx *ctx,
                                       const struct qoc_app *caller, const char *token, size_t len,
                                       int64_t now, struct qoc_arena *a,
                                       struct qoc_token_info *out);

/* A resource request (userinfo): the token must be a live access token whose application
 * exists and is active; *app (may be NULL) receives that application (for CORS).
 * QOC_ENOTFOUND otherwise. */
enum qoc_err qoc_introspect_for_resource(const struct qoc_introspect_ctx *ctx, const char *token,
                                         size_t len, int64_t now, struct qoc_arena *a,
                                         struct qoc_token_info *out, struct qoc_app *app);

/* RFC 7009 for an opaque token of caller: token_revoke by hash (a refresh token takes its
 * family). QOC_OK also when the token is unknown or another client's (RFC 7009 §2.2);
 * QOC_EPERM for a JWT access token of caller that verifies (it cannot be revoked: the
 * caller answers unsupported_token_type); any other error means nothing was revoked. */
enum qoc_err qoc_introspect_revoke(const struct qoc_introspect_ctx *ctx,
                                   const struct qoc_app *caller, const char *token, size_t len,
                                   int64_t now, struct qoc_arena *a);

#endif
