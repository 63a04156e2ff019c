/* Unit tests for src/crypto/hash (SHA-256, HMAC-SHA256, HKDF) and src/crypto/ct. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/ct.h"
#include "crypto/hash.h"
#include "crypto_testutil.h"

/* FIPS 180-2 Appendix B.1: SHA-256("abc"). */
static void sha256_fips_vector(void **state)
{
	(void)state;
	uint8_t out[QOC_SHA256_LEN];
	char hex[65];
	assert_int_equal(qoc_hash_sha256("abc", 3, out), QOC_OK);
	assert_string_equal(test_hex(out, sizeof(out), hex),
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(qoc_hash_sha256("", 0, out), QOC_OK);
	assert_string_equal(test_hex(out, sizeof(out), hex),
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

struct hmac_vector {
	const char *name;
	const char *key_hex;
	size_t key_repeat; /* when nonzero, key_hex is one byte repeated this many times */
	const char *data_hex;
	size_t data_repeat;
	const char *data_str;
	const char *mac_hex; /* may be a prefix (test case 5 truncates to 128 bits) */
};

/* RFC 4231 §4.2-§4.8, the HMAC-SHA-256 lines. */
static const struct hmac_vector rfc4231[] = {
    {"4.2", "0b", 20, NULL, 0, "Hi There",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"4.3", "4a656665", 0, NULL, 0, "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"4.4", "aa", 20, "dd", 50, NULL,
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"4.5", "0102030405060708090a0b0c0d0e0f10111213141516171819", 0, "cd", 50, NULL,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"4.6", "0c", 20, NULL, 0, "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
    {"4.7", "aa", 131, NULL, 0, "Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"4.8", "aa", 131, NULL, 0,
     "This is a test using a larger than block-size key and a larger than block-size data."
     " The key needs to be hashed before being used by the HMAC algorithm.",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

static size_t vector_bytes(const char *hex, size_t repeat, const char *str, uint8_t *out)
{
	if (str) {
		memcpy(out, str, strlen(str));
		return strlen(str);
	}
	size_t n = test_unhex(hex, out);
	if (repeat) {
		memset(out, out[0], repeat);
		n = repeat;
	}
	return n;
}

static void hmac_sha256_rfc4231_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		const struct hmac_vector *v = &rfc4231[i];
		uint8_t key[200], data[200], mac[QOC_SHA256_LEN];
		char hex[65];
		size_t klen = vector_bytes(v->key_hex, v->key_repeat, NULL, key);
		size_t dlen = vector_bytes(v->data_hex, v->data_repeat, v->data_str, data);
		assert_int_equal(qoc_hash_hmac_sha256(key, klen, data, dlen, mac), QOC_OK);
		test_hex(mac, sizeof(mac), hex);
		if (strncmp(hex, v->mac_hex, strlen(v->mac_hex)) != 0)
			fail_msg("RFC 4231 %s: got %s", v->name, hex);
	}
	uint8_t mac[QOC_SHA256_LEN];
	assert_int_equal(qoc_hash_hmac_sha256("", 0, "x", 1, mac), QOC_EINVAL);
}

/* RFC 5869 Appendix A.1 (test case 1) and A.3 (test case 3: no salt, no info). */
static void hkdf_sha256_rfc5869_vectors(void **state)
{
	(void)state;
	uint8_t ikm[22], salt[13], info[10], okm[42];
	char hex[85];
	memset(ikm, 0x0b, sizeof(ikm));
	test_unhex("000102030405060708090a0b0c", salt);
	test_unhex("f0f1f2f3f4f5f6f7f8f9", info);
	assert_int_equal(qoc_hash_hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt), info,
	                                      sizeof(info), okm, sizeof(okm)),
	                 QOC_OK);
	assert_string_equal(test_hex(okm, sizeof(okm), hex),
	                    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf3400"
	                    "7208d5b887185865");
	assert_int_equal(qoc_hash_hkdf_sha256(ikm, sizeof(ikm), NULL, 0, NULL, 0, okm, sizeof(okm)),
	                 QOC_OK);
	assert_string_equal(test_hex(okm, sizeof(okm), hex),
	                    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d20"
	                    "1395faa4b61a96c8");
	/* RFC 5869 §2.3: L <= 255*HashLen. */
	static uint8_t big[255 * 32 + 1];
	assert_int_equal(qoc_hash_hkdf_sha256(ikm, sizeof(ikm), NULL, 0, NULL, 0, big, sizeof(big)),
	                 QOC_EINVAL);
	assert_int_equal(qoc_hash_hkdf_sha256(ikm, sizeof(ikm), NULL, 0, NULL, 0, big, 255 * 32),
	                 QOC_OK);
}

static void kdf_separates_purposes(void **state)
{
	(void)state;
	uint8_t master[32], a[32], a2[32], b[32], m2[32], c[32];
	for (int i = 0; i < 32; i++)
		master[i] = (uint8_t)i;
	assert_int_equal(qoc_kdf(master, "qoc seal v1", a), QOC_OK);
	assert_int_equal(qoc_kdf(master, "qoc seal v1", a2), QOC_OK);
	assert_int_equal(qoc_kdf(master, "qoc client-secret v1", b), QOC_OK);
	assert_memory_equal(a, a2, 32);
	assert_memory_not_equal(a, b, 32);
	assert_memory_not_equal(a, master, 32);
	memcpy(m2, master, 32);
	m2[31] ^= 1;
	assert_int_equal(qoc_kdf(m2, "qoc seal v1", c), QOC_OK);
	assert_memory_not_equal(a, c, 32);
	/* It is HKDF with no salt and the purpose as info (hash.h). */
	assert_int_equal(qoc_hash_hkdf_sha256(master, 32, NULL, 0, "qoc seal v1", 11, c, 32),
	                 QOC_OK);
	assert_memory_equal(a, c, 32);
	assert_int_equal(qoc_kdf(master, "", c), QOC_EINVAL);
}

static void ct_equal_compares_bytes_and_lengths(void **state)
{
	(void)state;
	assert_true(qoc_ct_equal("abcdef", 6, "abcdef", 6));
	assert_false(qoc_ct_equal("abcdef", 6, "abcdeg", 6));
	assert_false(qoc_ct_equal("abcdef", 6, "bbcdef", 6));
	assert_false(qoc_ct_equal("abcdef", 6, "abcde", 5)); /* a prefix is not equal */
	assert_false(qoc_ct_equal("abcde", 5, "abcdef", 6));
	assert_false(qoc_ct_equal("", 0, "a", 1));
	assert_false(qoc_ct_equal("a", 1, NULL, 0));
	assert_true(qoc_ct_equal(NULL, 0, NULL, 0));
	assert_true(qoc_ct_equal("", 0, "", 0));
	uint8_t x[64], y[64];
	memset(x, 0x5a, sizeof(x));
	memcpy(y, x, sizeof(y));
	for (size_t i = 0; i < sizeof(y); i++) {
		y[i] ^= 0x80;
		assert_false(qoc_ct_equal(x, sizeof(x), y, sizeof(y)));
		y[i] ^= 0x80;
	}
	assert_true(qoc_ct_equal(x, sizeof(x), y, sizeof(y)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sha256_fips_vector),
	    cmocka_unit_test(hmac_sha256_rfc4231_vectors),
	    cmocka_unit_test(hkdf_sha256_rfc5869_vectors),
	    cmocka_unit_test(kdf_separates_purposes),
	    cmocka_unit_test(ct_equal_compares_bytes_and_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
