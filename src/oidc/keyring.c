#include "oidc/keyring.h"

#include <jansson.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
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

enum qoc_err qoc_keyring_rotate(const struct qoc_keyring_params *p, char *kid_out,
				size_t kid_size)
{
	struct qoc_sigkey *key = NULL;
	struct qoc_buf priv, sealed;
	char *jwk_text = NULL;
	enum qoc_jws_alg alg = qoc_sigkey_alg_parse(p->alg, strlen(p->alg));
	enum qoc_err err;
	qoc_buf_init(&priv, PRIVATE_MAX);
	qoc_buf_init(&sealed, SEALED_MAX);

	if (alg == QOC_JWS_ALG_UNSET) {
		err = QOC_EINVAL;
		goto out;
	}
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
	if ((err = qoc_seal(p->master_key, aad, (size_t)aad_len, priv.data, priv.len, &sealed)))
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
		.alg = p->alg,
		.public_jwk = jwk_text,
		.sealed_private = (const unsigned char *)sealed.data,
		.sealed_private_len = sealed.len,
		.created_at = now,
	};
	if ((err = qoc_store_key_rotate(p->store, &rec, now, now + p->retention)))
		goto out;
	memcpy(kid_out, kid, strlen(kid) + 1);
	qoc_log_info("signing key rotated", "kid=%s alg=%s", kid, p->alg);
out:
	free(jwk_text);
	qoc_buf_release_secret(&priv);
	qoc_buf_release(&sealed);
	qoc_sigkey_free(key);
	return err;
}

enum qoc_err qoc_keyring_ensure(const struct qoc_keyring_params *p, bool *created)
{
	struct qoc_arena a;
	struct qoc_key_record rec;
	qoc_arena_init(&a, 64 * 1024);
	enum qoc_err err = qoc_store_key_active(p->store, &a, &rec);
	qoc_arena_release(&a);
	*created = false;
	if (err != QOC_ENOTFOUND)
		return err;
	char kid[128];
	/* Two processes starting at once may both get here: the store serialises the two
	 * rotations, so both keys are published and the later one is active. */
	err = qoc_keyring_rotate(p, kid, sizeof(kid));
	*created = (err == QOC_OK);
	return err;
}

enum qoc_err qoc_keyring_jwks(struct qoc_store *st, const struct qoc_clock *clock,
			      struct qoc_buf *out)
{
	struct qoc_arena a;
	struct qoc_key_record *keys = NULL;
	size_t n = 0;
	qoc_arena_init(&a, 1u << 20);
	enum qoc_err err = qoc_store_key_list_published(st, &a, qoc_clock_now(clock), &keys, &n);
	if (err)
		goto out;
	/* The stored public JWKs are our own serialisation: splice them without re-parsing. */
	if ((err = qoc_buf_append_cstr(out, "{\"keys\":[")))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((i && (err = qoc_buf_append_char(out, ','))) ||
		    (err = qoc_buf_append_cstr(out, keys[i].public_jwk)))
			goto out;
	}
	err = qoc_buf_append_cstr(out, "]}");
out:
	qoc_arena_release(&a);
	return err;
}
