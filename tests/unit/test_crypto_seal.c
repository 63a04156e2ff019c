/* Unit tests for src/crypto/seal: AES-256-GCM blobs bound to their purpose by AAD. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/seal.h"

static const uint8_t key[32] = {0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static const char aad[] = "client-secret:qoc_client_abcdefghijklmnopqrstuvwx";
static const char plain[] = "qoc_secret_the-plaintext-that-must-stay-secret";

static void seal_blob(struct qoc_buf *blob)
{
	qoc_buf_init(blob, 1024);
	assert_int_equal(qoc_seal(key, aad, strlen(aad), plain, strlen(plain), blob), QOC_OK);
}

static void seal_round_trip(void **state)
{
	(void)state;
	struct qoc_buf blob, out;
	seal_blob(&blob);
	assert_int_equal(blob.len, strlen(plain) + QOC_SEAL_OVERHEAD);
	assert_int_equal((uint8_t)blob.data[0], QOC_SEAL_VERSION);
	for (size_t i = 0; i + 9 <= blob.len; i++)
		assert_memory_not_equal(blob.data + i, "plaintext", 9);
	qoc_buf_init(&out, 1024);
	assert_int_equal(qoc_seal_open(key, aad, strlen(aad), blob.data, blob.len, &out), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&out), plain);
	qoc_buf_release_secret(&out);
	qoc_buf_release(&blob);

	/* Empty plaintext and empty AAD are fine too. */
	qoc_buf_init(&blob, 64);
	qoc_buf_init(&out, 64);
	assert_int_equal(qoc_seal(key, NULL, 0, "", 0, &blob), QOC_OK);
	assert_int_equal(blob.len, QOC_SEAL_OVERHEAD);
	assert_int_equal(qoc_seal_open(key, NULL, 0, blob.data, blob.len, &out), QOC_OK);
	assert_int_equal(out.len, 0);
	qoc_buf_release(&out);
	qoc_buf_release(&blob);
}

static void seal_uses_a_fresh_nonce_each_time(void **state)
{
	(void)state;
	struct qoc_buf a, b;
	seal_blob(&a);
	seal_blob(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.data + 1, b.data + 1, QOC_SEAL_NONCE_LEN);
	assert_memory_not_equal(a.data, b.data, a.len);
	qoc_buf_release(&a);
	qoc_buf_release(&b);
}

/* Any change to any byte of the blob is detected (GCM tag, NIST SP 800-38D §7.2). */
static void seal_open_fails_on_every_tampered_byte(void **state)
{
	(void)state;
	struct qoc_buf blob, out;
	seal_blob(&blob);
	qoc_buf_init(&out, 1024);
	assert_int_equal(qoc_buf_append_cstr(&out, "kept"), QOC_OK);
	for (size_t i = 0; i < blob.len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			blob.data[i] ^= (char)(1 << bit);
			enum qoc_err err =
			    qoc_seal_open(key, aad, strlen(aad), blob.data, blob.len, &out);
			if (i == 0)
				assert_int_equal(err, QOC_EINVAL); /* unknown version */
			else
				assert_int_equal(err, QOC_ECRYPTO);
			assert_string_equal(qoc_buf_cstr(&out), "kept");
			blob.data[i] ^= (char)(1 << bit);
		}
	}
	assert_int_equal(qoc_seal_open(key, aad, strlen(aad), blob.data, blob.len, &out), QOC_OK);
	qoc_buf_release_secret(&out);
	qoc_buf_release(&blob);
}

static void seal_open_fails_on_wrong_aad_key_or_length(void **state)
{
	(void)state;
	struct qoc_buf blob, out;
	seal_blob(&blob);
	qoc_buf_init(&out, 1024);
	const char *other = "client-secret:qoc_client_abcdefghijklmnopqrstuvwy";
	assert_int_equal(qoc_seal_open(key, other, strlen(other), blob.data, blob.len, &out),
	                 QOC_ECRYPTO);
	assert_int_equal(qoc_seal_open(key, aad, strlen(aad) - 1, blob.data, blob.len, &out),
	                 QOC_ECRYPTO);
	assert_int_equal(qoc_seal_open(key, NULL, 0, blob.data, blob.len, &out), QOC_ECRYPTO);
	uint8_t key2[32];
	memcpy(key2, key, 32);
	key2[31] ^= 0x80;
	assert_int_equal(qoc_seal_open(key2, aad, strlen(aad), blob.data, blob.len, &out),
	                 QOC_ECRYPTO);
	assert_int_equal(qoc_seal_open(key, aad, strlen(aad), blob.data, blob.len - 1, &out),
	                 QOC_ECRYPTO);
	assert_int_equal(
	    qoc_seal_open(key, aad, strlen(aad), blob.data, QOC_SEAL_OVERHEAD - 1, &out),
	    QOC_EINVAL);
	assert_int_equal(qoc_seal_open(key, aad, strlen(aad), blob.data, 0, &out), QOC_EINVAL);
	assert_int_equal(out.len, 0);
	qoc_buf_release(&out);
	qoc_buf_release(&blob);
}

static void seal_respects_buffer_limits(void **state)
{
	(void)state;
	struct qoc_buf small;
	qoc_buf_init(&small, QOC_SEAL_OVERHEAD + 3);
	assert_int_equal(qoc_seal(key, NULL, 0, "abcd", 4, &small), QOC_ELIMIT);
	assert_int_equal(small.len, 0);
	assert_int_equal(qoc_seal(key, NULL, 0, "abc", 3, &small), QOC_OK);
	struct qoc_buf out;
	qoc_buf_init(&out, 2);
	assert_int_equal(qoc_seal_open(key, NULL, 0, small.data, small.len, &out), QOC_ELIMIT);
	qoc_buf_release(&out);
	qoc_buf_release(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(seal_round_trip),
	    cmocka_unit_test(seal_uses_a_fresh_nonce_each_time),
	    cmocka_unit_test(seal_open_fails_on_every_tampered_byte),
	    cmocka_unit_test(seal_open_fails_on_wrong_aad_key_or_length),
	    cmocka_unit_test(seal_respects_buffer_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
