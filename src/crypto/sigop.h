/* sigop.h - the signature operations of one key, prepared once.
 *
 * OpenSSL 3 looks the digest and the signature algorithm up in its provider store (a
 * global lock and a hash table walk) on every EVP_DigestSignInit. A struct qoc_sigop does
 * those look-ups once, when the key is made (sigkey.c), and keeps templates already set
 * up with the parameters RFC 7518 fixes for the algorithm:
 *   RS256  SHA-256, RSASSA-PKCS1-v1_5                              (RFC 7518 §3.3)
 *   PS256  SHA-256, RSASSA-PSS, MGF1 with SHA-256, salt 32 octets  (RFC 7518 §3.5)
 *   ES256  SHA-256, ECDSA P-256; the signature here is DER          (RFC 7518 §3.4)
 *   EdDSA  Ed25519 over the message itself, no separate digest     (RFC 8037 §3.1)
 * Every operation works on its own duplicate of a template; the templates themselves
 * are only ever read, so one struct qoc_sigop may serve many threads at once.
 *
 * Ownership: a struct qoc_sigop belongs to the struct qoc_sigkey it was made for and
 * holds its own references to the key's EVP_PKEY; free it with qoc_sigop_free (NULL is
 * a no-op).
 */
#ifndef QOC_CRYPTO_SIGOP_H
#define QOC_CRYPTO_SIGOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "core/err.h"
#include "crypto/sigkey.h"

struct qoc_sigop;

/* Prepares verification with pkey for alg, and signing too when can_sign (pkey holds
 * the private key). pkey must already fit alg (sigkey.c checks it). */
enum qoc_err qoc_sigop_new(EVP_PKEY *pkey, enum qoc_jws_alg alg, bool can_sign,
                           struct qoc_sigop **out);

void qoc_sigop_free(struct qoc_sigop *op);

/* Signs data[len] into sig: *siglen is the size of sig on entry, the signature's length
 * on return. For ES256 the signature is the DER ECDSA-Sig-Value OpenSSL makes, not the
 * JOSE R || S form. QOC_EINVAL when op was prepared without signing. */
enum qoc_err qoc_sigop_sign(const struct qoc_sigop *op, const void *data, size_t len, uint8_t *sig,
                            size_t *siglen);

/* QOC_OK when sig[siglen] (DER for ES256) is a valid signature over data[len],
 * QOC_ECRYPTO when it is not, QOC_ENOMEM when the check could not run. */
enum qoc_err qoc_sigop_verify(const struct qoc_sigop *op, const void *data, size_t len,
                              const uint8_t *sig, size_t siglen);

#endif
