/* token.h - opaque tokens, client identifiers and client secrets.
 *
 * Tokens (access, refresh, codes, session ids, PATs) are a readable prefix plus
 * base64url(n random bytes from the kernel CSPRNG), n >= 16 (128 bits, SECURITY.md
 * "Codes, PKCE, tokens"). The store keeps only qoc_token_hash(token), so a database leak
 * gives no usable token; a presented token is hashed and looked up by that hash (an
 * equality look-up on a hash of a 128+-bit secret needs no constant-time compare).
 *
 * Client secrets (ARCHITECTURE.md §5) are "qoc_secret_" + 43 base64url characters
 * (32 random bytes). Verification uses a keyed hash, HMAC-SHA256 under a subkey of the
 * master key (qoc_kdf(master, QOC_SECRET_HASH_PURPOSE)), compared in constant time; the
 * sealed copy that lets the owner reveal the secret is seal.h's business.
 *
 * Client identifiers are "qoc_client_" + 24 characters of [a-z0-9]; they are public.
 *
 * Ownership: inputs are borrowed. Outputs are caller buffers; the qoc_buf variants
 * append (pass an empty buffer, release it with qoc_buf_release_secret: tokens and
 * secrets are secrets). The _with variants take an injected random source for tests;
 * production code uses the plain ones (the kernel CSPRNG).
 */
#ifndef QOC_CRYPTO_TOKEN_H
#define QOC_CRYPTO_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/random.h"

#define QOC_TOKEN_MIN_BYTES 16
#define QOC_TOKEN_MAX_BYTES 64
#define QOC_TOKEN_PREFIX_MAX 32
/* qoc_token_hash() output: base64url(SHA-256) without the NUL. */
#define QOC_TOKEN_HASH_LEN 43

#define QOC_CLIENT_ID_PREFIX "qoc_client_"
#define QOC_CLIENT_ID_RANDOM_LEN 24
#define QOC_CLIENT_ID_LEN (sizeof(QOC_CLIENT_ID_PREFIX) - 1 + QOC_CLIENT_ID_RANDOM_LEN)

#define QOC_SECRET_PREFIX "qoc_secret_"
#define QOC_SECRET_BYTES 32
#define QOC_SECRET_LEN (sizeof(QOC_SECRET_PREFIX) - 1 + 43)
#define QOC_SECRET_HASH_LEN 32
/* The qoc_kdf() purpose of the client-secret hashing key. */
#define QOC_SECRET_HASH_PURPOSE "qoc client-secret v1"

/* Appends prefix + base64url(nbytes random bytes) to out. prefix: at most
 * QOC_TOKEN_PREFIX_MAX printable ASCII characters, may be "". QOC_EINVAL when nbytes is
 * outside [QOC_TOKEN_MIN_BYTES, QOC_TOKEN_MAX_BYTES] or the prefix is unfit. */
enum qoc_err qoc_token_new(const char *prefix, size_t nbytes, struct qoc_buf *out);
enum qoc_err qoc_token_new_with(const struct qoc_random *rng, const char *prefix, size_t nbytes,
                                struct qoc_buf *out);

/* out = base64url(SHA-256(token)), NUL-terminated: what the store keeps for a token or
 * code. */
enum qoc_err qoc_token_hash(const char *token, size_t len, char out[QOC_TOKEN_HASH_LEN + 1]);

/* A new client id "qoc_client_" + 24 of [a-z0-9], uniform (rejection sampling, no
 * modulo bias), NUL-terminated. */
enum qoc_err qoc_token_client_id(char out[QOC_CLIENT_ID_LEN + 1]);
enum qoc_err qoc_token_client_id_with(const struct qoc_random *rng,
                                      char out[QOC_CLIENT_ID_LEN + 1]);

/* Does s have the client id form: "qoc_client_" + 18 to 64 of [a-z0-9]? */
bool qoc_token_client_id_valid(const char *s, size_t len);

/* Appends a new client secret "qoc_secret_" + base64url(32 random bytes) to out. */
enum qoc_err qoc_secret_new(struct qoc_buf *out);

/* Does s have the client secret form: "qoc_secret_" + 43 canonical base64url characters? */
bool qoc_secret_valid(const char *s, size_t len);

/* out = HMAC-SHA256(key, secret): the verifier the store keeps for a client secret.
 * key is the 32-byte subkey qoc_kdf(master, QOC_SECRET_HASH_PURPOSE). */
enum qoc_err qoc_secret_hash(const uint8_t key[32], const char *secret, size_t len,
                             uint8_t out[QOC_SECRET_HASH_LEN]);

/* Recomputes the keyed hash of the presented secret and compares it with stored in
 * constant time. For an unknown client, call it with any fixed stored value so the
 * request takes the same path and time (SECURITY.md "Token endpoint"). false also when
 * hashing fails. */
bool qoc_secret_verify(const uint8_t key[32], const char *secret, size_t len,
                       const uint8_t stored[QOC_SECRET_HASH_LEN]);

#endif
