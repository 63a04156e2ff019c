/* signer.c - snapshots of the signing keys, swapped under a read-mostly lock (signer.h). */
#include "oidc/signer.h"
#include "oidc/keyring.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/jwk.h"
#include "crypto/seal.h"

#define ALG_SLOTS (QOC_JWS_EDDSA + 1) /* indexed by enum qoc_jws_alg; slot 0 unused */
#define FINGERPRINT_MAX (64u * 1024)
#define PRIVATE_MAX (8u * 1024)
#define LIST_ARENA (1u << 20)

struct qoc_signer_snapshot {
	atomic_uint refs;
	struct qoc_sigkey *active[ALG_SLOTS]; /* private keys */
	struct qoc_sigkey **published;        /* public keys, active ones included */
	size_t npublished;
	char *fingerprint; /* kid, alg and active/retired of every published key */
	char *jwks;        /* the JWKS document of the published keys */
	size_t jwks_len;
};

struct qoc_signer {
	struct qoc_store *st;
	uint8_t master[32];
	pthread_rwlock_t lock; /* guards cur (the pointer, not the snapshot) */
	struct qoc_signer_snapshot *cur;
	pthread_mutex_t refresh_mu; /* one refresher at a time; the only writer of cur */
	_Atomic int64_t checked_at;
};

static void snap_free(struct qoc_signer_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; i < ALG_SLOTS; i++)
		qoc_sigkey_free(snap->active[i]);
	for (size_t i = 0; i < snap->npublished; i++)
		qoc_sigkey_free(snap->published[i]);
	free(snap->published);
	free(snap->fingerprint);
	free(snap->jwks);
	free(snap);
}

static void snap_put(struct qoc_signer_snapshot *snap)
{
	if (snap && atomic_fetch_sub_explicit(&snap->refs, 1, memory_order_acq_rel) == 1)
		snap_free(snap);
}

/* "kid alg A|R\n" for every published key, in the store's order, after a header line (so
 * the text is never empty). */
static enum qoc_err fingerprint(const struct qoc_key_record *keys, size_t n, struct qoc_buf *out)
{
	enum qoc_err err = qoc_buf_append_cstr(out, "keys\n");
	for (size_t i = 0; !err && i < n; i++)
		err = qoc_buf_printf(out, "%s %s %c\n", keys[i].kid, keys[i].alg,
		                     keys[i].retired_at == 0 ? 'A' : 'R');
	return err;
}

/* The public key of a record, from its published JWK, pinned to the record's alg. */
static enum qoc_err public_key(const struct qoc_key_record *rec, enum qoc_jws_alg alg,
                               struct qoc_sigkey **out)
{
	json_error_t jerr;
	json_t *jwk = json_loads(rec->public_jwk, JSON_REJECT_DUPLICATES, &jerr);
	if (!jwk)
		return QOC_EINVAL;
	enum qoc_err err = qoc_jwk_import(jwk, alg, 0, out);
	json_decref(jwk);
	if (!err && strcmp((*out)->kid, rec->kid) != 0) {
		qoc_sigkey_free(*out);
		*out = NULL;
		err = QOC_EINVAL;
	}
	return err;
}

/* Opens the sealed private key of an active record and checks it is the key whose public
 * half is published (else tokens would not verify against the JWKS). */
static enum qoc_err private_key(const uint8_t master[32], const struct qoc_key_record *rec,
                                enum qoc_jws_alg alg, const struct qoc_sigkey *pub,
                                struct qoc_sigkey **out)
{
	struct qoc_buf der;
	char aad[QOC_SIGKEY_KID_MAX + 32];
	int n = snprintf(aad, sizeof(aad), "qoc signing-key:%s", rec->kid);
	if (n < 0 || (size_t)n >= sizeof(aad))
		return QOC_ELIMIT;
	qoc_buf_init(&der, PRIVATE_MAX);
	enum qoc_err err = qoc_seal_open(master, aad, (size_t)n, rec->sealed_private,
	                                 rec->sealed_private_len, &der);
	if (err)
		goto out;
	if ((err = qoc_sigkey_import_private(alg, der.data, der.len, rec->kid, out)))
		goto out;
	if (EVP_PKEY_eq((*out)->pkey, pub->pkey) != 1) {
		qoc_sigkey_free(*out);
		*out = NULL;
		err = QOC_ECRYPTO;
	}
out:
	qoc_buf_release_secret(&der);
	return err;
}

/* Adds one record to snap. An unusable retired key is left out (logged): it can only
 * have verified old hints. An unusable active key is an error: it would sign nothing. */
static enum qoc_err add_record(const uint8_t master[32], const struct qoc_key_record *rec,
                               struct qoc_signer_snapshot *snap)
{
	enum qoc_jws_alg alg = qoc_sigkey_alg_parse(rec->alg, strlen(rec->alg));
	bool active = rec->retired_at == 0;
	struct qoc_sigkey *pub = NULL, *priv = NULL;
	enum qoc_err err = alg == QOC_JWS_ALG_UNSET ? QOC_EINVAL : public_key(rec, alg, &pub);
	if (!err && active && !snap->active[alg])
		err = private_key(master, rec, alg, pub, &priv);
	if (err) {
		qoc_log_warn(active ? "signer: active signing key unusable"
		                    : "signer: retired signing key left out",
		             "kid=%s alg=%s err=%s", rec->kid, rec->alg, qoc_strerror(err));
		qoc_sigkey_free(pub);
		return active ? (err == QOC_ENOMEM ? err : QOC_ECRYPTO) : QOC_OK;
	}
	snap->published[snap->npublished++] = pub;
	if (priv)
		snap->active[alg] = priv;
	return QOC_OK;
}

static enum qoc_err build(const uint8_t master[32], const struct qoc_key_record *keys, size_t n,
                          char *fp, struct qoc_signer_snapshot **out)
{
	struct qoc_signer_snapshot *snap = calloc(1, sizeof(*snap));
	if (!snap)
		return QOC_ENOMEM;
	atomic_init(&snap->refs, 1);
	enum qoc_err err = QOC_OK;
	if (n && !(snap->published = calloc(n, sizeof(*snap->published))))
		err = QOC_ENOMEM;
	for (size_t i = 0; !err && i < n; i++)
		err = add_record(master, &keys[i], snap);
	struct qoc_buf jwks;
	qoc_buf_init(&jwks, QOC_SIGNER_JWKS_MAX);
	if (!err && !(err = qoc_keyring_jwks_of(keys, n, &jwks))) {
		snap->jwks_len = jwks.len;
		snap->jwks = jwks.data; /* the snapshot owns it */
	} else {
		qoc_buf_release(&jwks);
	}
	if (err) {
		snap_free(snap);
		return err;
	}
	snap->fingerprint = fp; /* owned from here on, not before: on error the caller frees it */
	*out = snap;
	return QOC_OK;
}

/* Reads the published keys at now. *out is a new snapshot, or NULL when the key set has
 * the fingerprint `same` (nothing changed). */
static enum qoc_err load(struct qoc_signer *s, int64_t now, const char *same,
                         struct qoc_signer_snapshot **out)
{
	struct qoc_arena a;
	struct qoc_buf fp;
	struct qoc_key_record *keys = NULL;
	size_t n = 0;
	*out = NULL;
	qoc_arena_init(&a, LIST_ARENA);
	qoc_buf_init(&fp, FINGERPRINT_MAX);
	enum qoc_err err = qoc_store_key_list_published(s->st, &a, now, &keys, &n);
	if (err || (err = fingerprint(keys, n, &fp)))
		goto out;
	if (same && strcmp(same, fp.data) == 0)
		goto out;
	err = build(s->master, keys, n, fp.data, out);
	if (!err)
		fp.data = NULL; /* the snapshot owns it */
out:
	qoc_buf_release(&fp);
	qoc_arena_release(&a);
	return err;
}

enum qoc_err qoc_signer_new(struct qoc_store *st, const uint8_t master_key[32], int64_t now,
                            struct qoc_signer **out)
{
	*out = NULL;
	struct qoc_signer *s = calloc(1, sizeof(*s));
	if (!s)
		return QOC_ENOMEM;
	s->st = st;
	/* Only the sealing subkey is kept: it is all the signer needs (keyring.h). */
	if (qoc_keyring_seal_key(master_key, s->master) != QOC_OK) {
		free(s);
		return QOC_ECRYPTO;
	}
	atomic_init(&s->checked_at, now);
	if (pthread_rwlock_init(&s->lock, NULL) != 0) {
		qoc_memwipe(s->master, sizeof(s->master));
		free(s);
		return QOC_ENOMEM;
	}
	if (pthread_mutex_init(&s->refresh_mu, NULL) != 0) {
		pthread_rwlock_destroy(&s->lock);
		qoc_memwipe(s->master, sizeof(s->master));
		free(s);
		return QOC_ENOMEM;
	}
	enum qoc_err err = load(s, now, NULL, &s->cur);
	if (err) {
		qoc_signer_free(s);
		return err;
	}
	*out = s;
	return QOC_OK;
}

void qoc_signer_free(struct qoc_signer *s)
{
	if (!s)
		return;
	snap_put(s->cur);
	pthread_mutex_destroy(&s->refresh_mu);
	pthread_rwlock_destroy(&s->lock);
	qoc_memwipe(s->master, sizeof(s->master));
	free(s);
}

/* Caller holds refresh_mu, so nobody else swaps cur meanwhile. */
static enum qoc_err refresh_locked(struct qoc_signer *s, int64_t now)
{
	struct qoc_signer_snapshot *old = s->cur, *fresh = NULL;
	atomic_store_explicit(&s->checked_at, now, memory_order_relaxed);
	enum qoc_err err = load(s, now, old ? old->fingerprint : NULL, &fresh);
	if (err) {
		qoc_log_warn("signer: key refresh failed; keeping the keys in use", "err=%s",
		             qoc_strerror(err));
		return err;
	}
	if (!fresh)
		return QOC_OK;
	pthread_rwlock_wrlock(&s->lock);
	s->cur = fresh;
	pthread_rwlock_unlock(&s->lock);
	snap_put(old); /* the signer's reference; readers may still hold theirs */
	qoc_log_info("signer: signing keys reloaded", "published=%zu", fresh->npublished);
	return QOC_OK;
}

enum qoc_err qoc_signer_refresh(struct qoc_signer *s, int64_t now)
{
	pthread_mutex_lock(&s->refresh_mu);
	enum qoc_err err = refresh_locked(s, now);
	pthread_mutex_unlock(&s->refresh_mu);
	return err;
}

static bool due(const struct qoc_signer *s, int64_t now)
{
	int64_t last = atomic_load_explicit(&s->checked_at, memory_order_relaxed);
	return now < last || now - last >= QOC_SIGNER_REFRESH_S;
}

/* At most one caller refreshes; the others carry on with the snapshot they get. */
static void maybe_refresh(struct qoc_signer *s, int64_t now)
{
	if (!due(s, now) || pthread_mutex_trylock(&s->refresh_mu) != 0)
		return;
	if (due(s, now))
		(void)refresh_locked(s, now);
	pthread_mutex_unlock(&s->refresh_mu);
}

static struct qoc_signer_snapshot *acquire(struct qoc_signer *s, int64_t now)
{
	maybe_refresh(s, now);
	pthread_rwlock_rdlock(&s->lock);
	struct qoc_signer_snapshot *snap = s->cur;
	atomic_fetch_add_explicit(&snap->refs, 1, memory_order_relaxed);
	pthread_rwlock_unlock(&s->lock);
	return snap;
}

enum qoc_err qoc_signer_get(struct qoc_signer *s, enum qoc_jws_alg alg, int64_t now,
                            struct qoc_signer_ref *ref)
{
	ref->key = NULL;
	ref->snap = NULL;
	if (alg <= QOC_JWS_ALG_UNSET || alg >= ALG_SLOTS)
		return QOC_EINVAL;
	struct qoc_signer_snapshot *snap = acquire(s, now);
	if (!snap->active[alg]) {
		snap_put(snap);
		return QOC_ENOTFOUND;
	}
	ref->key = snap->active[alg];
	ref->snap = snap;
	return QOC_OK;
}

enum qoc_err qoc_signer_verify_key(struct qoc_signer *s, const char *kid, size_t kid_len,
                                   int64_t now, struct qoc_signer_ref *ref)
{
	ref->key = NULL;
	ref->snap = NULL;
	if (!kid || kid_len == 0 || kid_len > QOC_SIGKEY_KID_MAX)
		return QOC_ENOTFOUND;
	struct qoc_signer_snapshot *snap = acquire(s, now);
	for (size_t i = 0; i < snap->npublished; i++) {
		const struct qoc_sigkey *k = snap->published[i];
		if (strlen(k->kid) == kid_len && memcmp(k->kid, kid, kid_len) == 0) {
			ref->key = k;
			ref->snap = snap;
			return QOC_OK;
		}
	}
	snap_put(snap);
	return QOC_ENOTFOUND;
}

enum qoc_err qoc_signer_jwks(struct qoc_signer *s, int64_t now, struct qoc_buf *out)
{
	struct qoc_signer_snapshot *snap = acquire(s, now);
	enum qoc_err err = qoc_buf_append(out, snap->jwks, snap->jwks_len);
	snap_put(snap);
	return err;
}

void qoc_signer_put(struct qoc_signer_ref *ref)
{
	snap_put(ref->snap);
	ref->snap = NULL;
	ref->key = NULL;
}
