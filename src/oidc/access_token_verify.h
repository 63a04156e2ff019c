/* access_token_verify.h - checking an RFC 9068 JWT access token this issuer signed, for
 * the resource endpoints QOC serves itself (userinfo) and for introspection.
 *
 * A token is valid when all of these hold:
 *   - it is a compact JWS whose header "kid" names a key the issuer publishes now
 *     (signer.h), and its signature verifies under that key's own algorithm: the
 *     algorithm is pinned to the key, never taken from the header (RFC 8725 §3.1), so
 *     "none", HS256 or another algorithm's header are refused; "jku"/"jwk"/"x5u"/"x5c"/
 *     "crit" are refused by the JWS verifier (SECURITY.md "never trusts alg, jku or kid
 *     paths from the token");
 *   - its header "typ" is "at+jwt" (RFC 9068 §4, compared case-insensitively, RFC 7515
 *     §4.1.9), so an ID token signed by the same keys is never taken for an access token;
 *   - "iss" is exactly the issuer and "aud" (a string, or an array of strings) contains
 *     the audience QOC writes (the issuer URL, access_token_jwt.h);
 *   - "sub" and "client_id" are non-empty strings, "scope" a string when present, "iat"
 *     and "exp" integers, now < exp, iat <= now + QOC_ACCESS_TOKEN_SKEW.
 *
 * Errors (each means "not a valid token"; callers answer invalid_token / active: false):
 *   QOC_EINVAL     malformed (JWS, base64url, JSON, claims missing or mistyped, no kid)
 *   QOC_ELIMIT     too long
 *   QOC_ENOTFOUND  no published key has the kid
 *   QOC_EPERM      typ, issuer or audience wrong, expired, issued in the future
 *   QOC_ECRYPTO    the signature does not verify
 *   QOC_ENOMEM
 */
#ifndef QOC_OIDC_ACCESS_TOKEN_VERIFY_H
#define QOC_OIDC_ACCESS_TOKEN_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "oidc/signer.h"

/* Seconds a token's iat may lie ahead of our clock (several nodes). */
#define QOC_ACCESS_TOKEN_SKEW 60

/* What a valid token says; strings in the caller's arena. */
struct qoc_access_token_claims {
	const char *sub; /* account id, or the client_id for client_credentials */
	const char *client_id;
	const char *scope; /* "" when the token has none */
	const char *jti;   /* NULL when absent */
	int64_t iat;
	int64_t exp;
	int64_t auth_time; /* 0 when absent */
};

/* Verifies token[len] for issuer (the aud QOC writes is the issuer URL too). */
enum qoc_err qoc_access_token_jwt_verify(struct qoc_signer *signer, const char *issuer,
                                         const char *token, size_t len, int64_t now,
                                         struct qoc_arena *a, struct qoc_access_token_claims *out);

#endif
