/* Unit tests for src/crypto/sigkey and src/crypto/jwk: key generation, RFC 7638
 * thumbprints, JWK import/export (RFC 7517, RFC 7518 §6, RFC 8037 §2), PKCS#8 export. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>

#include "crypto/b64.h"
#include "crypto/jwk.h"
#include "crypto/jws.h"
#include "crypto/sigkey.h"
#include "crypto_vectors.h"

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("test JSON does not parse: %s", e.text);
	return j;
}

/* Imports text; returns the error, and the key in *out when it succeeds. */
static enum qoc_err import_text(const char *text, enum qoc_jws_alg alg, unsigned flags,
                                struct qoc_sigkey **out)
{
	json_t *j = parse(text);
	enum qoc_err err = qoc_jwk_import(j, alg, flags, out);
	json_decref(j);
	return err;
}

static enum qoc_err import_err(const char *text)
{
	struct qoc_sigkey *k = NULL;
	enum qoc_err err = import_text(text, QOC_JWS_ALG_UNSET, 0, &k);
	qoc_sigkey_free(k);
	return err;
}

static const char *member(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

static void alg_names_are_exact(void **state)
{
	(void)state;
	assert_string_equal(qoc_sigkey_alg_name(QOC_JWS_RS256), "RS256");
	assert_string_equal(qoc_sigkey_alg_name(QOC_JWS_PS256), "PS256");
	assert_string_equal(qoc_sigkey_alg_name(QOC_JWS_ES256), "ES256");
	assert_string_equal(qoc_sigkey_alg_name(QOC_JWS_EDDSA), "EdDSA");
	assert_null(qoc_sigkey_alg_name(QOC_JWS_ALG_UNSET));
	assert_null(qoc_sigkey_alg_name((enum qoc_jws_alg)99));
	assert_int_equal(qoc_sigkey_alg_parse("ES256", 5), QOC_JWS_ES256);
	assert_int_equal(qoc_sigkey_alg_parse("EdDSA", 5), QOC_JWS_EDDSA);
	/* RFC 7515 §4.1.1: case-sensitive; "none" and MACs are not ours. */
	assert_int_equal(qoc_sigkey_alg_parse("es256", 5), QOC_JWS_ALG_UNSET);
	assert_int_equal(qoc_sigkey_alg_parse("none", 4), QOC_JWS_ALG_UNSET);
	assert_int_equal(qoc_sigkey_alg_parse("HS256", 5), QOC_JWS_ALG_UNSET);
	assert_int_equal(qoc_sigkey_alg_parse("ES2560", 6), QOC_JWS_ALG_UNSET);
	assert_int_equal(qoc_sigkey_alg_parse("ES25", 4), QOC_JWS_ALG_UNSET);
	qoc_sigkey_free(NULL);
}

static void generate_all_algorithms(void **state)
{
	(void)state;
	const enum qoc_jws_alg algs[] = {QOC_JWS_RS256, QOC_JWS_PS256, QOC_JWS_ES256,
	                                 QOC_JWS_EDDSA};
	const char *kty[] = {"RSA", "RSA", "EC", "OKP"};
	for (size_t i = 0; i < 4; i++) {
		struct qoc_sigkey *k = NULL, *back = NULL;
		char tp[QOC_SIGKEY_THUMBPRINT_LEN + 1];
		assert_int_equal(qoc_sigkey_generate(algs[i], &k), QOC_OK);
		assert_true(k->has_private);
		assert_int_equal(k->alg, algs[i]);
		/* The kid is the RFC 7638 thumbprint. */
		assert_int_equal(qoc_sigkey_thumbprint(k, tp), QOC_OK);
		assert_string_equal(k->kid, tp);
		assert_int_equal(strlen(tp), 43);
		if (i < 2)
			assert_int_equal(EVP_PKEY_get_bits(k->pkey), 2048);

		json_t *pub = qoc_jwk_public_json(k);
		assert_non_null(pub);
		assert_string_equal(member(pub, "kty"), kty[i]);
		assert_string_equal(member(pub, "kid"), k->kid);
		assert_string_equal(member(pub, "alg"), qoc_sigkey_alg_name(algs[i]));
		assert_string_equal(member(pub, "use"), "sig");
		assert_null(json_object_get(pub, "d")); /* never a private member */
		assert_null(json_object_get(pub, "p"));
		if (i == 2)
			assert_string_equal(member(pub, "crv"), "P-256");
		if (i == 3)
			assert_string_equal(member(pub, "crv"), "Ed25519");

		/* The published JWK imports back to the same public key. */
		assert_int_equal(qoc_jwk_import(pub, QOC_JWS_ALG_UNSET, 0, &back), QOC_OK);
		assert_false(back->has_private);
		assert_int_equal(back->alg, algs[i]);
		assert_string_equal(back->kid, k->kid);
		assert_int_equal(EVP_PKEY_eq(back->pkey, k->pkey), 1);
		json_decref(pub);
		qoc_sigkey_free(back);
		qoc_sigkey_free(k);
	}
	struct qoc_sigkey *k = (struct qoc_sigkey *)1;
	assert_int_equal(qoc_sigkey_generate(QOC_JWS_ALG_UNSET, &k), QOC_EINVAL);
	assert_null(k);
}

/* RFC 7638 §3.1: the thumbprint of the example RSA key. */
static void rfc7638_thumbprint(void **state)
{
	(void)state;
	struct qoc_sigkey *k = NULL;
	char tp[QOC_SIGKEY_THUMBPRINT_LEN + 1];
	assert_int_equal(import_text(RFC7638_JWK, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);
	assert_string_equal(k->kid, "2011-04-29"); /* the JWK's own kid is kept */
	assert_int_equal(k->alg, QOC_JWS_RS256);
	assert_int_equal(qoc_sigkey_thumbprint(k, tp), QOC_OK);
	assert_string_equal(tp, RFC7638_THUMBPRINT);
	qoc_sigkey_free(k);
}

/* RFC 8037 A.1-A.3: the Ed25519 key and its thumbprint (the kid of a JWK without one). */
static void rfc8037_ed25519_key_and_thumbprint(void **state)
{
	(void)state;
	struct qoc_sigkey *priv = NULL, *pub = NULL;
	assert_int_equal(import_text(RFC8037_A1_JWK, QOC_JWS_ALG_UNSET, 0, &priv), QOC_OK);
	assert_int_equal(import_text(RFC8037_A2_JWK, QOC_JWS_ALG_UNSET, 0, &pub), QOC_OK);
	assert_true(priv->has_private);
	assert_false(pub->has_private);
	assert_int_equal(priv->alg, QOC_JWS_EDDSA);
	assert_string_equal(priv->kid, RFC8037_A3_THUMBPRINT);
	assert_string_equal(pub->kid, RFC8037_A3_THUMBPRINT);
	json_t *j = qoc_jwk_public_json(priv);
	assert_string_equal(member(j, "x"), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
	json_decref(j);
	qoc_sigkey_free(priv);
	qoc_sigkey_free(pub);
}

/* RFC 7517 Appendices A.1, A.2, A.3 and B. */
static void rfc7517_example_keys(void **state)
{
	(void)state;
	struct qoc_sigkey *k = NULL;
	assert_int_equal(import_text(RFC7517_A1_EC, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);
	assert_string_equal(k->kid, "1");
	assert_int_equal(k->alg, QOC_JWS_ES256);
	assert_false(k->has_private);
	qoc_sigkey_free(k);

	assert_int_equal(import_text(RFC7517_A2_EC, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);
	assert_true(k->has_private);
	qoc_sigkey_free(k);

	assert_int_equal(import_text(RFC7517_A2_RSA, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);
	assert_true(k->has_private);
	assert_string_equal(k->kid, "2011-04-29");
	assert_int_equal(EVP_PKEY_get_bits(k->pkey), 2048);
	qoc_sigkey_free(k);

	assert_int_equal(import_err(RFC7517_A3_OCT), QOC_EINVAL); /* no symmetric keys */

	assert_int_equal(import_text(RFC7517_B_RSA, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);
	assert_string_equal(k->kid, "1b94c");
	assert_false(k->has_private);
	qoc_sigkey_free(k);

	assert_int_equal(import_text(RFC7515_A2_JWK, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);
	assert_true(k->has_private);
	qoc_sigkey_free(k);
}

/* The JWK's "alg", the caller's alg and the key type must agree. */
static void import_algorithm_rules(void **state)
{
	(void)state;
	struct qoc_sigkey *k = NULL;
	assert_int_equal(import_text(RFC7517_B_RSA, QOC_JWS_PS256, 0, &k), QOC_OK);
	assert_int_equal(k->alg, QOC_JWS_PS256);
	qoc_sigkey_free(k);
	k = NULL;
	assert_int_equal(import_text(RFC7638_JWK, QOC_JWS_PS256, 0, &k),
	                 QOC_EINVAL); /* alg RS256 */
	assert_null(k);
	assert_int_equal(import_text(RFC7517_B_RSA, QOC_JWS_ES256, 0, &k), QOC_EINVAL);
	assert_int_equal(import_text(RFC7517_A1_EC, QOC_JWS_EDDSA, 0, &k), QOC_EINVAL);
	assert_int_equal(import_text(RFC8037_A2_JWK, QOC_JWS_ES256, 0, &k), QOC_EINVAL);
	assert_int_equal(import_text(RFC7517_A1_EC, (enum qoc_jws_alg)42, 0, &k), QOC_EINVAL);

	const char *ec_rs = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"RS256\","
	                    "\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\","
	                    "\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\"}";
	assert_int_equal(import_err(ec_rs), QOC_EINVAL);
	const char *none = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"none\","
	                   "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
	assert_int_equal(import_err(none), QOC_EINVAL);
	const char *num = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":5,"
	                  "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
	assert_int_equal(import_err(num), QOC_EINVAL);
}

/* Builds {"kty":"EC","crv":crv,"x":x,"y":y[,"d":d]} */
static enum qoc_err ec_err(const char *crv, const char *x, const char *y, const char *d)
{
	char text[512];
	snprintf(text, sizeof(text),
	         "{\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"%s%s%s}", crv, x, y,
	         d ? ",\"d\":\"" : "", d ? d : "", d ? "\"" : "");
	return import_err(text);
}

#define EC_X "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"
#define EC_Y "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"
#define EC_D "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"

/* RFC 7518 §6.2: P-256 only, full-size coordinates, a point on the curve, a matching d. */
static void import_refuses_bad_ec_keys(void **state)
{
	(void)state;
	assert_int_equal(ec_err("P-256", EC_X, EC_Y, EC_D), QOC_OK);
	assert_int_equal(ec_err("P-384", EC_X, EC_Y, NULL), QOC_EINVAL);
	assert_int_equal(ec_err("p-256", EC_X, EC_Y, NULL), QOC_EINVAL);
	/* 31-byte x (leading octet dropped) */
	assert_int_equal(ec_err("P-256", "oEJM0hwpRIOKLXXJKzfnbqINnwCJOjtO7oo8Cq_sPg", EC_Y, NULL),
	                 QOC_EINVAL);
	/* y changed in its last character: not on the curve */
	assert_int_equal(ec_err("P-256", EC_X, "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyE", NULL),
	                 QOC_EINVAL);
	/* the d of RFC 7515 A.3 with the x/y of RFC 7517 A.1: not a pair */
	assert_int_equal(ec_err("P-256", EC_X, EC_Y, "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"),
	                 QOC_EINVAL);
	assert_int_equal(ec_err("P-256", EC_X "=", EC_Y, NULL), QOC_EINVAL); /* padded */
	assert_int_equal(import_err("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" EC_X "\"}"),
	                 QOC_EINVAL); /* no y */
	assert_int_equal(
	    import_err("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1,\"y\":\"" EC_Y "\"}"),
	    QOC_EINVAL);
}

#define ED_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

static void import_refuses_bad_okp_keys(void **state)
{
	(void)state;
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"" ED_X "\"}"),
	                 QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" ED_X "\"}"),
	                 QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"x\":\"" ED_X "\"}"), QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}"),
	                 QOC_EINVAL);
	/* d of RFC 8037 A.1 with another x: not a pair */
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	                            "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
	                            "\"x\":\"" EC_X "\"}"),
	                 QOC_EINVAL);
}

/* A JWK with the public members of key (made by qoc_jwk_public_json) with one member
 * replaced or removed (value NULL). */
static json_t *jwk_with(const struct qoc_sigkey *key, const char *name, const char *value)
{
	json_t *j = qoc_jwk_public_json(key);
	assert_non_null(j);
	if (value)
		json_object_set_new(j, name, json_string(value));
	else
		json_object_del(j, name);
	return j;
}

static enum qoc_err import_json_err(json_t *j, unsigned flags)
{
	struct qoc_sigkey *k = NULL;
	enum qoc_err err = qoc_jwk_import(j, QOC_JWS_ALG_UNSET, flags, &k);
	qoc_sigkey_free(k);
	json_decref(j);
	return err;
}

/* RFC 7518 §6.3 and §2 (Base64urlUInt); key size floor of 2048 bits. */
static void import_refuses_bad_rsa_keys(void **state)
{
	(void)state;
	struct qoc_sigkey *k = NULL;
	assert_int_equal(import_text(RFC7517_B_RSA, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);

	/* A leading zero octet on n. */
	uint8_t n[300];
	size_t nlen = 0;
	json_t *pub = qoc_jwk_public_json(k);
	const char *n64 = member(pub, "n");
	assert_int_equal(qoc_b64url_decode_to(n64, strlen(n64), n + 1, sizeof(n) - 1, &nlen),
	                 QOC_OK);
	json_decref(pub);
	n[0] = 0;
	char padded[400];
	assert_int_equal(qoc_b64url_encode_to(n, nlen + 1, padded, sizeof(padded), NULL), QOC_OK);
	assert_int_equal(import_json_err(jwk_with(k, "n", padded), 0), QOC_EINVAL);

	/* An exponent over 8 octets, a zero exponent, a missing or non-string e. */
	assert_int_equal(import_json_err(jwk_with(k, "e", "AQABAQABAQABAQAB"), 0), QOC_EINVAL);
	assert_int_equal(import_json_err(jwk_with(k, "e", "AA"), 0), QOC_EINVAL);
	assert_int_equal(import_json_err(jwk_with(k, "e", NULL), 0), QOC_EINVAL);
	/* Multi-prime keys. */
	assert_int_equal(import_json_err(jwk_with(k, "oth", "x"), 0), QOC_EINVAL);
	/* A private key without all of its CRT members. */
	json_t *priv = parse(RFC7517_A2_RSA);
	json_object_del(priv, "qi");
	assert_int_equal(import_json_err(priv, 0), QOC_EINVAL);
	/* The RFC 7515 A.2 private key with another key's d. */
	priv = parse(RFC7515_A2_JWK);
	json_t *other = parse(RFC7517_A2_RSA);
	json_object_set(priv, "d", json_object_get(other, "d"));
	json_decref(other);
	assert_int_equal(import_json_err(priv, 0), QOC_EINVAL);
	qoc_sigkey_free(k);

	/* 1024 bits: refused unless the test-vector flag allows it. */
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(small);
	assert_int_equal(
	    qoc_sigkey_from_pkey(small, QOC_JWS_RS256, NULL, QOC_SIGKEY_ALLOW_WEAK_RSA, &k),
	    QOC_OK);
	assert_int_equal(import_json_err(qoc_jwk_public_json(k), 0), QOC_EINVAL);
	assert_int_equal(import_json_err(qoc_jwk_public_json(k), QOC_SIGKEY_ALLOW_WEAK_RSA),
	                 QOC_OK);
	qoc_sigkey_free(k);
	small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_int_equal(qoc_sigkey_from_pkey(small, QOC_JWS_RS256, NULL, 0, &k), QOC_EINVAL);
	assert_null(k);
}

static void import_refuses_bad_shapes(void **state)
{
	(void)state;
	assert_int_equal(import_err("[]"), QOC_EINVAL);
	assert_int_equal(import_err("{}"), QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":1}"), QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":\"rsa\"}"), QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":7,"
	                            "\"x\":\"" ED_X "\"}"),
	                 QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a b\","
	                            "\"x\":\"" ED_X "\"}"),
	                 QOC_EINVAL);
	assert_int_equal(import_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"\","
	                            "\"x\":\"" ED_X "\"}"),
	                 QOC_EINVAL);
	char longkid[300];
	snprintf(longkid, sizeof(longkid),
	         "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"%0129d\",\"x\":\"" ED_X "\"}", 0);
	assert_int_equal(import_err(longkid), QOC_EINVAL);
	snprintf(longkid, sizeof(longkid),
	         "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"%0128d\",\"x\":\"" ED_X "\"}", 0);
	assert_int_equal(import_err(longkid), QOC_OK);
	/* A kid with an embedded NUL (jansson can hold one when built by hand). */
	json_t *j = parse(RFC8037_A2_JWK);
	json_object_set_new(j, "kid", json_stringn("a\0b", 3));
	assert_int_equal(import_json_err(j, 0), QOC_EINVAL);
	struct qoc_sigkey *k = NULL;
	assert_int_equal(qoc_jwk_import(NULL, QOC_JWS_ALG_UNSET, 0, &k), QOC_EINVAL);
}

/* Signing keys are kept sealed as PKCS#8 DER (RFC 5208). */
static void private_key_export_import_round_trip(void **state)
{
	(void)state;
	const enum qoc_jws_alg algs[] = {QOC_JWS_RS256, QOC_JWS_PS256, QOC_JWS_ES256,
	                                 QOC_JWS_EDDSA};
	for (size_t i = 0; i < 4; i++) {
		struct qoc_sigkey *k = NULL, *back = NULL, *pub = NULL;
		struct qoc_buf der, jws, payload;
		qoc_buf_init(&der, 8192);
		qoc_buf_init(&jws, 8192);
		qoc_buf_init(&payload, 64);
		assert_int_equal(qoc_sigkey_generate(algs[i], &k), QOC_OK);
		assert_int_equal(qoc_sigkey_export_private(k, &der), QOC_OK);
		assert_true(der.len > 32);
		assert_int_equal(qoc_sigkey_import_private(algs[i], der.data, der.len, NULL, &back),
		                 QOC_OK);
		assert_true(back->has_private);
		assert_string_equal(back->kid, k->kid);
		assert_int_equal(EVP_PKEY_eq(back->pkey, k->pkey), 1);
		/* What the re-imported key signs, the original verifies. */
		assert_int_equal(qoc_jws_sign(back, "hi", 2, NULL, &jws), QOC_OK);
		assert_int_equal(qoc_jws_verify(jws.data, jws.len, algs[i], k, &payload), QOC_OK);
		assert_string_equal(qoc_buf_cstr(&payload), "hi");

		/* An explicit kid is kept; trailing bytes, truncation, wrong types refused. */
		qoc_sigkey_free(back);
		back = NULL;
		assert_int_equal(
		    qoc_sigkey_import_private(algs[i], der.data, der.len, "k-1", &back), QOC_OK);
		assert_string_equal(back->kid, "k-1");
		qoc_sigkey_free(back);
		back = NULL;
		assert_int_equal(
		    qoc_sigkey_import_private(algs[i], der.data, der.len - 1, NULL, &back),
		    QOC_EINVAL);
		assert_int_equal(qoc_buf_append_char(&der, 0), QOC_OK);
		assert_int_equal(qoc_sigkey_import_private(algs[i], der.data, der.len, NULL, &back),
		                 QOC_EINVAL);
		der.len--;
		enum qoc_jws_alg other = algs[i] == QOC_JWS_ES256 ? QOC_JWS_EDDSA : QOC_JWS_ES256;
		assert_int_equal(qoc_sigkey_import_private(other, der.data, der.len, NULL, &back),
		                 QOC_EINVAL);
		assert_null(back);

		/* A public key has nothing to export. */
		json_t *j = qoc_jwk_public_json(k);
		assert_int_equal(qoc_jwk_import(j, QOC_JWS_ALG_UNSET, 0, &pub), QOC_OK);
		json_decref(j);
		struct qoc_buf none;
		qoc_buf_init(&none, 8192);
		assert_int_equal(qoc_sigkey_export_private(pub, &none), QOC_EINVAL);
		assert_int_equal(none.len, 0);
		qoc_buf_release(&none);

		qoc_sigkey_free(pub);
		qoc_sigkey_free(k);
		qoc_buf_release_secret(&der);
		qoc_buf_release(&jws);
		qoc_buf_release(&payload);
	}
	struct qoc_sigkey *k = NULL;
	assert_int_equal(qoc_sigkey_import_private(QOC_JWS_ES256, "\x30\x00", 2, NULL, &k),
	                 QOC_EINVAL);
	assert_int_equal(qoc_sigkey_import_private(QOC_JWS_ALG_UNSET, "x", 1, NULL, &k),
	                 QOC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(alg_names_are_exact),
	    cmocka_unit_test(generate_all_algorithms),
	    cmocka_unit_test(rfc7638_thumbprint),
	    cmocka_unit_test(rfc8037_ed25519_key_and_thumbprint),
	    cmocka_unit_test(rfc7517_example_keys),
	    cmocka_unit_test(import_algorithm_rules),
	    cmocka_unit_test(import_refuses_bad_ec_keys),
	    cmocka_unit_test(import_refuses_bad_okp_keys),
	    cmocka_unit_test(import_refuses_bad_rsa_keys),
	    cmocka_unit_test(import_refuses_bad_shapes),
	    cmocka_unit_test(private_key_export_import_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
