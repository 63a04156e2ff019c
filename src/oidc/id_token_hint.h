/* id_token_hint.h - checking the id_token_hint of a logout request (OpenID Connect
 * RP-Initiated Logout 1.0 §2, §4).
 *
 * A hint is valid when all of these hold:
 *   - it is a compact JWS whose header "kid" names a key the issuer publishes now
 *     (signer.h: active keys and retired keys inside their publication window), and its
 *     signature verifies with that key under the key's own algorithm: the algorithm is
 *     pinned to the key, never taken from the token's header (RFC 8725 §2.1, §3.1), so an
 *     RS256 header over an ES256 key, "none" or HS256 are refused; "jku"/"jwk"/"x5u"/"x5c"
 *     and "crit" are refused by the JWS verifier (SECURITY.md "The verifier never trusts
 *     alg, jku or kid paths from the token");
 *   - its header "typ", when present, is "JWT": a JWT access token ("at+jwt", signed by
 *     the same keys) is not an ID token (RFC 8725 §3.11, RFC 9068 §4);
 *   - "iss" is exactly this issuer (§4: "the OP ... MUST verify that it was the issuer");
 *   - "aud" (a string or an array of strings) contains the client: the client_id the
 *     request named, or else the token's own client ("azp", or its only audience);
 *   - "sub" is a non-empty string, "iat" and "exp" are integers;
 *   - it is not from the future: iat <= now + QOC_ID_TOKEN_HINT_SKEW.
 * Expiry is deliberately NOT checked: §4 says the OP SHOULD accept an expired ID token it
 * issued as a hint, because a user often logs out long after signing in. What bounds
 * the age of an acceptable hint is the key: once its key leaves the JWKS (key_retention
 * after rotation) the hint no longer verifies.
 *
 * Errors (each means "not a valid hint"; callers show the logout confirmation page and
 * never redirect):
 *   QOC_EINVAL     malformed: not a JWS, bad base64url/JSON, claims missing or mistyped,
 *                  no kid, or no single client when client_id is NULL
 *   QOC_ELIMIT     too long
 *   QOC_ENOTFOUND  no published key has the kid
 *   QOC_EPERM      alg not the key's, typ not "JWT", another issuer, the client is not
 *                  an audience (or differs from azp), issued in the future
 *   QOC_ECRYPTO    the signature does not verify
 *   QOC_ENOMEM
 */
#ifndef QOC_OIDC_ID_TOKEN_HINT_H
#define QOC_OIDC_ID_TOKEN_HINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "oidc/signer.h"

/* Seconds a hint's iat may lie ahead of our clock (clock skew between nodes). */
#define QOC_ID_TOKEN_HINT_SKEW 60

/* What a valid hint says. Strings are allocated from the caller's arena. */
struct qoc_id_token_hint {
	const char *sub;       /* the account the RP believes is signed in */
	const char *client_id; /* the client the hint was issued to (checked as above) */
	const char *sid;       /* the session id, NULL when the token has none */
	int64_t iat;
	int64_t exp;  /* may be in the past: see above */
	bool expired; /* exp <= now, for the caller's logs */
};

/* Verifies hint[len] issued by `issuer`. client_id: the client_id parameter of the
 * logout request, or NULL when it had none. */
enum qoc_err qoc_id_token_hint_verify(struct qoc_signer *signer, const char *issuer,
                                      const char *client_id, const char *hint, size_t len,
                                      int64_t now, struct qoc_arena *a,
                                      struct qoc_id_token_hint *out);

#endif
