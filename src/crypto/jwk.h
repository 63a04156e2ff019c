/* jwk.h - JSON Web Keys (RFC 7517) for struct qoc_sigkey.
 *
 * Export: the public JWK that goes into the JWKS document (RFC 7517 §5), never a private
 * member. Import: public or private JWKs of the three key types QOC signs with, built
 * through OSSL_PARAM_BLD + EVP_PKEY_fromdata and then checked by OpenSSL (the point is
 * on the curve, the private key matches the public one, the RSA factors multiply out):
 *   RSA  n, e (+ d, p, q, dp, dq, qi, all six or none; "oth" is refused) (RFC 7518 §6.3)
 *   EC   crv "P-256", x, y of 32 octets each (+ d of 32 octets)          (RFC 7518 §6.2)
 *   OKP  crv "Ed25519", x of 32 octets (+ d of 32 octets)                (RFC 8037 §2)
 * Integers must be strict base64url without leading zero octets (RFC 7518 §2
 * Base64urlUInt); coordinates and OKP keys must be exactly their size. Anything else
 * (kty "oct", other curves, RSA under 2048 bits unless QOC_SIGKEY_ALLOW_WEAK_RSA, RSA
 * over 8192 bits or with an exponent over 8 octets, non-string members) is QOC_EINVAL.
 * "use" and "key_ops" are not checked here: a caller picking keys out of a JWKS filters
 * on them.
 *
 * Ownership: the json_t is borrowed on import; the key returned is the caller's
 * (qoc_sigkey_free). qoc_jwk_public_json returns a new reference (json_decref).
 */
#ifndef QOC_CRYPTO_JWK_H
#define QOC_CRYPTO_JWK_H

#include <jansson.h>

#include "core/err.h"
#include "crypto/sigkey.h"

/* {"kty", ["crv",] "x"/"y" or "n"/"e", "kid", "alg", "use": "sig"}. NULL when out of
 * memory or when OpenSSL cannot give the public members. */
json_t *qoc_jwk_public_json(const struct qoc_sigkey *key);

/* Imports a JWK. The key's algorithm is `alg` when given; otherwise the JWK's "alg"
 * member; otherwise the one its type implies (RSA: RS256, EC P-256: ES256, OKP Ed25519:
 * EdDSA). An "alg" member that disagrees with `alg` or with the key type is QOC_EINVAL.
 * The kid is the JWK's "kid" member when present (1 to QOC_SIGKEY_KID_MAX printable
 * ASCII characters), else the RFC 7638 thumbprint. flags: QOC_SIGKEY_ALLOW_WEAK_RSA. */
enum qoc_err qoc_jwk_import(const json_t *jwk, enum qoc_jws_alg alg, unsigned flags,
                            struct qoc_sigkey **out);

#endif
