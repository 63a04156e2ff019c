/* Failure-path torture for src/crypto (after SQLite's test_malloc.c / curl's torture
 * tests): every allocation OpenSSL and jansson make is failed in turn, one per run, while
 * the JOSE, seal and hash operations run. Each run must end in QOC_OK or a clean error:
 * no crash, and (ASan's leak checker) nothing leaked. Our own qoc_buf allocations are
 * libc's and are not failed here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "crypto/hash.h"
#include "crypto/jwk.h"
#include "crypto/jws.h"
#include "crypto/seal.h"
#include "crypto_vectors.h"

/* Allocations left before the failing one; negative: none fails. */
static long countdown = -1;
static int failed;

static int should_fail(void)
{
	if (countdown < 0)
		return 0;
	if (countdown-- == 0) {
		failed = 1;
		return 1;
	}
	return 0;
}

static void *t_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return should_fail() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return should_fail() ? NULL : realloc(p, n);
}

static void t_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void *j_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n);
}

/* Runs op with the k-th allocation failing, for k = 0, 1, ... until a run has no
 * allocation left to fail. op returns the error of the operation. */
static void torture(enum qoc_err (*op)(void), const char *name)
{
	enum qoc_err clean = op(); /* warm OpenSSL's caches, and the expected answer */
	for (long k = 0; k < 100000; k++) {
		failed = 0;
		countdown = k;
		enum qoc_err err = op();
		countdown = -1;
		if (!failed) {
			if (err != clean)
				fail_msg("%s: %s without injected failure", name,
				         qoc_strerror(err));
			print_message("%s: %ld allocations failed in turn\n", name, k);
			assert_true(k > 0); /* the hooks are in place */
			return;
		}
	}
	fail_msg("%s: never finished", name);
}

static enum qoc_err import_and_free(const char *text)
{
	struct qoc_sigkey *k = NULL;
	json_t *j = json_loads(text, 0, NULL);
	if (!j)
		return QOC_ENOMEM;
	enum qoc_err err = qoc_jwk_import(j, QOC_JWS_ALG_UNSET, 0, &k);
	json_decref(j);
	if (!err) {
		json_t *pub = qoc_jwk_public_json(k);
		if (!pub)
			err = QOC_ENOMEM;
		json_decref(pub);
	}
	qoc_sigkey_free(k);
	return err;
}

static enum qoc_err op_import_rsa(void)
{
	return import_and_free(RFC7515_A2_JWK);
}
static enum qoc_err op_import_ec(void)
{
	return import_and_free(RFC7517_A2_EC);
}
static enum qoc_err op_import_ed(void)
{
	return import_and_free(RFC8037_A1_JWK);
}

static struct qoc_sigkey *es_priv, *es_pub, *ed_priv, *rs_priv;

static enum qoc_err op_sign_verify(struct qoc_sigkey *key)
{
	struct qoc_buf t, out;
	qoc_buf_init(&t, 8192);
	qoc_buf_init(&out, 8192);
	json_t *extra = json_pack("{s:s}", "typ", "JWT");
	enum qoc_err err = extra ? qoc_jws_sign(key, "{\"sub\":\"a\"}", 11, extra, &t) : QOC_ENOMEM;
	if (!err)
		err = qoc_jws_verify(t.data, t.len, key->alg, key, &out);
	json_decref(extra);
	qoc_buf_release(&t);
	qoc_buf_release(&out);
	return err;
}

static enum qoc_err op_es256(void)
{
	return op_sign_verify(es_priv);
}
static enum qoc_err op_eddsa(void)
{
	return op_sign_verify(ed_priv);
}
static enum qoc_err op_rs256(void)
{
	return op_sign_verify(rs_priv);
}

static enum qoc_err op_verify_vector(void)
{
	struct qoc_buf out;
	qoc_buf_init(&out, 8192);
	const char *jws = RFC7515_A3_JWS;
	enum qoc_err err = qoc_jws_verify(jws, strlen(jws), QOC_JWS_ES256, es_pub, &out);
	qoc_buf_release(&out);
	return err;
}

static enum qoc_err op_private_round_trip(void)
{
	struct qoc_buf der;
	struct qoc_sigkey *back = NULL;
	qoc_buf_init(&der, 8192);
	enum qoc_err err = qoc_sigkey_export_private(es_priv, &der);
	if (!err)
		err = qoc_sigkey_import_private(QOC_JWS_ES256, der.data, der.len, NULL, &back);
	qoc_sigkey_free(back);
	qoc_buf_release_secret(&der);
	return err;
}

static enum qoc_err op_generate(void)
{
	struct qoc_sigkey *k = NULL;
	enum qoc_err err = qoc_sigkey_generate(QOC_JWS_EDDSA, &k);
	qoc_sigkey_free(k);
	return err;
}

static enum qoc_err op_seal_hash(void)
{
	uint8_t key[32] = {7}, sub[32], mac[32];
	struct qoc_buf blob, plain;
	qoc_buf_init(&blob, 256);
	qoc_buf_init(&plain, 256);
	enum qoc_err err = qoc_kdf(key, "qoc seal v1", sub);
	if (!err)
		err = qoc_hash_hmac_sha256(sub, 32, "x", 1, mac);
	if (!err)
		err = qoc_seal(sub, "aad", 3, "secret", 6, &blob);
	if (!err)
		err = qoc_seal_open(sub, "aad", 3, blob.data, blob.len, &plain);
	qoc_buf_release(&blob);
	qoc_buf_release_secret(&plain);
	return err;
}

static void every_allocation_failure_is_clean(void **state)
{
	(void)state;
	torture(op_import_rsa, "import RSA JWK");
	torture(op_import_ec, "import EC JWK");
	torture(op_import_ed, "import OKP JWK");
	torture(op_es256, "ES256 sign+verify");
	torture(op_eddsa, "EdDSA sign+verify");
	torture(op_rs256, "RS256 sign+verify");
	torture(op_verify_vector, "verify RFC 7515 A.3");
	torture(op_private_round_trip, "PKCS#8 export+import");
	torture(op_generate, "generate Ed25519");
	torture(op_seal_hash, "kdf+hmac+seal+open");
}

static struct qoc_sigkey *load(const char *text)
{
	struct qoc_sigkey *k = NULL;
	json_t *j = json_loads(text, 0, NULL);
	if (j && qoc_jwk_import(j, QOC_JWS_ALG_UNSET, 0, &k) != QOC_OK)
		k = NULL;
	json_decref(j);
	return k;
}

int main(void)
{
	/* Both must be installed before either library allocates anything. */
	if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free))
		return 1;
	json_set_alloc_funcs(j_malloc, free);
	es_priv = load(RFC7517_A2_EC);
	es_pub = load(RFC7515_A3_PUBLIC_JWK);
	ed_priv = load(RFC8037_A1_JWK);
	rs_priv = load(RFC7515_A2_JWK);
	if (!es_priv || !es_pub || !ed_priv || !rs_priv)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_allocation_failure_is_clean),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	qoc_sigkey_free(es_priv);
	qoc_sigkey_free(es_pub);
	qoc_sigkey_free(ed_priv);
	qoc_sigkey_free(rs_priv);
	return rc;
}
