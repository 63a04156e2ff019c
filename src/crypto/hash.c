#include "crypto/hash.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

enum qoc_err qoc_hash_sha256(const void *data, size_t len, uint8_t out[QOC_SHA256_LEN])
{
	unsigned int n = 0;
	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != QOC_SHA256_LEN) {
		ERR_clear_error();
		return QOC_ECRYPTO;
	}
	return QOC_OK;
}

enum qoc_err qoc_hash_sha512(const void *data, size_t len, uint8_t out[QOC_SHA512_LEN])
{
	unsigned int n = 0;
	if (!EVP_Digest(data, len, out, &n, EVP_sha512(), NULL) || n != QOC_SHA512_LEN) {
		ERR_clear_error();
		return QOC_ECRYPTO;
	}
	return QOC_OK;
}

enum qoc_err qoc_hash_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                                  uint8_t out[QOC_SHA256_LEN])
{
	size_t n = 0;
	if (key_len == 0)
		return QOC_EINVAL;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, data, len, out,
	               QOC_SHA256_LEN, &n) ||
	    n != QOC_SHA256_LEN) {
		ERR_clear_error();
		return QOC_ECRYPTO;
	}
	return QOC_OK;
}

enum qoc_err qoc_hash_hkdf_sha256(const void *ikm, size_t ikm_len, const void *salt,
                                  size_t salt_len, const void *info, size_t info_len, uint8_t *out,
                                  size_t out_len)
{
	enum qoc_err err = QOC_ECRYPTO;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[5];
	size_t p = 0;

	if (out_len == 0 || out_len > 255 * QOC_SHA256_LEN)
		return QOC_EINVAL;
	params[p++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
	params[p++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
	if (salt && salt_len)
		params[p++] =
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	if (info && info_len)
		params[p++] =
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
	params[p] = OSSL_PARAM_construct_end();

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		goto out;
	ctx = EVP_KDF_CTX_new(kdf);
	if (!ctx)
		goto out;
	if (EVP_KDF_derive(ctx, out, out_len, params) != 1)
		goto out;
	err = QOC_OK;
out:
	if (err)
		ERR_clear_error();
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return err;
}

enum qoc_err qoc_kdf(const uint8_t master[QOC_KDF_KEY_LEN], const char *purpose,
                     uint8_t out[QOC_KDF_KEY_LEN])
{
	if (!purpose || !purpose[0])
		return QOC_EINVAL;
	return qoc_hash_hkdf_sha256(master, QOC_KDF_KEY_LEN, NULL, 0, purpose, strlen(purpose), out,
	                            QOC_KDF_KEY_LEN);
}
