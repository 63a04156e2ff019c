/* pkce.h - Proof Key for Code Exchange, S256 only (RFC 7636; SECURITY.md "PKCE").
 *
 * The authorization request carries code_challenge = base64url(SHA-256(code_verifier))
 * (§4.2); the token request carries the verifier, and the server recomputes and compares
 * (§4.6). "plain" is not offered: it protects nothing once the request leaks.
 * Strings are borrowed (pointer + length, not necessarily NUL-terminated).
 */
#ifndef QOC_CRYPTO_PKCE_H
#define QOC_CRYPTO_PKCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define QOC_PKCE_VERIFIER_MIN 43
#define QOC_PKCE_VERIFIER_MAX 128
/* An S256 challenge: base64url of 32 bytes. */
#define QOC_PKCE_CHALLENGE_LEN 43

/* RFC 7636 §4.1: 43 to 128 characters of [A-Za-z0-9-._~]. */
bool qoc_pkce_verifier_valid(const char *s, size_t len);

/* Is s an S256 challenge: 43 canonical base64url characters (§4.2)? Checked at the
 * authorization request, so a malformed challenge is refused before a code exists. */
bool qoc_pkce_challenge_valid(const char *s, size_t len);

/* out = base64url(SHA-256(verifier)), NUL-terminated (§4.2). QOC_EINVAL when the
 * verifier is not valid. */
enum qoc_err qoc_pkce_s256(const char *verifier, size_t len, char out[QOC_PKCE_CHALLENGE_LEN + 1]);

/* Does verifier match challenge (§4.6)? false for an invalid verifier; the comparison of
 * the computed and the stored challenge is constant-time. */
bool qoc_pkce_check(const char *verifier, size_t vlen, const char *challenge, size_t clen);

#endif
