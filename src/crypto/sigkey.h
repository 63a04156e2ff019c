/* sigkey.h - signing keys for JOSE: an OpenSSL EVP_PKEY pinned to one JWS algorithm.
 *
 * A key is made for exactly one algorithm (RFC 8725 §3.1: a key is used with one
 * algorithm only), and the JWS verifier refuses a token whose "alg" is not that one:
 *   RS256  RSASSA-PKCS1-v1_5 SHA-256   RSA, 2048 bits when generated (RFC 7518 §3.3)
 *   PS256  RSASSA-PSS SHA-256, salt 32  RSA, 2048 bits when generated (RFC 7518 §3.5)
 *   ES256  ECDSA P-256 SHA-256          P-256 (RFC 7518 §3.4)
 *   EdDSA  Ed25519                      (RFC 8037 §3.1)
 * RSA keys of 2048 to 8192 bits are accepted on import (fewer only with
 * QOC_SIGKEY_ALLOW_WEAK_RSA, for test vectors; more would let a peer's key make every
 * verification slow).
 *
 * The kid of a generated or imported key without one is its RFC 7638 JWK thumbprint
 * (base64url SHA-256 of the canonical public JWK), so it is stable and derived from
 * the key alone. A kid is only ever a look-up key: never a path, never SQL.
 *
 * Ownership: a struct qoc_sigkey is a heap object owning its EVP_PKEY and the signature
 * operations prepared for it (sigop.h); free it with qoc_sigkey_free (NULL is a no-op).
 * A key is immutable once made, so one key may sign and verify from many threads at once.
 */
#ifndef QOC_CRYPTO_SIGKEY_H
#define QOC_CRYPTO_SIGKEY_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/types.h>

#include "core/buf.h"
#include "core/err.h"

enum qoc_jws_alg {
	QOC_JWS_ALG_UNSET = 0, /* "no algorithm": never accepted by sign or verify */
	QOC_JWS_RS256,
	QOC_JWS_PS256,
	QOC_JWS_ES256,
	QOC_JWS_EDDSA,
};

#define QOC_SIGKEY_KID_MAX 128
/* RFC 7638 thumbprint: base64url of a SHA-256, without the NUL. */
#define QOC_SIGKEY_THUMBPRINT_LEN 43
#define QOC_SIGKEY_RSA_MIN_BITS 2048
#define QOC_SIGKEY_RSA_MAX_BITS 8192
/* Base64url text of the largest RSA modulus (8192 bits) plus the NUL. */
#define QOC_SIGKEY_B64_MAX 1368

/* Flags for imports. */
#define QOC_SIGKEY_ALLOW_WEAK_RSA 0x1u /* accept RSA from 1024 bits: test vectors only */

struct qoc_sigop;

struct qoc_sigkey {
	EVP_PKEY *pkey;       /* owned */
	struct qoc_sigop *op; /* owned: sign/verify set up once for alg (sigop.h) */
	enum qoc_jws_alg alg;
	bool has_private;
	char kid[QOC_SIGKEY_KID_MAX + 1];
};

/* The public members of a key as JWK base64url text (RFC 7518 §6.2.1, §6.3.1,
 * RFC 8037 §2): RSA fills n and e; EC fills crv, x and y; OKP fills crv and x.
 * Unused members are "". */
struct qoc_sigkey_pub {
	const char *kty; /* "RSA", "EC" or "OKP" */
	const char *crv; /* "P-256", "Ed25519", or "" for RSA */
	char n[QOC_SIGKEY_B64_MAX];
	char e[16];
	char x[44];
	char y[44];
};

/* "RS256", "PS256", "ES256", "EdDSA"; NULL for anything else. */
const char *qoc_sigkey_alg_name(enum qoc_jws_alg alg);
/* The algorithm named exactly (case-sensitive, RFC 7515 §4.1.1) by s[len], or
 * QOC_JWS_ALG_UNSET ("none", "HS256" and anything unknown). */
enum qoc_jws_alg qoc_sigkey_alg_parse(const char *s, size_t len);

/* A new key pair for alg with its thumbprint as kid. */
enum qoc_err qoc_sigkey_generate(enum qoc_jws_alg alg, struct qoc_sigkey **out);

/* Where qoc_sigkey_generate takes its key material from: OpenSSL's generator unless a
 * source is set. A source returns a new key pair for alg (the caller owns it), or NULL to
 * let OpenSSL make one. Only the unit tests set one (tests/unit/support/test_keys.c): a
 * 2048-bit RSA key takes a noticeable fraction of a second under the sanitizers, so they
 * generate each RSA key once per test run and hand out distinct ones. Set it before any
 * key is generated; NULL restores OpenSSL. */
typedef EVP_PKEY *qoc_sigkey_source_fn(enum qoc_jws_alg alg);
void qoc_sigkey_set_source(qoc_sigkey_source_fn *fn);

/* Wraps pkey. Takes ownership of pkey whatever the result. Checks that the key type
 * fits alg (RSA size per the flags, the P-256 curve, Ed25519). kid may be NULL for the
 * thumbprint; otherwise 1 to QOC_SIGKEY_KID_MAX printable ASCII characters. */
enum qoc_err qoc_sigkey_from_pkey(EVP_PKEY *pkey, enum qoc_jws_alg alg, const char *kid,
                                  unsigned flags, struct qoc_sigkey **out);

void qoc_sigkey_free(struct qoc_sigkey *key);

/* Appends the private key as unencrypted PKCS#8 DER (RFC 5208 PrivateKeyInfo) to out,
 * for sealing at rest (seal.h). The bytes are the key: pass an empty buffer and release
 * it with qoc_buf_release_secret. QOC_EINVAL for a public-only key. */
enum qoc_err qoc_sigkey_export_private(const struct qoc_sigkey *key, struct qoc_buf *out);

/* The inverse: a private key of the type alg needs from PKCS#8 DER (nothing may follow
 * it). kid may be NULL for the thumbprint. */
enum qoc_err qoc_sigkey_import_private(enum qoc_jws_alg alg, const void *der, size_t len,
                                       const char *kid, struct qoc_sigkey **out);

/* Fills pub from the key. */
enum qoc_err qoc_sigkey_public(const struct qoc_sigkey *key, struct qoc_sigkey_pub *pub);

/* RFC 7638 §3 thumbprint of the public key, NUL-terminated. */
enum qoc_err qoc_sigkey_thumbprint(const struct qoc_sigkey *key,
                                   char out[QOC_SIGKEY_THUMBPRINT_LEN + 1]);

#endif
