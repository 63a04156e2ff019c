/* seal.h - authenticated encryption of secrets at rest (AES-256-GCM).
 *
 * What QOC must be able to read back but must not keep in clear (client secrets the
 * owner can reveal, signing keys) is sealed under a 32-byte key derived from the master
 * key (qoc_kdf(master, QOC_SEAL_PURPOSE)). A blob is
 *
 *     version (1 byte, QOC_SEAL_VERSION) | nonce (12 random bytes) | ciphertext | tag (16)
 *
 * so it is QOC_SEAL_OVERHEAD bytes longer than the plaintext. The version byte and the
 * caller's AAD are authenticated: the AAD names what the blob is and whom it belongs to
 * ("signing-key:<kid>", "client-secret:<client id>"), so a blob copied into another row
 * does not open there. Random 96-bit nonces are safe for far more than the 2^32 seals
 * one key may perform (NIST SP 800-38D §8.3); QOC seals a few per application.
 *
 * qoc_seal_open fails with QOC_ECRYPTO on any change to the blob, a wrong key or a wrong
 * AAD, QOC_EINVAL when the blob is too short or of an unknown version; on failure `out`
 * is left as it was and no plaintext is released.
 *
 * Ownership: inputs are borrowed; both append to `out`. The plaintext that qoc_seal_open
 * appends is a secret: pass an empty buffer and release it with qoc_buf_release_secret.
 */
#ifndef QOC_CRYPTO_SEAL_H
#define QOC_CRYPTO_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define QOC_SEAL_KEY_LEN 32
#define QOC_SEAL_VERSION 1
#define QOC_SEAL_NONCE_LEN 12
#define QOC_SEAL_TAG_LEN 16
#define QOC_SEAL_OVERHEAD (1 + QOC_SEAL_NONCE_LEN + QOC_SEAL_TAG_LEN)
/* The qoc_kdf() purpose of the sealing key. */
#define QOC_SEAL_PURPOSE "qoc seal v1"

enum qoc_err qoc_seal(const uint8_t key[QOC_SEAL_KEY_LEN], const void *aad, size_t aad_len,
                      const void *plain, size_t len, struct qoc_buf *out);

enum qoc_err qoc_seal_open(const uint8_t key[QOC_SEAL_KEY_LEN], const void *aad, size_t aad_len,
                           const void *blob, size_t len, struct qoc_buf *out);

#endif
