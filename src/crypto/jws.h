/* jws.h - JWS compact serialization (RFC 7515 §7.1) on OpenSSL EVP.
 *
 * Signing: the protected header is {"alg", "kid"} plus the caller's extra members (for
 * example "typ": "JWT", "at+jwt"); the payload is any bytes. Signatures follow RFC 7518:
 * RS256 PKCS#1 v1.5, PS256 PSS with MGF1-SHA-256 and a 32-byte salt, ES256 as the 64-byte
 * R || S (not DER, §3.4), EdDSA over the signing input with no pre-hash (RFC 8037 §3.1).
 *
 * Verification pins the algorithm (RFC 8725 §3.1, §2.1): the caller says which one it
 * expects and the header's "alg" must be exactly that name; "none", HMAC and every other
 * name are refused, and so is a key made for another algorithm. Headers that would let
 * the token choose its own key or change the rules ("jku", "jwk", "x5u", "x5c", "crit")
 * are refused (RFC 8725 §3.10; SECURITY.md: "never trusts alg, jku or kid paths").
 * "kid" is only handed to the caller's look-up as a string. Parsing is strict: at most
 * QOC_JWS_MAX_LEN bytes, exactly three parts, strict base64url (no padding, canonical),
 * a header that is a JSON object with no duplicate members and no nesting deeper than
 * QOC_JWS_MAX_DEPTH, an ES256 or EdDSA signature of exactly 64 bytes, an RSA signature
 * exactly the modulus size. Verification never crashes or asserts on any input (there is
 * a libFuzzer target, fuzz/fuzz_jws.c).
 *
 * Errors from verify (all mean "not a valid token" to a caller):
 *   QOC_ELIMIT    too long, or the header nests too deep
 *   QOC_EINVAL    malformed: parts, base64url, JSON, member types, unknown expected alg
 *   QOC_EPERM     refused by policy: alg not the expected one, a forbidden header, a key
 *                 whose algorithm is not the expected one
 *   QOC_ENOTFOUND the look-up found no key for the kid
 *   QOC_ECRYPTO   the signature does not verify (or has the wrong size)
 *   QOC_ENOMEM
 *
 * Ownership: inputs are borrowed; outputs are appended to the caller's qoc_buf, and only
 * on success (on failure the buffer is left as it was).
 */
#ifndef QOC_CRYPTO_JWS_H
#define QOC_CRYPTO_JWS_H

#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/sigkey.h"

#define QOC_JWS_MAX_LEN 16384
#define QOC_JWS_MAX_DEPTH 16

/* Returns the key for kid (kid is NULL and kid_len 0 when the header has none), or NULL
 * when there is none. The key stays owned by the caller's key store and must outlive the
 * qoc_jws_verify_lookup call. kid is not NUL-terminated and may contain any characters
 * except NUL: compare it as bytes, never use it as a path or in SQL text. */
typedef const struct qoc_sigkey *(*qoc_jws_key_lookup_fn)(void *ctx, const char *kid,
                                                          size_t kid_len);

/* Appends the compact JWS of payload[len] to out. key must hold a private key.
 * extra_header (may be NULL) is a JSON object whose members are added after "alg" and
 * "kid"; it may not contain "alg", "kid", "crit" or "b64" (QOC_EINVAL). */
enum qoc_err qoc_jws_sign(const struct qoc_sigkey *key, const char *payload, size_t len,
                          const json_t *extra_header, struct qoc_buf *out);
/* The same with the header {"alg", "kid", "typ": typ}, written without building a JSON
 * tree (the header of every token qoc issues). The output is the one qoc_jws_sign gives
 * for an extra header {"typ": typ}. */
enum qoc_err qoc_jws_sign_typ(const struct qoc_sigkey *key, const char *payload, size_t len,
                              const char *typ, struct qoc_buf *out);

/* Appends base64url(signature over input[len]) to out: the third part of a JWS whose
 * first two parts are `input`. For callers that build the header themselves (and for
 * the published test vectors, whose headers carry no kid). */
enum qoc_err qoc_jws_sign_input(const struct qoc_sigkey *key, const char *input, size_t len,
                                struct qoc_buf *out);

/* Verifies compact[len] with one known key and appends the decoded payload to
 * payload_out. The header's kid, if any, is not checked against key->kid. */
enum qoc_err qoc_jws_verify(const char *compact, size_t len, enum qoc_jws_alg expected,
                            const struct qoc_sigkey *key, struct qoc_buf *payload_out);

/* The same with the key chosen by lookup(ctx, kid). */
enum qoc_err qoc_jws_verify_lookup(const char *compact, size_t len, enum qoc_jws_alg expected,
                                   qoc_jws_key_lookup_fn lookup, void *ctx,
                                   struct qoc_buf *payload_out);

#endif
