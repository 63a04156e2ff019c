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
#include "store/store.h"

struct qoc_keyring_params {
	struct qoc_store *store;
	const struct qoc_clock *clock;
	const uint8_t *master_key;  /* 32 bytes, borrowed */
	const char *alg;            /* "RS256", "PS256", "ES256", "EdDSA" for new keys */
	int64_t retention;          /* seconds a retired key stays published */
};

/* Generates a key of p->alg, seals it and makes it the active key, retiring the current
 * one. kid_out (>= 64 bytes) receives its kid. */
enum qoc_err qoc_keyring_rotate(const struct qoc_keyring_params *p, char *kid_out,
				size_t kid_size);

/* Makes a first key when there is no active one; *created tells whether it did. */
enum qoc_err qoc_keyring_ensure(const struct qoc_keyring_params *p, bool *created);

/* Appends {"keys":[...]} (public JWKs: active first, then retired ones still published). */
enum qoc_err qoc_keyring_jwks(struct qoc_store *st, const struct qoc_clock *clock,
			      struct qoc_buf *out);

#endif
