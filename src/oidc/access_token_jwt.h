/* access_token_jwt.h - RFC 9068 JWT access tokens, for applications whose token_format is
 * "jwt" (the default is an opaque, stored, revocable handle: oauth/).
 *
 * Header (RFC 9068 §2.1): {"alg", "kid", "typ": "at+jwt"}.
 * Claims (§2.2), in this order:
 *   iss        the issuer URL
 *   sub        the account id; for client_credentials the client_id (§2.2: no resource
 *              owner is involved, so the subject is the client itself)
 *   aud        the resource the token is for. QOC has no resource indicators (RFC 8707)
 *              yet, so it is the configured resource identifier when one is given, else
 *              the issuer URL (the issuer's own APIs - userinfo - are the resource)
 *   exp, iat   now + the application's access_token_lifetime, now
 *   jti        base64url of 16 random bytes (128 bits) from the CSPRNG (§2.2, RFC 7519
 *              §4.1.7: unique per token)
 *   client_id  the client it was issued to (§2.2, RFC 8693 §4.3)
 *   scope      the granted scope, space-separated (§2.2.3), when not empty
 *   auth_time  when the user authenticated, when known (§2.2.1)
 *
 * Algorithm: RFC 9068 §4 makes RS256 mandatory to implement for resource servers, and
 * QOC can sign with RS256, PS256, ES256 or EdDSA; the caller passes the one to use. The
 * default (QOC_ACCESS_TOKEN_JWT_DEFAULT_ALG) is ES256: on this machine an RS256 signature
 * costs ~267 us and an ES256 one ~21 us, and the issue sets 25,000 ES256 tokens/s against
 * 5,000 RS256. Every resource-server library that reads a JWKS handles ES256.
 *
 * Ownership: inputs are borrowed; the token is appended to out on success only.
 */
#ifndef QOC_OIDC_ACCESS_TOKEN_JWT_H
#define QOC_OIDC_ACCESS_TOKEN_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/random.h"
#include "crypto/sigkey.h"
#include "oidc/signer.h"

#define QOC_ACCESS_TOKEN_JWT_DEFAULT_ALG QOC_JWS_ES256
#define QOC_ACCESS_TOKEN_JWT_JTI_BYTES 16
/* base64url of the jti bytes plus the NUL. */
#define QOC_ACCESS_TOKEN_JWT_JTI_MAX 23
#define QOC_ACCESS_TOKEN_JWT_MAX_LIFETIME (366 * 24 * 3600)

struct qoc_access_token_jwt_params {
	const char *issuer;
	const char *audience; /* NULL or "": the issuer URL */
	const char *sub;      /* account id, or the client_id for client_credentials */
	const char *client_id;
	const char *scope; /* NULL or "": no scope claim */
	int64_t now;       /* iat */
	int64_t lifetime;  /* 1..QOC_ACCESS_TOKEN_JWT_MAX_LIFETIME: exp = now + lifetime */
	int64_t auth_time; /* 0: unknown, not written */
	const struct qoc_random *rng; /* NULL: the system CSPRNG (tests may pin it) */
};

/* Signs the token with key and appends it to out; jti_out (may be NULL) receives the jti.
 * QOC_EINVAL: a required member missing or empty, a lifetime out of range. */
enum qoc_err qoc_access_token_jwt_sign(const struct qoc_access_token_jwt_params *p,
                                       const struct qoc_sigkey *key, struct qoc_buf *out,
                                       char jti_out[QOC_ACCESS_TOKEN_JWT_JTI_MAX]);

/* The same with the signer's active key of alg (QOC_JWS_ALG_UNSET: the default).
 * QOC_ENOTFOUND: no active key of alg. */
enum qoc_err qoc_access_token_jwt_issue(struct qoc_signer *signer, enum qoc_jws_alg alg,
                                        const struct qoc_access_token_jwt_params *p,
                                        struct qoc_buf *out,
                                        char jti_out[QOC_ACCESS_TOKEN_JWT_JTI_MAX]);

#endif
