#include "crypto/sigkey.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/b64.h"
#include "crypto/hash.h"
#include "crypto/sigop.h"

static const char *const alg_names[] = {
    [QOC_JWS_RS256] = "RS256",
    [QOC_JWS_PS256] = "PS256",
    [QOC_JWS_ES256] = "ES256",
    [QOC_JWS_EDDSA] = "EdDSA",
};

#define ALG_COUNT (sizeof(alg_names) / sizeof(alg_names[0]))

const char *qoc_sigkey_alg_name(enum qoc_jws_alg alg)
{
	if ((unsigned)alg >= ALG_COUNT)
		return NULL;
	return alg_names[alg];
}

enum qoc_jws_alg qoc_sigkey_alg_parse(const char *s, size_t len)
{
	for (unsigned a = 1; a < ALG_COUNT; a++) {
		if (strlen(alg_names[a]) == len && memcmp(alg_names[a], s, len) == 0)
			return (enum qoc_jws_alg)a;
	}
	return QOC_JWS_ALG_UNSET;
}

/* The OpenSSL key type an algorithm needs. */
static const char *pkey_type(enum qoc_jws_alg alg)
{
	switch (alg) {
	case QOC_JWS_RS256:
	case QOC_JWS_PS256:
		return "RSA";
	case QOC_JWS_ES256:
		return "EC";
	case QOC_JWS_EDDSA:
		return "ED25519";
	default:
		return NULL;
	}
}

static enum qoc_err check_pkey(EVP_PKEY *pkey, enum qoc_jws_alg alg, unsigned flags)
{
	const char *type = pkey_type(alg);
	if (!type || !EVP_PKEY_is_a(pkey, type))
		return QOC_EINVAL;
	if (alg == QOC_JWS_RS256 || alg == QOC_JWS_PS256) {
		int min = flags & QOC_SIGKEY_ALLOW_WEAK_RSA ? 1024 : QOC_SIGKEY_RSA_MIN_BITS;
		int bits = EVP_PKEY_get_bits(pkey);
		if (bits < min || bits > QOC_SIGKEY_RSA_MAX_BITS)
			return QOC_EINVAL;
	} else if (alg == QOC_JWS_ES256) {
		char group[32];
		size_t len = 0;
		if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
		                                    sizeof(group), &len) ||
		    (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0)) {
			ERR_clear_error();
			return QOC_EINVAL;
		}
	}
	return QOC_OK;
}

static bool pkey_has_private(EVP_PKEY *pkey, enum qoc_jws_alg alg)
{
	BIGNUM *bn = NULL;
	size_t len = 0;
	bool has;
	if (alg == QOC_JWS_EDDSA)
		has = EVP_PKEY_get_raw_private_key(pkey, NULL, &len) == 1 && len > 0;
	else
		has = EVP_PKEY_get_bn_param(pkey,
		                            alg == QOC_JWS_ES256 ? OSSL_PKEY_PARAM_PRIV_KEY
		                                                 : OSSL_PKEY_PARAM_RSA_D,
		                            &bn) == 1;
	BN_clear_free(bn);
	ERR_clear_error();
	return has;
}

/* 1 to QOC_SIGKEY_KID_MAX printable ASCII characters, no spaces. */
static bool kid_ok(const char *kid)
{
	size_t n = strnlen(kid, QOC_SIGKEY_KID_MAX + 1);
	if (n == 0 || n > QOC_SIGKEY_KID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (kid[i] <= ' ' || kid[i] > '~')
			return false;
	}
	return true;
}

enum qoc_err qoc_sigkey_from_pkey(EVP_PKEY *pkey, enum qoc_jws_alg alg, const char *kid,
                                  unsigned flags, struct qoc_sigkey **out)
{
	struct qoc_sigkey *key;
	enum qoc_err err;

	*out = NULL;
	if (!pkey)
		return QOC_EINVAL;
	err = check_pkey(pkey, alg, flags);
	if (!err && kid && !kid_ok(kid))
		err = QOC_EINVAL;
	if (err) {
		EVP_PKEY_free(pkey);
		return err;
	}
	key = calloc(1, sizeof(*key));
	if (!key) {
		EVP_PKEY_free(pkey);
		return QOC_ENOMEM;
	}
	key->pkey = pkey;
	key->alg = alg;
	key->has_private = pkey_has_private(pkey, alg);
	err = qoc_sigop_new(pkey, alg, key->has_private, &key->op);
	if (!err && kid)
		memcpy(key->kid, kid, strlen(kid) + 1);
	else if (!err)
		err = qoc_sigkey_thumbprint(key, key->kid);
	if (err) {
		qoc_sigkey_free(key);
		return err;
	}
	*out = key;
	return QOC_OK;
}

void qoc_sigkey_free(struct qoc_sigkey *key)
{
	if (!key)
		return;
	qoc_sigop_free(key->op);
	EVP_PKEY_free(key->pkey);
	free(key);
}

static qoc_sigkey_source_fn *key_source;

void qoc_sigkey_set_source(qoc_sigkey_source_fn *fn)
{
	key_source = fn;
}

enum qoc_err qoc_sigkey_generate(enum qoc_jws_alg alg, struct qoc_sigkey **out)
{
	EVP_PKEY *pkey = key_source ? key_source(alg) : NULL;
	*out = NULL;
	if (pkey)
		return qoc_sigkey_from_pkey(pkey, alg, NULL, 0, out);
	switch (alg) {
	case QOC_JWS_RS256:
	case QOC_JWS_PS256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)QOC_SIGKEY_RSA_MIN_BITS);
		break;
	case QOC_JWS_ES256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case QOC_JWS_EDDSA:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		return QOC_EINVAL;
	}
	if (!pkey) {
		ERR_clear_error();
		return QOC_ECRYPTO;
	}
	return qoc_sigkey_from_pkey(pkey, alg, NULL, 0, out);
}

enum qoc_err qoc_sigkey_export_private(const struct qoc_sigkey *key, struct qoc_buf *out)
{
	OSSL_ENCODER_CTX *ctx = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	enum qoc_err err = QOC_ECRYPTO;

	if (!key->has_private)
		return QOC_EINVAL;
	ctx = OSSL_ENCODER_CTX_new_for_pkey(key->pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo",
	                                    NULL);
	if (!ctx || OSSL_ENCODER_CTX_get_num_encoders(ctx) == 0 ||
	    OSSL_ENCODER_to_data(ctx, &der, &len) != 1)
		goto out;
	err = qoc_buf_append(out, der, len);
out:
	if (err)
		ERR_clear_error();
	OPENSSL_clear_free(der, len);
	OSSL_ENCODER_CTX_free(ctx);
	return err;
}

enum qoc_err qoc_sigkey_import_private(enum qoc_jws_alg alg, const void *der, size_t len,
                                       const char *kid, struct qoc_sigkey **out)
{
	OSSL_DECODER_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = der;
	size_t left = len;
	const char *type = pkey_type(alg);

	*out = NULL;
	if (!type)
		return QOC_EINVAL;
	ctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "PrivateKeyInfo", type, EVP_PKEY_KEYPAIR,
	                                    NULL, NULL);
	if (!ctx || OSSL_DECODER_from_data(ctx, &p, &left) != 1 || left != 0) {
		ERR_clear_error();
		OSSL_DECODER_CTX_free(ctx);
		EVP_PKEY_free(pkey);
		return QOC_EINVAL;
	}
	OSSL_DECODER_CTX_free(ctx);
	enum qoc_err err = qoc_sigkey_from_pkey(pkey, alg, kid, 0, out);
	if (!err && !(*out)->has_private) {
		qoc_sigkey_free(*out);
		*out = NULL;
		err = QOC_EINVAL;
	}
	return err;
}

/* Base64url of a BIGNUM parameter: minimal octets (RFC 7518 §2 Base64urlUInt), or
 * left-padded to `pad` octets when pad is nonzero (EC coordinates, §6.2.1.2). */
static enum qoc_err bn_param_b64(EVP_PKEY *pkey, const char *name, int pad, char *out,
                                 size_t out_size)
{
	uint8_t bytes[QOC_SIGKEY_RSA_MAX_BITS / 8];
	BIGNUM *bn = NULL;
	int n = -1;
	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
		ERR_clear_error();
		return QOC_ECRYPTO;
	}
	if (pad)
		n = BN_bn2binpad(bn, bytes, pad);
	else if (BN_num_bytes(bn) <= (int)sizeof(bytes))
		n = BN_bn2bin(bn, bytes);
	BN_free(bn);
	if (n < 0)
		return QOC_ELIMIT;
	return qoc_b64url_encode_to(bytes, (size_t)n, out, out_size, NULL);
}

enum qoc_err qoc_sigkey_public(const struct qoc_sigkey *key, struct qoc_sigkey_pub *pub)
{
	enum qoc_err err;
	memset(pub, 0, sizeof(*pub));
	pub->crv = "";
	switch (key->alg) {
	case QOC_JWS_RS256:
	case QOC_JWS_PS256:
		pub->kty = "RSA";
		err = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_N, 0, pub->n, sizeof(pub->n));
		if (!err)
			err = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_E, 0, pub->e,
			                   sizeof(pub->e));
		return err;
	case QOC_JWS_ES256:
		pub->kty = "EC";
		pub->crv = "P-256";
		err = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32, pub->x, sizeof(pub->x));
		if (!err)
			err = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32, pub->y,
			                   sizeof(pub->y));
		return err;
	case QOC_JWS_EDDSA: {
		uint8_t raw[32];
		size_t len = sizeof(raw);
		pub->kty = "OKP";
		pub->crv = "Ed25519";
		if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &len) != 1 || len != 32) {
			ERR_clear_error();
			return QOC_ECRYPTO;
		}
		return qoc_b64url_encode_to(raw, len, pub->x, sizeof(pub->x), NULL);
	}
	default:
		return QOC_EINVAL;
	}
}

enum qoc_err qoc_sigkey_thumbprint(const struct qoc_sigkey *key,
                                   char out[QOC_SIGKEY_THUMBPRINT_LEN + 1])
{
	struct qoc_sigkey_pub pub;
	struct qoc_buf json;
	uint8_t digest[QOC_SHA256_LEN];
	enum qoc_err err = qoc_sigkey_public(key, &pub);
	if (err)
		return err;
	/* RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
	 * Every value is base64url or a fixed name, so nothing needs escaping. */
	qoc_buf_init(&json, 2 * QOC_SIGKEY_B64_MAX);
	if (strcmp(pub.kty, "RSA") == 0)
		err = qoc_buf_printf(&json, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", pub.e,
		                     pub.n);
	else if (strcmp(pub.kty, "EC") == 0)
		err = qoc_buf_printf(&json,
		                     "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
		                     pub.crv, pub.x, pub.y);
	else
		err = qoc_buf_printf(&json, "{\"crv\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}",
		                     pub.crv, pub.x);
	if (!err)
		err = qoc_hash_sha256(json.data, json.len, digest);
	if (!err)
		err = qoc_b64url_encode_to(digest, sizeof(digest), out,
		                           QOC_SIGKEY_THUMBPRINT_LEN + 1, NULL);
	qoc_buf_release(&json);
	return err;
}
