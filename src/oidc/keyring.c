#include "oidc/keyring.h"

#include <jansson.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/hash.h"
#include "crypto/jwk.h"
#include "crypto/seal.h"
#include "crypto/sigkey.h"

#define SEALED_MAX (16u * 1024)
#define PRIVATE_MAX (8u * 1024)

/* The AAD that binds a sealed private key to its kid: a blob moved to another row fails. */
static int key_aad(char *out, size_t size, const char *kid)
{
	int n = snprintf(out, size, "qoc signing-key:%s", kid);
	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

const enum qoc_jws_alg qoc_keyring_algs[QOC_KEYRING_ALG_COUNT] = {
	QOC_JWS_RS256, QOC_JWS_PS256, QOC_JWS_ES256, QOC_JWS_EDDSA,
};

/* A new key of alg, sealed and stored as the active key of alg. */
static enum qoc_err rotate_one(const struct qoc_keyring_params *p, enum qoc_jws_alg alg,
			       char *kid_out, size_t kid_size)
{
	struct qoc_sigkey *key = NULL;
	struct qoc_buf priv, sealed;
	uint8_t seal_key[32];
	char *jwk_text = NULL;
	const char *alg_name = qoc_sigkey_alg_name(alg);
	enum qoc_err err;
	qoc_buf_init(&priv, PRIVATE_MAX);
	qoc_buf_init(&sealed, SEALED_MAX);

	if ((err = qoc_sigkey_generate(alg, &key)))
		goto out;
	const char *kid = key->kid;
	char aad[128];
	int aad_len = key_aad(aad, sizeof(aad), kid);
	if (aad_len < 0 || strlen(kid) >= kid_size) {
		err = QOC_ELIMIT;
		goto out;
	}
	if ((err = qoc_sigkey_export_private(key, &priv)))
		goto out;
	if ((err = qoc_keyring_seal_key(p->master_key, seal_key)))
		goto out;
	if ((err = qoc_seal(seal_key, aad, (size_t)aad_len, priv.data, priv.len, &sealed)))
		goto out;
	json_t *jwk = qoc_jwk_public_json(key);
	jwk_text = jwk ? json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(jwk);
	if (!jwk_text) {
		err = QOC_ENOMEM;
		goto out;
	}
	int64_t now = qoc_clock_now(p->clock);
	struct qoc_key_record rec = {
		.kid = kid,
		.alg = alg_name,
		.public_jwk = jwk_text,
		.sealed_private = (const unsigned char *)sealed.data,
		.sealed_private_len = sealed.len,
		.created_at = now,
	};
	if ((err = qoc_store_key_rotate(p->store, &rec, now, now + p->retention)))
		goto out;
	memcpy(kid_out, kid, strlen(kid) + 1);
	qoc_log_info("signing key rotated", "kid=%s alg=%s", kid, alg_name);
out:
	free(jwk_text);
	qoc_buf_release_secret(&priv);
	qoc_buf_release(&sealed);
	qoc_memwipe(seal_key, sizeof(seal_key));
	qoc_sigkey_free(key);
	return err;
}

enum qoc_err qoc_keyring_seal_key(const uint8_t master_key[32], uint8_t out[32])
{
	return qoc_kdf(master_key, QOC_SEAL_PURPOSE, out);
}

static bool supported(enum qoc_jws_alg alg)
{
	for (size_t i = 0; i < QOC_KEYRING_ALG_COUNT; i++)
		if (qoc_keyring_algs[i] == alg)
			return true;
	return false;
}

enum qoc_err qoc_keyring_rotate(const struct qoc_keyring_params *p, char *kid_out,
				size_t kid_size)
{
	enum qoc_jws_alg alg = p->alg ? qoc_sigkey_alg_parse(p->alg, strlen(p->alg))
				      : QOC_JWS_ALG_UNSET;
	if (!supported(alg))
		return QOC_EINVAL;
	if (!(p->flags & QOC_KEYRING_ALL_ALGS))
		return rotate_one(p, alg, kid_out, kid_size);
	/* The configured algorithm first, so its kid is the one reported. */
	enum qoc_err err = rotate_one(p, alg, kid_out, kid_size);
	for (size_t i = 0; !err && i < QOC_KEYRING_ALG_COUNT; i++) {
		char other[128];
		if (qoc_keyring_algs[i] != alg)
			err = rotate_one(p, qoc_keyring_algs[i], other, sizeof(other));
	}
	return err;
}

enum qoc_err qoc_keyring_ensure(const struct qoc_keyring_params *p, bool *created)
{
	enum qoc_err err = QOC_OK;
	*created = false;
	for (size_t i = 0; !err && i < QOC_KEYRING_ALG_COUNT; i++) {
		const char *name = qoc_sigkey_alg_name(qoc_keyring_algs[i]);
		struct qoc_arena a;
		struct qoc_key_record rec;
		qoc_arena_init(&a, 64 * 1024);
		err = qoc_store_key_active(p->store, &a, name, &rec);
		qoc_arena_release(&a);
		if (err != QOC_ENOTFOUND)
			continue;
		char kid[128];
		/* Two processes starting at once may both get here: the store serialises the
		 * two rotations, so both keys are published and the later one is active. */
		err = rotate_one(p, qoc_keyring_algs[i], kid, sizeof(kid));
		*created = *created || err == QOC_OK;
	}
	return err;
}

enum qoc_err qoc_keyring_jwks_of(const struct qoc_key_record *keys, size_t n, struct qoc_buf *out)
{
	/* The stored public JWKs are our own serialisation: splice them without re-parsing. */
	enum qoc_err err = qoc_buf_append_cstr(out, "{\"keys\":[");
	for (size_t i = 0; !err && i < n; i++) {
		if (i)
			err = qoc_buf_append_char(out, ',');
		if (!err)
			err = qoc_buf_append_cstr(out, keys[i].public_jwk);
	}
	return err ? err : qoc_buf_append_cstr(out, "]}");
}

enum qoc_err qoc_keyring_jwks(struct qoc_store *st, const struct qoc_clock *clock,
			      struct qoc_buf *out)
{
	struct qoc_arena a;
	struct qoc_key_record *keys = NULL;
	size_t n = 0;
	qoc_arena_init(&a, 1u << 20);
	enum qoc_err err = qoc_store_key_list_published(st, &a, qoc_clock_now(clock), &keys, &n);
	if (!err)
		err = qoc_keyring_jwks_of(keys, n, out);
	qoc_arena_release(&a);
	return err;
}
