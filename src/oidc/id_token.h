/* id_token.h - building and signing ID tokens (OIDC Core §2, §3.1.3.6, §3.2.2.10).
 *
 * Claims, in this order:
 *   iss        the issuer URL
 *   sub        the account id (public subject type: the same for every client)
 *   aud        the client_id, as a single string (§2 allows a string for one audience)
 *   exp        iat + the application's id_token_lifetime
 *   iat        the injected `now`
 *   auth_time  when the user authenticated (§2; written when known, i.e. non-zero)
 *   nonce      exactly as the authorization request sent it (§3.1.2.1), when it sent one
 *   azp        the client_id: always written, harmless with one audience (§2) and what
 *              relying parties compare when they check azp
 *   sid        the SSO session id (OIDC Front-Channel Logout §3 / Back-Channel §2.4 "sid"),
 *              when given
 *   at_hash    when an access token is issued with the ID token (§3.1.3.6, §3.2.2.10)
 *   name, email, email_verified
 *              only with scope_claims set: OIDC Core §5.4 puts the scope's claims in the
 *              ID token when the response type issues no access token
 *              (response_type=id_token); otherwise the client asks the UserInfo endpoint.
 * There is no c_hash: QOC does not offer the hybrid flow.
 *
 * Header: {"alg", "kid", "typ": "JWT"}; alg is the key's, which is the application's
 * id_token_signed_response_alg. "none" cannot be produced: a key always has an algorithm
 * and the JWS signer refuses anything else.
 *
 * at_hash / half hash (§3.1.3.6): base64url of the left-most half of the hash of the
 * ASCII access token, the hash being the one of the JWS alg: SHA-256 for RS256, PS256 and
 * ES256. EdDSA names no hash; for Ed25519 QOC uses SHA-512 (the hash inside Ed25519,
 * RFC 8032 §5.1), so at_hash is the first 32 bytes of SHA-512, 43 characters. That is
 * what oauth4webapi (under openid-client 6, the library the integration tests use)
 * computes for "EdDSA" with an Ed25519 key; a client that assumed SHA-256 would reject
 * the token, so the choice is pinned by a test vector.
 *
 * Ownership: inputs are borrowed; the compact token is appended to `out` on success only.
 */
#ifndef QOC_OIDC_ID_TOKEN_H
#define QOC_OIDC_ID_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/sigkey.h"
#include "oidc/signer.h"
#include "store/store.h"

/* Characters of a half hash of SHA-256 or SHA-512 (32 bytes) plus the NUL. */
#define QOC_HALF_HASH_MAX 44
/* Longest lifetime accepted (a year): a bound against overflow and against mistakes. */
#define QOC_ID_TOKEN_MAX_LIFETIME (366 * 24 * 3600)

struct qoc_id_token_params {
	const char *issuer;
	const char *sub;       /* the account id */
	const char *client_id; /* aud and azp */
	int64_t now;           /* iat */
	int64_t lifetime;      /* seconds, 1..QOC_ID_TOKEN_MAX_LIFETIME: exp = now + lifetime */
	int64_t auth_time;     /* 0: not written */
	const char *nonce;     /* NULL: not written */
	const char *sid;       /* NULL: not written */
	/* The access token issued in the same response; NULL: none, no at_hash. */
	const char *access_token;
	size_t access_token_len;
	/* OIDC Core §5.4: true when the response carries no access token, so the claims of
	 * `scope` (userinfo.h) are written into the ID token from `account`. */
	bool scope_claims;
	const char *scope;
	const struct qoc_account *account; /* required when scope_claims */
};

/* out = base64url(left half of hash(value)) for the JWS alg (see above), NUL-terminated.
 * QOC_EINVAL for QOC_JWS_ALG_UNSET or an unknown alg. */
enum qoc_err qoc_id_token_half_hash(enum qoc_jws_alg alg, const char *value, size_t len,
                                    char out[QOC_HALF_HASH_MAX]);

/* Signs the ID token of p with key (a private key) and appends it to out.
 * QOC_EINVAL: a required member missing or empty, a lifetime out of range. */
enum qoc_err qoc_id_token_sign(const struct qoc_id_token_params *p, const struct qoc_sigkey *key,
                               struct qoc_buf *out);

/* The same with the signer's active key of app->id_token_signed_response_alg (RS256 when
 * unset, OIDC Registration §2 default) and the app's client_id and id_token_lifetime (they
 * replace p->client_id and p->lifetime). QOC_EINVAL: the app names another alg;
 * QOC_ENOTFOUND: no active key for it. */
enum qoc_err qoc_id_token_issue(struct qoc_signer *signer, const struct qoc_app *app,
                                const struct qoc_id_token_params *p, struct qoc_buf *out);

#endif
