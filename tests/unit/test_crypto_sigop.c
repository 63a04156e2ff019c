/* Unit tests for src/crypto/sigop (the sign/verify templates prepared once per key):
 * signatures made through them verify with a fresh OpenSSL context set up here from the
 * RFC 7518 / RFC 8037 parameters alone, RS256 is byte-identical to a fresh
 * EVP_DigestSign, and one key signs and verifies from several threads at once (the
 * sanitizer build runs this; every signature is checked). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/b64.h"
#include "crypto/jws.h"
#include "crypto/sigkey.h"

static const enum qoc_jws_alg all_algs[] = {QOC_JWS_RS256, QOC_JWS_PS256, QOC_JWS_ES256,
                                            QOC_JWS_EDDSA};
#define ALG_N (sizeof(all_algs) / sizeof(all_algs[0]))

static struct qoc_sigkey *keys[ALG_N];

static int keys_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < ALG_N; i++) {
		if (qoc_sigkey_generate(all_algs[i], &keys[i]))
			return -1;
	}
	return 0;
}

static int keys_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ALG_N; i++)
		qoc_sigkey_free(keys[i]);
	return 0;
}

/* The JWS signing input and raw signature of a compact token. */
struct split_token {
	size_t input_len;
	uint8_t sig[1024];
	size_t sig_len;
};

static bool split_token(const char *t, size_t len, struct split_token *s)
{
	const char *dot = memchr(t, '.', len);
	const char *last = dot ? memchr(dot + 1, '.', len - (size_t)(dot + 1 - t)) : NULL;
	if (!last)
		return false;
	s->input_len = (size_t)(last - t);
	return qoc_b64url_decode_to(last + 1, len - s->input_len - 1, s->sig, sizeof(s->sig),
	                            &s->sig_len) == QOC_OK;
}

/* R || S to DER, written here without the library's helper. */
static int es256_der(const uint8_t *raw, size_t len, unsigned char **der)
{
	if (len != 64)
		return 0;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
	int n = 0;
	if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL;
		n = i2d_ECDSA_SIG(sig, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return n > 0 ? n : 0;
}

/* Verifies with a new context from the key and the algorithm's fixed parameters only:
 * nothing prepared by the library is used. PSS insists on a 32-octet salt
 * (RFC 7518 §3.5), not whatever the signature claims. true when it verifies. */
static bool fresh_verify(const struct qoc_sigkey *key, const void *data, size_t len,
                         const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *p = NULL;
	unsigned char *der = NULL;
	const char *md = key->alg == QOC_JWS_EDDSA ? NULL : "SHA256";
	bool ok = m && EVP_DigestVerifyInit_ex(m, &p, md, NULL, NULL, key->pkey, NULL) == 1;
	if (ok && key->alg == QOC_JWS_RS256)
		ok = EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PADDING) == 1;
	if (ok && key->alg == QOC_JWS_PS256)
		ok = EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(p, 32) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(p, "SHA256", NULL) == 1;
	if (ok && key->alg == QOC_JWS_ES256) {
		int n = es256_der(sig, siglen, &der);
		ok = n > 0;
		sig = der;
		siglen = (size_t)n;
	}
	ok = ok && EVP_DigestVerify(m, sig, siglen, data, len) == 1;
	OPENSSL_free(der);
	EVP_MD_CTX_free(m);
	return ok;
}

/* A token's signature checked by fresh_verify; its own verification too. */
static bool token_verifies(const struct qoc_sigkey *key, const char *t, size_t len)
{
	struct split_token s;
	struct qoc_buf payload;
	qoc_buf_init(&payload, 4096);
	bool ok = split_token(t, len, &s) && fresh_verify(key, t, s.input_len, s.sig, s.sig_len) &&
	          qoc_jws_verify(t, len, key->alg, key, &payload) == QOC_OK;
	qoc_buf_release(&payload);
	return ok;
}

static void independent_verification_all_algorithms(void **state)
{
	(void)state;
	static const char payload[] = "{\"iss\":\"https://login.example.com\",\"sub\":\"a\"}";
	for (size_t i = 0; i < ALG_N; i++) {
		struct qoc_buf t;
		struct split_token s;
		qoc_buf_init(&t, 16384);
		assert_int_equal(qoc_jws_sign(keys[i], payload, sizeof(payload) - 1, NULL, &t),
		                 QOC_OK);
		assert_true(split_token(t.data, t.len, &s));
		/* RFC 7518 §3.3-§3.5, RFC 8037 §3.1: the signature sizes. */
		if (all_algs[i] == QOC_JWS_ES256 || all_algs[i] == QOC_JWS_EDDSA)
			assert_int_equal(s.sig_len, 64);
		else
			assert_int_equal(s.sig_len, 256);
		assert_true(fresh_verify(keys[i], t.data, s.input_len, s.sig, s.sig_len));
		/* One flipped bit of the input and the fresh check refuses it. */
		t.data[0] ^= 1;
		assert_false(fresh_verify(keys[i], t.data, s.input_len, s.sig, s.sig_len));
		qoc_buf_release(&t);
	}
}

/* RSASSA-PKCS1-v1_5 is deterministic: the prepared path must give the very bytes a
 * fresh EVP_DigestSign gives (RFC 7518 §3.3). */
static void rs256_matches_fresh_digest_sign(void **state)
{
	(void)state;
	static const char input[] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0";
	struct qoc_sigkey *key = keys[0];
	uint8_t want[512];
	size_t want_len = sizeof(want);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *p = NULL;
	assert_non_null(m);
	assert_int_equal(EVP_DigestSignInit_ex(m, &p, "SHA256", NULL, NULL, key->pkey, NULL), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PADDING), 1);
	assert_int_equal(
	    EVP_DigestSign(m, want, &want_len, (const unsigned char *)input, sizeof(input) - 1), 1);
	EVP_MD_CTX_free(m);

	struct qoc_buf got, want_b64;
	qoc_buf_init(&got, 4096);
	qoc_buf_init(&want_b64, 4096);
	assert_int_equal(qoc_jws_sign_input(key, input, sizeof(input) - 1, &got), QOC_OK);
	assert_int_equal(qoc_b64url_encode(want, want_len, &want_b64), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&got), qoc_buf_cstr(&want_b64));
	qoc_buf_release(&got);
	qoc_buf_release(&want_b64);
}

/* A public-only copy of a key verifies what the private key signed: the verify
 * templates are made for keys that cannot sign too. */
static void public_key_verifies(void **state)
{
	(void)state;
	for (size_t i = 0; i < ALG_N; i++) {
		struct qoc_sigkey *pub = NULL;
		struct qoc_buf t, out;
		unsigned char *der = NULL;
		int n = i2d_PUBKEY(keys[i]->pkey, &der);
		const unsigned char *q = der;
		assert_true(n > 0);
		EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, n);
		OPENSSL_free(der);
		assert_int_equal(qoc_sigkey_from_pkey(pk, all_algs[i], "pub", 0, &pub), QOC_OK);
		assert_false(pub->has_private);
		qoc_buf_init(&t, 16384);
		qoc_buf_init(&out, 4096);
		assert_int_equal(qoc_jws_sign(keys[i], "{}", 2, NULL, &t), QOC_OK);
		assert_int_equal(qoc_jws_verify(t.data, t.len, all_algs[i], pub, &out), QOC_OK);
		assert_int_equal(qoc_jws_sign(pub, "{}", 2, NULL, &out), QOC_EINVAL);
		qoc_buf_release(&t);
		qoc_buf_release(&out);
		qoc_sigkey_free(pub);
	}
}

#define THREADS 4
#define PER_THREAD 24

struct worker {
	const struct qoc_sigkey *key;
	int id;
	int bad; /* signatures that failed to be made or to verify */
};

/* Signs distinct payloads with the shared key and checks each one. */
static void *sign_many(void *arg)
{
	struct worker *w = arg;
	struct qoc_buf t;
	qoc_buf_init(&t, 16384);
	for (int i = 0; i < PER_THREAD; i++) {
		char payload[64];
		int n = snprintf(payload, sizeof(payload), "{\"thread\":%d,\"n\":%d}", w->id, i);
		qoc_buf_reset(&t);
		if (qoc_jws_sign(w->key, payload, (size_t)n, NULL, &t) != QOC_OK ||
		    !token_verifies(w->key, t.data, t.len))
			w->bad++;
	}
	qoc_buf_release(&t);
	return NULL;
}

static void one_key_many_threads(void **state)
{
	(void)state;
	for (size_t a = 0; a < ALG_N; a++) {
		pthread_t th[THREADS];
		struct worker w[THREADS];
		for (int i = 0; i < THREADS; i++) {
			w[i] = (struct worker){.key = keys[a], .id = i, .bad = 0};
			assert_int_equal(pthread_create(&th[i], NULL, sign_many, &w[i]), 0);
		}
		for (int i = 0; i < THREADS; i++) {
			assert_int_equal(pthread_join(th[i], NULL), 0);
			assert_int_equal(w[i].bad, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(independent_verification_all_algorithms),
	    cmocka_unit_test(rs256_matches_fresh_digest_sign),
	    cmocka_unit_test(public_key_verifies),
	    cmocka_unit_test(one_key_many_threads),
	};
	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
