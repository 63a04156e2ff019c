#include "crypto/token.h"

#include <string.h>

#include "core/mem.h"
#include "crypto/b64.h"
#include "crypto/ct.h"
#include "crypto/hash.h"

static bool prefix_ok(const char *prefix)
{
	size_t n = strnlen(prefix, QOC_TOKEN_PREFIX_MAX + 1);
	if (n > QOC_TOKEN_PREFIX_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (prefix[i] <= ' ' || prefix[i] > '~')
			return false;
	}
	return true;
}

enum qoc_err qoc_token_new_with(const struct qoc_random *rng, const char *prefix, size_t nbytes,
                                struct qoc_buf *out)
{
	uint8_t raw[QOC_TOKEN_MAX_BYTES];
	char text[QOC_TOKEN_PREFIX_MAX + 4 * QOC_TOKEN_MAX_BYTES / 3 + 2];
	size_t plen, n = 0;
	enum qoc_err err;

	if (nbytes < QOC_TOKEN_MIN_BYTES || nbytes > QOC_TOKEN_MAX_BYTES || !prefix_ok(prefix))
		return QOC_EINVAL;
	plen = strlen(prefix);
	err = qoc_random_fill(rng, raw, nbytes);
	if (err)
		goto out;
	memcpy(text, prefix, plen);
	err = qoc_b64url_encode_to(raw, nbytes, text + plen, sizeof(text) - plen, &n);
	if (err)
		goto out;
	/* One append of the whole token, so no partial copy is left by a reallocation. */
	err = qoc_buf_append(out, text, plen + n);
out:
	qoc_memwipe(raw, sizeof(raw));
	qoc_memwipe(text, sizeof(text));
	return err;
}

enum qoc_err qoc_token_new(const char *prefix, size_t nbytes, struct qoc_buf *out)
{
	return qoc_token_new_with(&qoc_random_system, prefix, nbytes, out);
}

enum qoc_err qoc_token_hash(const char *token, size_t len, char out[QOC_TOKEN_HASH_LEN + 1])
{
	uint8_t digest[QOC_SHA256_LEN];
	enum qoc_err err = qoc_hash_sha256(token, len, digest);
	if (!err)
		err =
		    qoc_b64url_encode_to(digest, sizeof(digest), out, QOC_TOKEN_HASH_LEN + 1, NULL);
	return err;
}

enum qoc_err qoc_token_client_id_with(const struct qoc_random *rng, char out[QOC_CLIENT_ID_LEN + 1])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	/* 252 = 7 * 36 is the largest multiple of 36 a byte can hold: bytes at or above it
	 * are thrown away so every character is equally likely. */
	const unsigned limit = 252;
	size_t prefix_len = sizeof(QOC_CLIENT_ID_PREFIX) - 1;
	size_t filled = 0;
	uint8_t pool[32];

	memcpy(out, QOC_CLIENT_ID_PREFIX, prefix_len);
	while (filled < QOC_CLIENT_ID_RANDOM_LEN) {
		enum qoc_err err = qoc_random_fill(rng, pool, sizeof(pool));
		if (err)
			return err;
		for (size_t i = 0; i < sizeof(pool) && filled < QOC_CLIENT_ID_RANDOM_LEN; i++) {
			if (pool[i] < limit)
				out[prefix_len + filled++] = alphabet[pool[i] % 36];
		}
	}
	out[QOC_CLIENT_ID_LEN] = '\0';
	return QOC_OK;
}

enum qoc_err qoc_token_client_id(char out[QOC_CLIENT_ID_LEN + 1])
{
	return qoc_token_client_id_with(&qoc_random_system, out);
}

bool qoc_token_client_id_valid(const char *s, size_t len)
{
	size_t plen = sizeof(QOC_CLIENT_ID_PREFIX) - 1;
	if (len < plen + 18 || len > plen + 64 || memcmp(s, QOC_CLIENT_ID_PREFIX, plen) != 0)
		return false;
	for (size_t i = plen; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

enum qoc_err qoc_secret_new(struct qoc_buf *out)
{
	return qoc_token_new(QOC_SECRET_PREFIX, QOC_SECRET_BYTES, out);
}

bool qoc_secret_valid(const char *s, size_t len)
{
	size_t plen = sizeof(QOC_SECRET_PREFIX) - 1;
	uint8_t raw[QOC_SECRET_BYTES];
	size_t n = 0;
	if (len != QOC_SECRET_LEN || memcmp(s, QOC_SECRET_PREFIX, plen) != 0)
		return false;
	bool ok = qoc_b64url_decode_to(s + plen, len - plen, raw, sizeof(raw), &n) == QOC_OK &&
	          n == QOC_SECRET_BYTES;
	qoc_memwipe(raw, sizeof(raw));
	return ok;
}

enum qoc_err qoc_secret_hash(const uint8_t key[32], const char *secret, size_t len,
                             uint8_t out[QOC_SECRET_HASH_LEN])
{
	return qoc_hash_hmac_sha256(key, 32, secret, len, out);
}

bool qoc_secret_verify(const uint8_t key[32], const char *secret, size_t len,
                       const uint8_t stored[QOC_SECRET_HASH_LEN])
{
	uint8_t mac[QOC_SECRET_HASH_LEN];
	bool ok = qoc_secret_hash(key, secret, len, mac) == QOC_OK &&
	          qoc_ct_equal(mac, sizeof(mac), stored, QOC_SECRET_HASH_LEN);
	qoc_memwipe(mac, sizeof(mac));
	return ok;
}
