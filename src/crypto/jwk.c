#include "crypto/jwk.h"

#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core/mem.h"
#include "crypto/b64.h"

#define INT_MAX_OCTETS (QOC_SIGKEY_RSA_MAX_BITS / 8)
#define RSA_E_MAX_OCTETS 8
#define RSA_PRIVATE_COUNT 6

static int set_str(json_t *o, const char *name, const char *value)
{
	return json_object_set_new(o, name, json_string(value));
}

json_t *qoc_jwk_public_json(const struct qoc_sigkey *key)
{
	struct qoc_sigkey_pub pub;
	const char *alg = qoc_sigkey_alg_name(key->alg);
	if (!alg || qoc_sigkey_public(key, &pub) != QOC_OK)
		return NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	int bad = set_str(o, "kty", pub.kty);
	if (strcmp(pub.kty, "RSA") == 0) {
		bad |= set_str(o, "n", pub.n);
		bad |= set_str(o, "e", pub.e);
	} else {
		bad |= set_str(o, "crv", pub.crv);
		bad |= set_str(o, "x", pub.x);
		if (pub.y[0])
			bad |= set_str(o, "y", pub.y);
	}
	bad |= set_str(o, "kid", key->kid);
	bad |= set_str(o, "alg", alg);
	bad |= set_str(o, "use", "sig");
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Member `name` decoded from strict base64url into out[size]. QOC_ENOTFOUND when absent,
 * QOC_EINVAL when not a string, not base64url or longer than size. */
static enum qoc_err member_bytes(const json_t *jwk, const char *name, uint8_t *out, size_t size,
                                 size_t *len)
{
	const json_t *v = json_object_get(jwk, name);
	if (!v)
		return QOC_ENOTFOUND;
	if (!json_is_string(v) ||
	    qoc_b64url_decode_to(json_string_value(v), json_string_length(v), out, size, len))
		return QOC_EINVAL;
	return QOC_OK;
}

/* Member `name` as a fixed-size octet string (EC coordinates, OKP keys). */
static enum qoc_err member_fixed(const json_t *jwk, const char *name, uint8_t *out, size_t size)
{
	size_t len = 0;
	enum qoc_err err = member_bytes(jwk, name, out, size, &len);
	if (!err && len != size)
		err = QOC_EINVAL;
	return err;
}

/* RFC 7518 §2 Base64urlUInt member: at least one octet, no leading zero octet. */
static enum qoc_err member_bn(const json_t *jwk, const char *name, size_t max, BIGNUM **out)
{
	uint8_t buf[INT_MAX_OCTETS];
	size_t len = 0;
	enum qoc_err err = member_bytes(jwk, name, buf, max, &len);
	if (!err && (len == 0 || buf[0] == 0))
		err = QOC_EINVAL;
	if (!err) {
		*out = BN_bin2bn(buf, (int)len, NULL);
		if (!*out)
			err = QOC_ENOMEM;
	}
	qoc_memwipe(buf, sizeof(buf));
	return err;
}

/* OSSL_PARAM_clear_free is OpenSSL 3.2: wipe the values (private key material) by hand. */
static void params_wipe_free(OSSL_PARAM *params)
{
	for (OSSL_PARAM *p = params; p && p->key; p++) {
		if (p->data)
			qoc_memwipe(p->data, p->data_size);
	}
	OSSL_PARAM_free(params);
}

/* Makes the key from params and has OpenSSL check it: the full pair check for a private
 * key, the public checks (point on the curve, sane modulus) otherwise. */
static enum qoc_err from_params(const char *type, OSSL_PARAM_BLD *bld, bool priv, EVP_PKEY **out)
{
	enum qoc_err err = QOC_EINVAL;
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY_CTX *check = NULL;
	if (!params || !ctx) {
		err = QOC_ENOMEM;
		goto out;
	}
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	check = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
	if (check && (priv ? EVP_PKEY_check(check) : EVP_PKEY_public_check(check)) == 1)
		err = QOC_OK;
out:
	if (err) {
		ERR_clear_error();
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	params_wipe_free(params);
	return err;
}

static enum qoc_err import_rsa(const json_t *jwk, EVP_PKEY **out)
{
	static const char *const names[RSA_PRIVATE_COUNT] = {"d", "p", "q", "dp", "dq", "qi"};
	static const char *const params[RSA_PRIVATE_COUNT] = {
	    OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	    OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	BIGNUM *n = NULL, *e = NULL, *priv[RSA_PRIVATE_COUNT] = {NULL};
	OSSL_PARAM_BLD *bld = NULL;
	enum qoc_err err = QOC_EINVAL;
	int present = 0;

	/* Multi-prime keys (RFC 7518 §6.3.2.7) are refused. */
	if (json_object_get(jwk, "oth") || member_bn(jwk, "n", INT_MAX_OCTETS, &n) ||
	    member_bn(jwk, "e", RSA_E_MAX_OCTETS, &e))
		goto out;
	for (int i = 0; i < RSA_PRIVATE_COUNT; i++) {
		enum qoc_err e2 = member_bn(jwk, names[i], INT_MAX_OCTETS, &priv[i]);
		if (e2 == QOC_ENOMEM || (e2 && e2 != QOC_ENOTFOUND)) {
			err = e2;
			goto out;
		}
		present += e2 == QOC_OK;
	}
	/* d with all five CRT values, or none (OpenSSL's pair check needs the factors). */
	if (present != 0 && present != RSA_PRIVATE_COUNT)
		goto out;
	err = QOC_ENOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	for (int i = 0; i < present; i++) {
		if (!OSSL_PARAM_BLD_push_BN(bld, params[i], priv[i]))
			goto out;
	}
	err = from_params("RSA", bld, present > 0, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	for (int i = 0; i < RSA_PRIVATE_COUNT; i++)
		BN_clear_free(priv[i]);
	return err;
}

static bool member_is(const json_t *jwk, const char *name, const char *value)
{
	const json_t *v = json_object_get(jwk, name);
	return json_is_string(v) && json_string_length(v) == strlen(value) &&
	       memcmp(json_string_value(v), value, strlen(value)) == 0;
}

/* EC P-256 (ec == true) or OKP Ed25519: fixed-size members only. */
static enum qoc_err import_curve(const json_t *jwk, bool ec, EVP_PKEY **out)
{
	uint8_t point[65], d[32];
	BIGNUM *dbn = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	enum qoc_err err = QOC_EINVAL, has_d;

	if (!member_is(jwk, "crv", ec ? "P-256" : "Ed25519"))
		return QOC_EINVAL;
	point[0] = 0x04; /* SEC 1 §2.3.3 uncompressed point: 04 || x || y */
	if (member_fixed(jwk, "x", ec ? point + 1 : point, 32) ||
	    (ec && member_fixed(jwk, "y", point + 33, 32)))
		goto out;
	has_d = member_fixed(jwk, "d", d, sizeof(d));
	if (has_d && has_d != QOC_ENOTFOUND)
		goto out;
	err = QOC_ENOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		goto out;
	if (ec) {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 65))
			goto out;
		if (!has_d && (!(dbn = BN_bin2bn(d, sizeof(d), NULL)) ||
		               !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, dbn)))
			goto out;
	} else {
		if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 32) ||
		    (!has_d && !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PRIV_KEY, d,
		                                                 sizeof(d))))
			goto out;
	}
	err = from_params(ec ? "EC" : "ED25519", bld, !has_d, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(dbn);
	qoc_memwipe(d, sizeof(d));
	return err;
}

/* The algorithm the key will have: `alg` if given, else the JWK's "alg", else the one
 * the key type implies; QOC_JWS_ALG_UNSET when they disagree or do not fit the type. */
static enum qoc_jws_alg pick_alg(const json_t *jwk, enum qoc_jws_alg alg, const char *kty)
{
	const json_t *member = json_object_get(jwk, "alg");
	if (member) {
		if (!json_is_string(member))
			return QOC_JWS_ALG_UNSET;
		enum qoc_jws_alg named =
		    qoc_sigkey_alg_parse(json_string_value(member), json_string_length(member));
		if (!named || (alg && alg != named))
			return QOC_JWS_ALG_UNSET;
		alg = named;
	}
	if (strcmp(kty, "RSA") == 0) {
		alg = alg ? alg : QOC_JWS_RS256;
		return alg == QOC_JWS_RS256 || alg == QOC_JWS_PS256 ? alg : QOC_JWS_ALG_UNSET;
	}
	if (strcmp(kty, "EC") == 0)
		return !alg || alg == QOC_JWS_ES256 ? QOC_JWS_ES256 : QOC_JWS_ALG_UNSET;
	return !alg || alg == QOC_JWS_EDDSA ? QOC_JWS_EDDSA : QOC_JWS_ALG_UNSET;
}

enum qoc_err qoc_jwk_import(const json_t *jwk, enum qoc_jws_alg alg, unsigned flags,
                            struct qoc_sigkey **out)
{
	EVP_PKEY *pkey = NULL;
	const char *kid = NULL, *kty;
	enum qoc_err err;

	*out = NULL;
	if (!json_is_object(jwk) || (alg != QOC_JWS_ALG_UNSET && !qoc_sigkey_alg_name(alg)))
		return QOC_EINVAL;
	if (member_is(jwk, "kty", "RSA"))
		kty = "RSA";
	else if (member_is(jwk, "kty", "EC"))
		kty = "EC";
	else if (member_is(jwk, "kty", "OKP"))
		kty = "OKP";
	else
		return QOC_EINVAL; /* "oct" and unknown types */
	alg = pick_alg(jwk, alg, kty);
	if (!alg)
		return QOC_EINVAL;
	const json_t *kid_member = json_object_get(jwk, "kid");
	if (kid_member) {
		kid = json_string_value(kid_member);
		if (!kid || strlen(kid) != json_string_length(kid_member))
			return QOC_EINVAL;
	}
	if (kty[0] == 'R')
		err = import_rsa(jwk, &pkey);
	else
		err = import_curve(jwk, kty[0] == 'E', &pkey);
	if (err)
		return err;
	return qoc_sigkey_from_pkey(pkey, alg, kid, flags, out);
}
