/* signer.h - the issuer's usable signing keys, cached for many signing threads.
 *
 * A struct qoc_signer holds an immutable snapshot of the keys in the store:
 *   - per algorithm (RS256, PS256, ES256, EdDSA) the active key, unsealed once (AES-256-GCM
 *     under the master key, AAD "qoc signing-key:<kid>", see keyring.c) and kept as an
 *     OpenSSL key ready to sign;
 *   - every published key (active ones and retired ones still in the JWKS), imported from
 *     its public JWK, for verifying what the issuer signed (id_token_hint).
 * A caller takes a reference to the current snapshot (qoc_signer_get or
 * qoc_signer_verify_key), signs or verifies with no lock held, and gives it back
 * (qoc_signer_put). Taking a reference is a read lock held for a pointer load and an
 * atomic increment; a refresh builds a new snapshot aside and swaps the pointer under the
 * write lock; the old snapshot is freed when its last reference goes.
 *
 * Refresh bound: at most once every QOC_SIGNER_REFRESH_S seconds (by the `now` callers
 * pass), one caller of get/verify_key re-reads the published key set from the store (one
 * query; the other callers do not wait for it, they use the snapshot they have) and, when
 * the set of kids or which of them are active has changed, builds a new snapshot. So a key
 * rotated by `qoc keys rotate` in another process (or by another node on a shared store)
 * signs in this process from the first request at least QOC_SIGNER_REFRESH_S seconds after
 * the previous check, and a retired key stops verifying hints within the same bound after
 * its publish_until. A store error during a refresh keeps the current snapshot (logged)
 * and tries again after the bound. A clock that goes backwards also triggers a check.
 *
 * Thread safety: every function may be called from any number of threads at once, except
 * qoc_signer_free (no call may be running). Ownership: the signer borrows the store (it
 * must outlive the signer) and copies the master key (wiped on free).
 */
#ifndef QOC_OIDC_SIGNER_H
#define QOC_OIDC_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "crypto/sigkey.h"
#include "store/store.h"

/* Largest JWKS document a snapshot keeps. */
#define QOC_SIGNER_JWKS_MAX (256u * 1024)

/* Seconds between two checks of the store for rotated keys. */
#define QOC_SIGNER_REFRESH_S 5

struct qoc_signer;
struct qoc_signer_snapshot;

/* A key borrowed from a snapshot: valid until qoc_signer_put(ref). */
struct qoc_signer_ref {
	const struct qoc_sigkey *key;
	struct qoc_signer_snapshot *snap; /* private */
};

/* Loads the keys (a first snapshot) at `now`. QOC_ECRYPTO when an active private key does
 * not open under master_key or does not match its published public key (a wrong master
 * key: refuse to start rather than sign with nothing); store errors as the store returns
 * them. An algorithm without an active key is not an error here: get returns
 * QOC_ENOTFOUND for it. */
enum qoc_err qoc_signer_new(struct qoc_store *st, const uint8_t master_key[32], int64_t now,
                            struct qoc_signer **out);
/* NULL is a no-op. Every reference must have been put back. */
void qoc_signer_free(struct qoc_signer *s);

/* The active key of alg (its private key; key->alg == alg, key->kid its kid).
 * QOC_ENOTFOUND: no active key of alg; QOC_EINVAL: alg is not a signing algorithm. */
enum qoc_err qoc_signer_get(struct qoc_signer *s, enum qoc_jws_alg alg, int64_t now,
                            struct qoc_signer_ref *ref);

/* The published key whose kid is kid[kid_len] (compared as bytes), for verification: a
 * public key pinned to the algorithm it was made for (key->alg). QOC_ENOTFOUND when no
 * published key has that kid. */
enum qoc_err qoc_signer_verify_key(struct qoc_signer *s, const char *kid, size_t kid_len,
                                   int64_t now, struct qoc_signer_ref *ref);

/* Gives the reference back; ref->key is then NULL. A zeroed ref is a no-op. */
void qoc_signer_put(struct qoc_signer_ref *ref);

/* Appends the JWKS document ({"keys":[...]}, keyring.h) of the current snapshot: the
 * published keys as of the last check, so a rotation or an expiry shows within the
 * refresh bound above, like signing does, without a store read per request. */
enum qoc_err qoc_signer_jwks(struct qoc_signer *s, int64_t now, struct qoc_buf *out);

/* Re-reads the store now, whatever the time of the last check (after this process rotated
 * a key itself, and for tests). Errors as qoc_signer_new; the current snapshot is kept on
 * error. */
enum qoc_err qoc_signer_refresh(struct qoc_signer *s, int64_t now);

#endif
