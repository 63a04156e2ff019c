#include "crypto/hash.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

/* SHA-256 is fetched from the provider once: EVP_sha256() makes every EVP_Digest call
 * fetch it again (a property query and locks), which showed in the token endpoint's
 * profiles (one hash per token). */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); /* kept for the process' life */
}

/* libsodium wants sodium_init() before use; once per process, not a lock per call. */
static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status = -1;

static void sodium_start(void)
{
	sodium_status = sodium_init();
}

enum qoc_err qoc_hash_sha256(const void *data, size_t len, uint8_t out[QOC_SHA256_LEN])
{
	unsigned int n = 0;
	pthread_once(&sha256_once, sha256_fetch);
	const EVP_MD *md = sha256_md ? sha256_md : EVP_sha256();
	if (!EVP_Digest(data, len, out, &n, md, NULL) || n != QOC_SHA256_LEN) {
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
	/* libsodium's HMAC-SHA256 (RFC 2104, any key length): no provider fetch, no
	 * allocation, no lock. EVP_Q_mac fetched HMAC and SHA-256 on every call; two HMACs
	 * per client authentication made that ~9% of an introspection's CPU. Same output
	 * (RFC 4231 vectors in test_crypto_hash.c). */
	crypto_auth_hmacsha256_state st;
	if (key_len == 0)
		return QOC_EINVAL;
	pthread_once(&sodium_once, sodium_start);
	if (sodium_status < 0)
		return QOC_ECRYPTO;
	if (crypto_auth_hmacsha256_init(&st, key, key_len) != 0 ||
	    crypto_auth_hmacsha256_update(&st, data, len) != 0 ||
	    crypto_auth_hmacsha256_final(&st, out) != 0) {
		sodium_memzero(&st, sizeof(st));
		return QOC_ECRYPTO;
	}
	sodium_memzero(&st, sizeof(st));
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
