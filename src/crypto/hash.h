/* hash.h - SHA-256, HMAC-SHA256 and HKDF-SHA256 (OpenSSL EVP; HMAC from libsodium).
 *
 * One master key (see masterkey.h) never keys anything directly: every use derives its
 * own subkey with qoc_kdf() and a purpose string ("qoc seal v1", "qoc client-secret v1"),
 * so a key compromised or misused in one place says nothing about the others, and a
 * purpose can be re-keyed by changing its version suffix.
 *
 * All inputs are borrowed; outputs are caller buffers of the stated size. The functions
 * return QOC_ECRYPTO only when OpenSSL itself fails (out of memory inside it, a broken
 * provider); callers treat that as a server error, never as a verdict on the input.
 */
#ifndef QOC_CRYPTO_HASH_H
#define QOC_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define QOC_SHA256_LEN 32
#define QOC_SHA512_LEN 64
#define QOC_KDF_KEY_LEN 32

/* out = SHA-256(data). */
enum qoc_err qoc_hash_sha256(const void *data, size_t len, uint8_t out[QOC_SHA256_LEN]);

/* out = SHA-512(data) (for the at_hash of EdDSA ID tokens, oidc/id_token.h). */
enum qoc_err qoc_hash_sha512(const void *data, size_t len, uint8_t out[QOC_SHA512_LEN]);

/* out = HMAC-SHA256(key, data) (RFC 2104). key_len may be anything but zero. */
enum qoc_err qoc_hash_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                                  uint8_t out[QOC_SHA256_LEN]);

/* RFC 5869 extract-and-expand. salt may be NULL/0 (a string of zeros, §2.2), info NULL/0.
 * out_len is at most 255 * 32 bytes (§2.3), QOC_EINVAL beyond. */
enum qoc_err qoc_hash_hkdf_sha256(const void *ikm, size_t ikm_len, const void *salt,
                                  size_t salt_len, const void *info, size_t info_len, uint8_t *out,
                                  size_t out_len);

/* A purpose-specific 32-byte subkey of the 32-byte master key:
 * HKDF-SHA256(ikm = master, salt = none, info = purpose). purpose is a non-empty C string;
 * the same (master, purpose) always gives the same key. Wipe `out` after use. */
enum qoc_err qoc_kdf(const uint8_t master[QOC_KDF_KEY_LEN], const char *purpose,
                     uint8_t out[QOC_KDF_KEY_LEN]);

#endif
