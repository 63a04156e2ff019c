/* Unit tests for src/crypto/b64: base64url (RFC 4648 §5) and standard base64 (§4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/b64.h"

struct vector {
	const char *plain;
	const char *url; /* unpadded base64url */
	const char *std; /* padded base64 */
};

/* RFC 4648 §10 test vectors. */
static const struct vector rfc4648[] = {
    {"", "", ""},
    {"f", "Zg", "Zg=="},
    {"fo", "Zm8", "Zm8="},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg", "Zm9vYg=="},
    {"fooba", "Zm9vYmE", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void rfc4648_vectors_encode_and_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const struct vector *v = &rfc4648[i];
		struct qoc_buf b;
		qoc_buf_init(&b, 64);
		assert_int_equal(qoc_b64url_encode(v->plain, strlen(v->plain), &b), QOC_OK);
		assert_string_equal(qoc_buf_cstr(&b), v->url);
		assert_int_equal(b.len, qoc_b64url_encoded_len(strlen(v->plain)));
		qoc_buf_reset(&b);
		assert_int_equal(qoc_b64url_decode(v->url, strlen(v->url), &b), QOC_OK);
		assert_int_equal(b.len, strlen(v->plain));
		assert_memory_equal(qoc_buf_cstr(&b), v->plain, b.len);
		qoc_buf_reset(&b);
		assert_int_equal(qoc_b64_decode(v->std, strlen(v->std), &b), QOC_OK);
		assert_int_equal(b.len, strlen(v->plain));
		assert_memory_equal(qoc_buf_cstr(&b), v->plain, b.len);
		qoc_buf_release(&b);
	}
}

/* RFC 4648 §5: 62 and 63 are '-' and '_' in base64url, '+' and '/' in base64. */
static void alphabets_differ_in_62_and_63(void **state)
{
	(void)state;
	const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
	char out[8];
	size_t n = 0;
	assert_int_equal(qoc_b64url_encode_to(bytes, 3, out, sizeof(out), &n), QOC_OK);
	assert_string_equal(out, "-_-_");
	assert_int_equal(n, 4);

	struct qoc_buf b;
	qoc_buf_init(&b, 16);
	assert_int_equal(qoc_b64_decode("+/+/", 4, &b), QOC_OK);
	assert_memory_equal(b.data, bytes, 3);
	qoc_buf_reset(&b);
	assert_int_equal(qoc_b64url_decode("+/+/", 4, &b), QOC_EINVAL);
	assert_int_equal(qoc_b64_decode("-_-_", 4, &b), QOC_EINVAL);
	assert_int_equal(b.len, 0);
	qoc_buf_release(&b);
}

static void every_byte_value_round_trips(void **state)
{
	(void)state;
	uint8_t all[256], back[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	for (size_t len = 0; len <= 256; len++) {
		char enc[400];
		size_t n = 0, m = 0;
		assert_int_equal(qoc_b64url_encode_to(all + 256 - len, len, enc, sizeof(enc), &n),
		                 QOC_OK);
		assert_int_equal(strlen(enc), n);
		assert_int_equal(qoc_b64url_decode_to(enc, n, back, sizeof(back), &m), QOC_OK);
		assert_int_equal(m, len);
		assert_memory_equal(back, all + 256 - len, len);
	}
}

static void expect_url_invalid(const char *s, size_t len)
{
	uint8_t out[64];
	size_t n = 0;
	assert_int_equal(qoc_b64url_decode_to(s, len, out, sizeof(out), &n), QOC_EINVAL);
}

/* RFC 4648 §3.2, §3.3, §3.5 and RFC 7515 §2 (base64url without padding). */
static void b64url_decode_is_strict(void **state)
{
	(void)state;
	expect_url_invalid("Zg==", 4); /* padding is not part of base64url here */
	expect_url_invalid("Zg=", 3);
	expect_url_invalid("Zm9v!", 5);  /* not in the alphabet */
	expect_url_invalid("Zm 9v", 5);  /* whitespace */
	expect_url_invalid("Zm9v\n", 5); /* trailing newline */
	expect_url_invalid("Zm+v", 4);   /* standard alphabet */
	expect_url_invalid("Zm/v", 4);
	expect_url_invalid("Z", 1); /* a length of 1 mod 4 encodes no whole byte */
	expect_url_invalid("Zm9vY", 5);
	expect_url_invalid("Zh", 2);    /* non-canonical: low 4 bits of 'h' set (§3.5) */
	expect_url_invalid("Zm9", 3);   /* non-canonical: low 2 bits of '9' set */
	expect_url_invalid("Zm\0v", 4); /* embedded NUL */
	expect_url_invalid("Zm9v\xc3\xa9", 6);
	/* ... and their canonical spellings decode. */
	uint8_t out[8];
	size_t n = 0;
	assert_int_equal(qoc_b64url_decode_to("Zg", 2, out, sizeof(out), &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(qoc_b64url_decode_to("Zm8", 3, out, sizeof(out), &n), QOC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(qoc_b64url_decode_to("", 0, out, sizeof(out), &n), QOC_OK);
	assert_int_equal(n, 0);
}

static void expect_std_invalid(const char *s)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 64);
	assert_int_equal(qoc_b64_decode(s, strlen(s), &b), QOC_EINVAL);
	assert_int_equal(b.len, 0);
	qoc_buf_release(&b);
}

/* RFC 4648 §4 with padding required (§3.2), as HTTP Basic (RFC 7617 §2) sends it. */
static void b64_decode_requires_canonical_padding(void **state)
{
	(void)state;
	expect_std_invalid("Zg"); /* padding missing */
	expect_std_invalid("Zm8");
	expect_std_invalid("Zg=");
	expect_std_invalid("Z===");
	expect_std_invalid("====");
	expect_std_invalid("Zg==Zg=="); /* padding in the middle */
	expect_std_invalid("Zh==");     /* non-canonical trailing bits */
	expect_std_invalid("Zm9=");
	expect_std_invalid("Zm9v ");
	expect_std_invalid("Zm-v"); /* base64url alphabet */
	struct qoc_buf b;
	qoc_buf_init(&b, 64);
	const char *basic = "YWxpY2U6c2VjcmV0"; /* "alice:secret" */
	assert_int_equal(qoc_b64_decode(basic, strlen(basic), &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "alice:secret");
	qoc_buf_release_secret(&b);
}

static void output_bounds_are_enforced(void **state)
{
	(void)state;
	char small[5];
	assert_int_equal(qoc_b64url_encode_to("abc", 3, small, 4, NULL), QOC_ELIMIT);
	assert_int_equal(qoc_b64url_encode_to("abc", 3, small, 5, NULL), QOC_OK);
	assert_string_equal(small, "YWJj");

	uint8_t out[2];
	size_t n = 0;
	assert_int_equal(qoc_b64url_decode_to("YWJj", 4, out, sizeof(out), &n), QOC_ELIMIT);

	struct qoc_buf b;
	qoc_buf_init(&b, 3);
	assert_int_equal(qoc_b64url_encode("abc", 3, &b), QOC_ELIMIT);
	assert_int_equal(b.len, 0);
	assert_int_equal(qoc_b64url_decode("YWJj", 4, &b), QOC_OK);
	assert_int_equal(qoc_b64url_decode("YQ", 2, &b), QOC_ELIMIT);
	assert_string_equal(qoc_buf_cstr(&b), "abc");
	qoc_buf_release(&b);

	assert_int_equal(qoc_b64url_encoded_len(32), 43);
	assert_int_equal(qoc_b64url_decoded_len(43), 32);
}

/* The appending variants keep what the buffer held before. */
static void buf_variants_append(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 64);
	assert_int_equal(qoc_buf_append_cstr(&b, "x."), QOC_OK);
	assert_int_equal(qoc_b64url_encode("foo", 3, &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "x.Zm9v");
	assert_int_equal(qoc_b64url_decode("Zm9v", 4, &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "x.Zm9vfoo");
	assert_int_equal(qoc_b64url_decode("Zm9", 3, &b), QOC_EINVAL);
	assert_string_equal(qoc_buf_cstr(&b), "x.Zm9vfoo");
	qoc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc4648_vectors_encode_and_decode),
	    cmocka_unit_test(alphabets_differ_in_62_and_63),
	    cmocka_unit_test(every_byte_value_round_trips),
	    cmocka_unit_test(b64url_decode_is_strict),
	    cmocka_unit_test(b64_decode_requires_canonical_padding),
	    cmocka_unit_test(output_bounds_are_enforced),
	    cmocka_unit_test(buf_variants_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
