#include "crypto/seal.h"

#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/mem.h"
#include "core/random.h"

/* Wipes and drops what was appended to b after `start` (a failed seal or open). */
static void truncate_wipe(struct qoc_buf *b, size_t start)
{
	if (!b->data)
		return;
	qoc_memwipe(b->data + start, b->len - start);
	b->len = start;
	b->data[start] = '\0';
}

/* Both directions: the version byte, then the caller's AAD, are authenticated data. */
static int add_aad(EVP_CIPHER_CTX *ctx, const uint8_t *version, const void *aad, size_t aad_len)
{
	int n = 0;
	if (!EVP_CipherUpdate(ctx, NULL, &n, version, 1))
		return 0;
	if (aad_len && !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len))
		return 0;
	return 1;
}

/* Runs the cipher over p[0, len) in place, then finishes (which checks the tag when
 * decrypting). */
static int gcm_in_place(EVP_CIPHER_CTX *ctx, uint8_t *p, size_t len)
{
	int n = 0, fin = 0;
	if (len && !EVP_CipherUpdate(ctx, p, &n, p, (int)len))
		return 0;
	return EVP_CipherFinal_ex(ctx, p + n, &fin) == 1;
}

enum qoc_err qoc_seal(const uint8_t key[QOC_SEAL_KEY_LEN], const void *aad, size_t aad_len,
                      const void *plain, size_t len, struct qoc_buf *out)
{
	uint8_t header[1 + QOC_SEAL_NONCE_LEN], tag[QOC_SEAL_TAG_LEN];
	size_t start = out->len;
	EVP_CIPHER_CTX *ctx = NULL;
	enum qoc_err err;

	if (len > INT_MAX - QOC_SEAL_OVERHEAD || aad_len > INT_MAX ||
	    len + QOC_SEAL_OVERHEAD > out->max - out->len)
		return QOC_ELIMIT;
	header[0] = QOC_SEAL_VERSION;
	err = qoc_random_bytes(header + 1, QOC_SEAL_NONCE_LEN);
	if (err)
		return err;
	/* Header, then the plaintext, which is encrypted in place before anything else is
	 * appended: a later reallocation can only leave ciphertext behind. */
	err = qoc_buf_append(out, header, sizeof(header));
	if (!err)
		err = qoc_buf_append(out, plain, len);
	if (err)
		goto out;
	err = QOC_ECRYPTO;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key, header + 1, NULL) ||
	    !add_aad(ctx, header, aad, aad_len) ||
	    !gcm_in_place(ctx, (uint8_t *)out->data + start + sizeof(header), len) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, QOC_SEAL_TAG_LEN, tag) != 1)
		goto out;
	err = qoc_buf_append(out, tag, sizeof(tag));
out:
	if (err) {
		ERR_clear_error();
		truncate_wipe(out, start);
	}
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

enum qoc_err qoc_seal_open(const uint8_t key[QOC_SEAL_KEY_LEN], const void *aad, size_t aad_len,
                           const void *blob, size_t len, struct qoc_buf *out)
{
	const uint8_t *b = blob;
	uint8_t tag[QOC_SEAL_TAG_LEN];
	size_t start = out->len, ct_len;
	EVP_CIPHER_CTX *ctx = NULL;
	enum qoc_err err;

	if (len < QOC_SEAL_OVERHEAD || b[0] != QOC_SEAL_VERSION)
		return QOC_EINVAL;
	ct_len = len - QOC_SEAL_OVERHEAD;
	if (ct_len > INT_MAX || aad_len > INT_MAX || ct_len > out->max - out->len)
		return QOC_ELIMIT;
	memcpy(tag, b + len - QOC_SEAL_TAG_LEN, QOC_SEAL_TAG_LEN);
	/* Decrypt in place inside `out`: the plaintext exists in one place only, and is
	 * wiped there when the tag does not verify. */
	err = qoc_buf_append(out, b + 1 + QOC_SEAL_NONCE_LEN, ct_len);
	if (err)
		return err;
	err = QOC_ECRYPTO;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, b + 1, NULL) ||
	    !add_aad(ctx, b, aad, aad_len) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, QOC_SEAL_TAG_LEN, tag) != 1 ||
	    !gcm_in_place(ctx, (uint8_t *)out->data + start, ct_len))
		goto out;
	err = QOC_OK;
out:
	if (err) {
		ERR_clear_error();
		truncate_wipe(out, start);
	}
	EVP_CIPHER_CTX_free(ctx);
	return err;
}
