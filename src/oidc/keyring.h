/* keyring.h - the signing keys of the issuer: creation, rotation, publication.
 *
 * Private keys are sealed (AES-256-GCM under the master key, bound to their kid) before
 * they reach the store and are never written anywhere in the clear. A rotated-out key
 * stays published in the JWKS for `retention` seconds so that every token it signed can
 * still be verified until it expires.
 */
#ifndef QOC_OIDC_KEYRING_H
#define QOC_OIDC_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "crypto/sigkey.h"
#include "store/store.h"

/* The algorithms the issuer keeps an active key for: one active key each, so that every
 * application can have its ID tokens signed with the algorithm it registered
 * (id_token_signed_response_alg). Order: RS256, PS256, ES256, EdDSA. */
#define QOC_KEYRING_ALG_COUNT 4
extern const enum qoc_jws_alg qoc_keyring_algs[QOC_KEYRING_ALG_COUNT];

/* Flags for struct qoc_keyring_params. */
#define QOC_KEYRING_ALL_ALGS 0x1u /* qoc_keyring_rotate: rotate every algorithm's key */

struct qoc_keyring_params {
	struct qoc_store *store;
	const struct qoc_clock *clock;
	const uint8_t *master_key;  /* 32 bytes, borrowed */
	const char *alg;            /* "RS256", "PS256", "ES256", "EdDSA": the one rotated */
	int64_t retention;          /* seconds a retired key stays published */
	unsigned flags;             /* QOC_KEYRING_ALL_ALGS */
};

/* Generates a key of p->alg, seals it and makes it the active key of that algorithm,
 * retiring the current active key of the same algorithm only (keys of the other
 * algorithms stay active). With QOC_KEYRING_ALL_ALGS every algorithm of
 * qoc_keyring_algs is rotated in turn (each its own store transaction; on an error the
 * ones before it stay rotated) and kid_out gets the new kid of p->alg. kid_out
 * (>= 64 bytes) receives the kid. QOC_EINVAL: p->alg is not one of the four. */
enum qoc_err qoc_keyring_rotate(const struct qoc_keyring_params *p, char *kid_out,
				size_t kid_size);

/* Makes sure every algorithm of qoc_keyring_algs has an active key, making the missing
 * ones (p->alg and p->flags are not used); *created tells whether it made any. */
enum qoc_err qoc_keyring_ensure(const struct qoc_keyring_params *p, bool *created);

/* The key that seals private signing keys: qoc_kdf(master, QOC_SEAL_PURPOSE), the same
 * sealing subkey as client secrets (their AADs differ). A contract: changing it makes every
 * stored private key unreadable. */
enum qoc_err qoc_keyring_seal_key(const uint8_t master_key[32], uint8_t out[32]);

/* Appends {"keys":[...]} (public JWKs: the active keys first, then retired ones still
 * published). */
enum qoc_err qoc_keyring_jwks(struct qoc_store *st, const struct qoc_clock *clock,
			      struct qoc_buf *out);
/* The same document from records already read (key_list_published's order). */
enum qoc_err qoc_keyring_jwks_of(const struct qoc_key_record *keys, size_t n, struct qoc_buf *out);

#endif
