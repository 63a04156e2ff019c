/* Unit tests for src/oidc/signer.c on a real SQLite store: a key per algorithm, the
 * refresh bound (QOC_SIGNER_REFRESH_S, with an injected clock), verification keys, and
 * many threads signing while keys rotate underneath. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "crypto/jws.h"
#include "oidc/keyring.h"
#include "oidc/signer.h"
#include "support/oidc_fixture.h"

static const char *active_kid(struct oidc_fixture *f, struct qoc_arena *a, const char *alg)
{
	struct qoc_key_record rec;
	assert_int_equal(qoc_store_key_active(f->t.st, a, alg, &rec), QOC_OK);
	return rec.kid;
}

/* Each of the four algorithms an application may pick (OIDC Registration §2
 * id_token_signed_response_alg) has its own active private key. */
static void one_active_key_per_alg(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	for (size_t i = 0; i < QOC_KEYRING_ALG_COUNT; i++) {
		enum qoc_jws_alg alg = qoc_keyring_algs[i];
		struct qoc_signer_ref ref;
		assert_int_equal(qoc_signer_get(f.signer, alg, f.now, &ref), QOC_OK);
		assert_int_equal(ref.key->alg, alg);
		assert_true(ref.key->has_private);
		assert_string_equal(ref.key->kid, active_kid(&f, &a, qoc_sigkey_alg_name(alg)));
		/* The verification key of that kid is the published public key. */
		struct qoc_signer_ref vref;
		assert_int_equal(qoc_signer_verify_key(f.signer, ref.key->kid, strlen(ref.key->kid),
		                                       f.now, &vref),
		                 QOC_OK);
		assert_false(vref.key->has_private);
		assert_int_equal(vref.key->alg, alg);
		qoc_signer_put(&vref);
		assert_null(vref.key);
		qoc_signer_put(&ref);
	}
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_ALG_UNSET, f.now, &ref), QOC_EINVAL);
	assert_int_equal(qoc_signer_get(f.signer, (enum qoc_jws_alg)99, f.now, &ref), QOC_EINVAL);
	assert_int_equal(qoc_signer_verify_key(f.signer, "nope", 4, f.now, &ref), QOC_ENOTFOUND);
	assert_int_equal(qoc_signer_verify_key(f.signer, "", 0, f.now, &ref), QOC_ENOTFOUND);
	assert_null(ref.key);
	qoc_signer_put(&ref); /* a zeroed ref is a no-op */
	qoc_arena_release(&a);
	oidc_fixture_close(&f);
}

/* A key rotated elsewhere (`qoc keys rotate` in another process writes the same store) is
 * used from the first call QOC_SIGNER_REFRESH_S seconds after the last check, not before;
 * the retired key keeps verifying while it is published, and not after. */
static void rotation_is_picked_up_within_the_refresh_bound(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	int64_t t0 = f.now;
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_ES256, t0, &ref), QOC_OK);
	char old_kid[QOC_SIGKEY_KID_MAX + 1], new_kid[128];
	memcpy(old_kid, ref.key->kid, strlen(ref.key->kid) + 1);
	struct qoc_signer_ref held = ref; /* a reference held across the swap stays valid */

	f.now = t0 + 1;
	f.kp.alg = "ES256";
	f.kp.retention = 100;
	assert_int_equal(qoc_keyring_rotate(&f.kp, new_kid, sizeof(new_kid)), QOC_OK);
	for (int64_t t = t0 + 1; t < t0 + QOC_SIGNER_REFRESH_S; t++) {
		assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_ES256, t, &ref), QOC_OK);
		assert_string_equal(ref.key->kid, old_kid);
		qoc_signer_put(&ref);
	}
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_ES256, t0 + QOC_SIGNER_REFRESH_S, &ref),
	                 QOC_OK);
	assert_string_equal(ref.key->kid, new_kid);
	qoc_signer_put(&ref);
	/* The other algorithms' keys did not change. */
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_RS256, t0 + 6, &ref), QOC_OK);
	qoc_signer_put(&ref);

	assert_string_equal(held.key->kid, old_kid);
	struct qoc_buf jws;
	qoc_buf_init(&jws, 4096);
	assert_int_equal(qoc_jws_sign(held.key, "{}", 2, NULL, &jws), QOC_OK);
	qoc_signer_put(&held);
	qoc_buf_release(&jws);

	/* Retired at t0 + 1 with a 100 s window: verifiable until then, gone after. */
	assert_int_equal(qoc_signer_verify_key(f.signer, old_kid, strlen(old_kid), t0 + 50, &ref),
	                 QOC_OK);
	qoc_signer_put(&ref);
	assert_int_equal(qoc_signer_verify_key(f.signer, old_kid, strlen(old_kid), t0 + 102, &ref),
	                 QOC_ENOTFOUND);
	oidc_fixture_close(&f);
}

/* qoc_signer_refresh reads at once; a clock that jumps backwards also triggers a read. */
static void explicit_refresh_and_backward_clock(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	char kid[128];
	f.kp.alg = "EdDSA";
	assert_int_equal(qoc_keyring_rotate(&f.kp, kid, sizeof(kid)), QOC_OK);
	assert_int_equal(qoc_signer_refresh(f.signer, f.now), QOC_OK);
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_EDDSA, f.now, &ref), QOC_OK);
	assert_string_equal(ref.key->kid, kid);
	qoc_signer_put(&ref);

	assert_int_equal(qoc_keyring_rotate(&f.kp, kid, sizeof(kid)), QOC_OK);
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_EDDSA, f.now - 1, &ref), QOC_OK);
	assert_string_equal(ref.key->kid, kid);
	qoc_signer_put(&ref);
	oidc_fixture_close(&f);
}

/* A wrong master key must stop the start-up, not produce a signer that cannot sign. */
static void wrong_master_key_is_refused(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	uint8_t wrong[32] = {1};
	struct qoc_signer *s = (void *)1;
	assert_int_equal(qoc_signer_new(f.t.st, wrong, f.now, &s), QOC_ECRYPTO);
	assert_null(s);
	oidc_fixture_close(&f);
}

static void empty_store_has_no_keys(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_signer *s = NULL;
	assert_int_equal(qoc_signer_new(t.st, oidc_test_master, 1000, &s), QOC_OK);
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(s, QOC_JWS_RS256, 1000, &ref), QOC_ENOTFOUND);
	assert_null(ref.key);
	qoc_signer_free(s);
	qoc_signer_free(NULL);
	tmp_store_close(&t);
}

#define SIGNERS 8
#define ROUNDS 60

struct worker {
	struct qoc_signer *signer;
	_Atomic int64_t *now;
	int id;
	int failures;
	int signed_count;
};

/* Signs with the current key of a rotating choice of algorithms and verifies with the
 * published key of the kid the token names, as a relying party would. */
static void *sign_loop(void *arg)
{
	struct worker *w = arg;
	static const enum qoc_jws_alg algs[] = {QOC_JWS_ES256, QOC_JWS_EDDSA, QOC_JWS_ES256,
	                                        QOC_JWS_RS256};
	for (int i = 0; i < ROUNDS; i++) {
		int64_t now = atomic_load(w->now);
		struct qoc_signer_ref sk = {0}, vk = {0};
		struct qoc_buf jws, payload;
		qoc_buf_init(&jws, 8192);
		qoc_buf_init(&payload, 8192);
		bool ok =
		    qoc_signer_get(w->signer, algs[(i + w->id) % 4], now, &sk) == QOC_OK &&
		    qoc_jws_sign(sk.key, "{\"n\":1}", 7, NULL, &jws) == QOC_OK &&
		    qoc_signer_verify_key(w->signer, sk.key->kid, strlen(sk.key->kid), now, &vk) ==
		        QOC_OK &&
		    qoc_jws_verify(jws.data, jws.len, vk.key->alg, vk.key, &payload) == QOC_OK;
		w->failures += !ok;
		w->signed_count += ok;
		qoc_signer_put(&vk);
		qoc_signer_put(&sk);
		qoc_buf_release(&jws);
		qoc_buf_release(&payload);
	}
	return NULL;
}

/* 8 threads sign at once while the main thread rotates keys and moves the clock past the
 * refresh bound, so snapshots are swapped under the signers (ASan/TSan-style check of the
 * reference counting: no use after free, no leak, every token verifies). */
static void concurrent_signing_across_rotations(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	_Atomic int64_t now = f.now;
	struct worker w[SIGNERS];
	pthread_t th[SIGNERS];
	for (int i = 0; i < SIGNERS; i++) {
		w[i] = (struct worker){.signer = f.signer, .now = &now, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, sign_loop, &w[i]), 0);
	}
	f.kp.alg = "ES256";
	for (int r = 0; r < 3; r++) {
		char kid[128];
		f.now = atomic_load(&now) + 1;
		assert_int_equal(qoc_keyring_rotate(&f.kp, kid, sizeof(kid)), QOC_OK);
		atomic_fetch_add(&now, QOC_SIGNER_REFRESH_S + 1);
	}
	for (int i = 0; i < SIGNERS; i++)
		pthread_join(th[i], NULL);
	int total = 0;
	for (int i = 0; i < SIGNERS; i++) {
		assert_int_equal(w[i].failures, 0);
		total += w[i].signed_count;
	}
	assert_int_equal(total, SIGNERS * ROUNDS);
	oidc_fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_active_key_per_alg),
	    cmocka_unit_test(rotation_is_picked_up_within_the_refresh_bound),
	    cmocka_unit_test(explicit_refresh_and_backward_clock),
	    cmocka_unit_test(wrong_master_key_is_refused),
	    cmocka_unit_test(empty_store_has_no_keys),
	    cmocka_unit_test(concurrent_signing_across_rotations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
