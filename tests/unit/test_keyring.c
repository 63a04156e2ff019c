/* Unit tests for src/oidc/keyring.c on a real SQLite store with a pinned clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/seal.h"
#include "crypto/sigkey.h"
#include "crypto/jwk.h"
#include "crypto/jws.h"
#include "oidc/keyring.h"
#include "support/tmp_store.h"

static int64_t now_value = 1795705445;
static int64_t pinned_now(void *ctx)
{
	(void)ctx;
	return now_value;
}
static const struct qoc_clock pinned = { pinned_now, NULL };
static const uint8_t master[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static json_t *jwks(struct qoc_store *st)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 20);
	assert_int_equal(qoc_keyring_jwks(st, &pinned, &b), QOC_OK);
	json_error_t e;
	json_t *j = json_loads(qoc_buf_cstr(&b), 0, &e);
	qoc_buf_release(&b);
	assert_non_null(j);
	return j;
}

/* One active key per algorithm, so every application's id_token_signed_response_alg
 * can be honoured (OIDC Core §3.1.3.7 step 7: the RP checks the alg it registered). */
static void ensure_makes_one_key_per_alg_once(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_keyring_params p = { t.st, &pinned, master, "RS256", 3600, 0 };
	bool created = false;
	assert_int_equal(qoc_keyring_ensure(&p, &created), QOC_OK);
	assert_true(created);
	assert_int_equal(qoc_keyring_ensure(&p, &created), QOC_OK);
	assert_false(created);
	json_t *j = jwks(t.st);
	json_t *keys = json_object_get(j, "keys");
	assert_int_equal(json_array_size(keys), QOC_KEYRING_ALG_COUNT);
	bool seen[QOC_KEYRING_ALG_COUNT] = { false };
	for (size_t i = 0; i < json_array_size(keys); i++) {
		json_t *k = json_array_get(keys, i);
		const char *alg = json_string_value(json_object_get(k, "alg"));
		assert_non_null(alg);
		assert_null(json_object_get(k, "d"));
		for (size_t n = 0; n < QOC_KEYRING_ALG_COUNT; n++)
			if (strcmp(alg, qoc_sigkey_alg_name(qoc_keyring_algs[n])) == 0)
				seen[n] = true;
	}
	for (size_t n = 0; n < QOC_KEYRING_ALG_COUNT; n++)
		assert_true(seen[n]);
	json_decref(j);
	tmp_store_close(&t);
}

/* A rotation replaces only the key of its algorithm; --all (QOC_KEYRING_ALL_ALGS)
 * replaces every one. */
static void rotate_touches_its_alg_or_all_with_the_flag(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_keyring_params p = { t.st, &pinned, master, "ES256", 3600, 0 };
	bool created;
	assert_int_equal(qoc_keyring_ensure(&p, &created), QOC_OK);
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_key_record before[QOC_KEYRING_ALG_COUNT], rec;
	for (size_t i = 0; i < QOC_KEYRING_ALG_COUNT; i++)
		assert_int_equal(qoc_store_key_active(t.st, &a,
						      qoc_sigkey_alg_name(qoc_keyring_algs[i]),
						      &before[i]),
				 QOC_OK);
	char kid[128];
	assert_int_equal(qoc_keyring_rotate(&p, kid, sizeof(kid)), QOC_OK);
	for (size_t i = 0; i < QOC_KEYRING_ALG_COUNT; i++) {
		assert_int_equal(qoc_store_key_active(t.st, &a, before[i].alg, &rec), QOC_OK);
		if (strcmp(before[i].alg, "ES256") == 0)
			assert_string_equal(rec.kid, kid);
		else
			assert_string_equal(rec.kid, before[i].kid);
	}
	p.flags = QOC_KEYRING_ALL_ALGS;
	p.alg = "EdDSA";
	assert_int_equal(qoc_keyring_rotate(&p, kid, sizeof(kid)), QOC_OK);
	for (size_t i = 0; i < QOC_KEYRING_ALG_COUNT; i++) {
		assert_int_equal(qoc_store_key_active(t.st, &a, before[i].alg, &rec), QOC_OK);
		assert_string_not_equal(rec.kid, before[i].kid);
		if (strcmp(before[i].alg, "EdDSA") == 0)
			assert_string_equal(rec.kid, kid);
	}
	json_t *j = jwks(t.st); /* 4 active + 5 retired, still published */
	assert_int_equal(json_array_size(json_object_get(j, "keys")), 9);
	json_decref(j);
	qoc_arena_release(&a);
	tmp_store_close(&t);
}

/* The sealed private key opens only with the master key and its own kid as AAD, and it
 * signs what the published public key verifies. */
static void private_key_is_sealed_and_bound_to_its_kid(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_keyring_params p = { t.st, &pinned, master, "ES256", 3600, 0 };
	char kid[128];
	assert_int_equal(qoc_keyring_rotate(&p, kid, sizeof(kid)), QOC_OK);
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_key_record rec;
	assert_int_equal(qoc_store_key_active(t.st, &a, "ES256", &rec), QOC_OK);
	assert_string_equal(rec.kid, kid);

	char aad[160];
	int n = snprintf(aad, sizeof(aad), "qoc signing-key:%s", kid);
	struct qoc_buf der;
	qoc_buf_init(&der, 1 << 16);
	uint8_t seal_key[32];
	assert_int_equal(qoc_keyring_seal_key(master, seal_key), QOC_OK);
	assert_int_equal(qoc_seal_open(seal_key, aad, (size_t)n, rec.sealed_private,
				       rec.sealed_private_len, &der),
			 QOC_OK);
	uint8_t wrong[32] = { 9 };
	struct qoc_buf tmp;
	qoc_buf_init(&tmp, 1 << 16);
	assert_int_not_equal(qoc_seal_open(wrong, aad, (size_t)n, rec.sealed_private,
					   rec.sealed_private_len, &tmp),
			     QOC_OK);
	assert_int_not_equal(qoc_seal_open(master, aad, (size_t)n, rec.sealed_private,
					   rec.sealed_private_len, &tmp),
			     QOC_OK); /* the raw master key is not the sealing key */
	assert_int_not_equal(qoc_seal_open(seal_key, "qoc signing-key:other", 21, rec.sealed_private,
					   rec.sealed_private_len, &tmp),
			     QOC_OK);
	qoc_buf_release(&tmp);

	struct qoc_sigkey *key = NULL;
	assert_int_equal(qoc_sigkey_import_private(QOC_JWS_ES256, der.data, der.len, kid, &key),
			 QOC_OK);
	qoc_buf_release_secret(&der);
	struct qoc_buf jws;
	qoc_buf_init(&jws, 1 << 16);
	assert_int_equal(qoc_jws_sign(key, "{\"a\":1}", 7, NULL, &jws), QOC_OK);
	qoc_sigkey_free(key);

	json_error_t e;
	json_t *pub = json_loads(rec.public_jwk, 0, &e);
	struct qoc_sigkey *pk = NULL;
	assert_int_equal(qoc_jwk_import(pub, QOC_JWS_ES256, 0, &pk), QOC_OK);
	struct qoc_buf payload;
	qoc_buf_init(&payload, 1 << 16);
	assert_int_equal(qoc_jws_verify(jws.data, jws.len, QOC_JWS_ES256, pk, &payload), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&payload), "{\"a\":1}");
	qoc_buf_release(&payload);
	qoc_buf_release(&jws);
	qoc_sigkey_free(pk);
	json_decref(pub);
	qoc_arena_release(&a);
	tmp_store_close(&t);
}

static void retired_keys_stay_published_for_the_retention(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	now_value = 1795705445;
	struct qoc_keyring_params p = { t.st, &pinned, master, "EdDSA", 3600, 0 };
	char first[128], second[128];
	assert_int_equal(qoc_keyring_rotate(&p, first, sizeof(first)), QOC_OK);
	now_value += 10;
	assert_int_equal(qoc_keyring_rotate(&p, second, sizeof(second)), QOC_OK);
	json_t *j = jwks(t.st);
	json_t *keys = json_object_get(j, "keys");
	assert_int_equal(json_array_size(keys), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 0), "kid")), second);
	assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 0), "crv")), "Ed25519");
	assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 1), "kid")), first);
	json_decref(j);
	now_value += 3600 + 1; /* past the retired key's publication window */
	j = jwks(t.st);
	assert_int_equal(json_array_size(json_object_get(j, "keys")), 1);
	json_decref(j);
	p.alg = "HS256";
	assert_int_equal(qoc_keyring_rotate(&p, first, sizeof(first)), QOC_EINVAL);
	p.alg = "none";
	p.flags = QOC_KEYRING_ALL_ALGS;
	assert_int_equal(qoc_keyring_rotate(&p, first, sizeof(first)), QOC_EINVAL);
	tmp_store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ensure_makes_one_key_per_alg_once),
		cmocka_unit_test(rotate_touches_its_alg_or_all_with_the_flag),
		cmocka_unit_test(private_key_is_sealed_and_bound_to_its_kid),
		cmocka_unit_test(retired_keys_stay_published_for_the_retention),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
