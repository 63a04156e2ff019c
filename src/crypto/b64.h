/* b64.h - base64url (RFC 4648 §5, no padding) and standard base64 (RFC 4648 §4).
 *
 * Decoding is strict, because every encoded value QOC reads comes from a network peer
 * and must have exactly one spelling (a second spelling of a token, a signature or a
 * JWS part is a way around a cache, a hash or a comparison):
 *   - base64url: the alphabet A-Z a-z 0-9 - _ only; no padding, no whitespace; a length
 *     of 1 modulo 4 is refused; the unused low bits of the last character must be zero
 *     (RFC 4648 §3.5 "canonical encoding").
 *   - standard base64 (HTTP Basic, RFC 7617): A-Z a-z 0-9 + /, padding required so the
 *     length is a multiple of 4, '=' only at the end, canonical trailing bits.
 * Both reject anything else with QOC_EINVAL. Character mapping runs without
 * secret-dependent branches or table look-ups, because decoded values are often secrets
 * (Basic credentials, keys).
 *
 * Ownership: inputs are borrowed. The qoc_buf variants append to `out` (pass an empty
 * buffer when the result is a secret: its first allocation is then exact, so no copy of
 * the secret is left behind by a reallocation; release it with qoc_buf_release_secret).
 * On error `out` is left as it was.
 */
#ifndef QOC_CRYPTO_B64_H
#define QOC_CRYPTO_B64_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Characters base64url needs for n bytes (no padding, no NUL). */
static inline size_t qoc_b64url_encoded_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Upper bound on the bytes decoded from n characters (exact for valid base64url). */
static inline size_t qoc_b64url_decoded_len(size_t n)
{
	return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
}

/* Appends base64url(in) to out. QOC_ELIMIT when out's maximum is reached. */
enum qoc_err qoc_b64url_encode(const void *in, size_t len, struct qoc_buf *out);

/* Writes base64url(in) and a NUL into out[out_size]; *out_len (may be NULL) gets the
 * character count. QOC_ELIMIT when out_size < qoc_b64url_encoded_len(len) + 1. */
enum qoc_err qoc_b64url_encode_to(const void *in, size_t len, char *out, size_t out_size,
                                  size_t *out_len);

/* Strict base64url decode, appended to out. */
enum qoc_err qoc_b64url_decode(const char *in, size_t len, struct qoc_buf *out);

/* Strict base64url decode into out[out_size]; *out_len gets the byte count.
 * QOC_ELIMIT when the result does not fit; out is wiped on any error. */
enum qoc_err qoc_b64url_decode_to(const char *in, size_t len, uint8_t *out, size_t out_size,
                                  size_t *out_len);

/* Strict standard base64 decode (padding required), appended to out. */
enum qoc_err qoc_b64_decode(const char *in, size_t len, struct qoc_buf *out);

#endif
