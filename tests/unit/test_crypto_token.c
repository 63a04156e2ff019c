/* Unit tests for src/crypto/token: opaque tokens, client ids, client secrets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/b64.h"
#include "crypto/hash.h"
#include "crypto/token.h"

/* A random source that repeats a fixed pattern. */
struct pattern {
	const uint8_t *bytes;
	size_t len;
	size_t pos;
};

static enum qoc_err pattern_fill(void *ctx, void *buf, size_t len)
{
	struct pattern *p = ctx;
	uint8_t *out = buf;
	for (size_t i = 0; i < len; i++) {
		out[i] = p->bytes[p->pos];
		p->pos = (p->pos + 1) % p->len;
	}
	return QOC_OK;
}

/* SECURITY.md "Codes, PKCE, tokens": >= 128 bits from a CSPRNG. */
static void token_new_is_prefix_plus_b64url_random(void **state)
{
	(void)state;
	struct qoc_buf a, b;
	qoc_buf_init(&a, 256);
	qoc_buf_init(&b, 256);
	assert_int_equal(qoc_token_new("qoc_at_", 32, &a), QOC_OK);
	assert_int_equal(qoc_token_new("qoc_at_", 32, &b), QOC_OK);
	assert_int_equal(a.len, 7 + 43);
	assert_memory_equal(a.data, "qoc_at_", 7);
	assert_string_not_equal(qoc_buf_cstr(&a), qoc_buf_cstr(&b));
	uint8_t raw[32];
	size_t n = 0;
	assert_int_equal(qoc_b64url_decode_to(a.data + 7, a.len - 7, raw, sizeof(raw), &n), QOC_OK);
	assert_int_equal(n, 32);
	qoc_buf_release_secret(&a);
	qoc_buf_release_secret(&b);
}

static void token_new_refuses_short_long_and_odd_prefixes(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 256);
	assert_int_equal(qoc_token_new("x_", 15, &b), QOC_EINVAL);
	assert_int_equal(qoc_token_new("x_", QOC_TOKEN_MAX_BYTES + 1, &b), QOC_EINVAL);
	assert_int_equal(qoc_token_new("has space", 16, &b), QOC_EINVAL);
	assert_int_equal(qoc_token_new("0123456789012345678901234567890123", 16, &b), QOC_EINVAL);
	assert_int_equal(b.len, 0);
	assert_int_equal(qoc_token_new("", 16, &b), QOC_OK);
	assert_int_equal(b.len, 22);
	qoc_buf_reset(&b);
	assert_int_equal(qoc_token_new("p", QOC_TOKEN_MAX_BYTES, &b), QOC_OK);
	assert_int_equal(b.len, 1 + qoc_b64url_encoded_len(QOC_TOKEN_MAX_BYTES));
	qoc_buf_release_secret(&b);

	struct qoc_buf tiny;
	qoc_buf_init(&tiny, 10);
	assert_int_equal(qoc_token_new("qoc_at_", 16, &tiny), QOC_ELIMIT);
	assert_int_equal(tiny.len, 0);
	qoc_buf_release(&tiny);
}

static void token_new_with_injected_random(void **state)
{
	(void)state;
	const uint8_t zero = 0;
	struct pattern p = {&zero, 1, 0};
	struct qoc_random rng = {pattern_fill, &p};
	struct qoc_buf b;
	qoc_buf_init(&b, 256);
	assert_int_equal(qoc_token_new_with(&rng, "t_", 16, &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "t_AAAAAAAAAAAAAAAAAAAAAA");
	qoc_buf_release(&b);
}

static void token_hash_is_b64url_sha256(void **state)
{
	(void)state;
	char h[QOC_TOKEN_HASH_LEN + 1];
	assert_int_equal(qoc_token_hash("abc", 3, h), QOC_OK);
	assert_string_equal(h, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
	assert_int_equal(strlen(h), QOC_TOKEN_HASH_LEN);
}

static void client_id_has_the_product_form(void **state)
{
	(void)state;
	char id[QOC_CLIENT_ID_LEN + 1], id2[QOC_CLIENT_ID_LEN + 1];
	assert_int_equal(qoc_token_client_id(id), QOC_OK);
	assert_int_equal(qoc_token_client_id(id2), QOC_OK);
	assert_int_equal(strlen(id), 11 + 24);
	assert_memory_equal(id, "qoc_client_", 11);
	assert_true(qoc_token_client_id_valid(id, strlen(id)));
	assert_string_not_equal(id, id2);
	for (size_t i = 11; i < strlen(id); i++)
		assert_true((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9'));
}

/* Bytes 252..255 would bias the first four characters; they must be skipped. */
static void client_id_rejects_biased_bytes(void **state)
{
	(void)state;
	uint8_t seq[48];
	for (int i = 0; i < 24; i++) {
		seq[2 * i] = (uint8_t)(252 + i % 4);
		seq[2 * i + 1] = (uint8_t)(i + 36); /* 36 + i maps to the same letter as i */
	}
	struct pattern p = {seq, sizeof(seq), 0};
	struct qoc_random rng = {pattern_fill, &p};
	char id[QOC_CLIENT_ID_LEN + 1];
	assert_int_equal(qoc_token_client_id_with(&rng, id), QOC_OK);
	assert_string_equal(id, "qoc_client_abcdefghijklmnopqrstuvwx");
}

/* ARCHITECTURE.md §5: "qoc_client_" + 18+ lowercase letters/digits. */
static void client_id_validation(void **state)
{
	(void)state;
	const char *ok18 = "qoc_client_abcdefghijklmnopqr";
	assert_true(qoc_token_client_id_valid(ok18, strlen(ok18)));
	assert_false(qoc_token_client_id_valid(ok18, strlen(ok18) - 1)); /* 17 */
	const char *upper = "qoc_client_ABCDEFGHIJKLMNOPQR";
	assert_false(qoc_token_client_id_valid(upper, strlen(upper)));
	const char *dash = "qoc_client_abcdefghijklmnop-r";
	assert_false(qoc_token_client_id_valid(dash, strlen(dash)));
	const char *prefix = "qoc_clienx_abcdefghijklmnopqr";
	assert_false(qoc_token_client_id_valid(prefix, strlen(prefix)));
	assert_false(qoc_token_client_id_valid("", 0));
}

/* ARCHITECTURE.md §5: "qoc_secret_" + 43 base64url chars. */
static void secret_new_and_valid(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 128);
	assert_int_equal(qoc_secret_new(&b), QOC_OK);
	assert_int_equal(b.len, QOC_SECRET_LEN);
	assert_int_equal(b.len, 11 + 43);
	assert_true(qoc_secret_valid(b.data, b.len));
	assert_false(qoc_secret_valid(b.data, b.len - 1));
	b.data[5] = 'X';
	assert_false(qoc_secret_valid(b.data, b.len));
	qoc_buf_release_secret(&b);
	/* 43 characters whose last one has non-zero unused bits: not canonical. */
	const char *bad = "qoc_secret_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB";
	assert_false(qoc_secret_valid(bad, strlen(bad)));
	const char *good = "qoc_secret_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE";
	assert_true(qoc_secret_valid(good, strlen(good)));
	const char *pad = "qoc_secret_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	assert_false(qoc_secret_valid(pad, strlen(pad)));
}

static void secret_hash_verifies_in_constant_time(void **state)
{
	(void)state;
	uint8_t master[32] = {1, 2, 3}, key[32], stored[QOC_SECRET_HASH_LEN];
	assert_int_equal(qoc_kdf(master, QOC_SECRET_HASH_PURPOSE, key), QOC_OK);
	const char *secret = "qoc_secret_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
	assert_int_equal(qoc_secret_hash(key, secret, strlen(secret), stored), QOC_OK);
	uint8_t mac[32];
	assert_int_equal(qoc_hash_hmac_sha256(key, 32, secret, strlen(secret), mac), QOC_OK);
	assert_memory_equal(mac, stored, 32);

	assert_true(qoc_secret_verify(key, secret, strlen(secret), stored));
	assert_false(qoc_secret_verify(key, secret, strlen(secret) - 1, stored));
	assert_false(qoc_secret_verify(key, "", 0, stored));
	char other[64];
	memcpy(other, secret, strlen(secret) + 1);
	other[20] ^= 1;
	assert_false(qoc_secret_verify(key, other, strlen(other), stored));
	key[0] ^= 1;
	assert_false(qoc_secret_verify(key, secret, strlen(secret), stored));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(token_new_is_prefix_plus_b64url_random),
	    cmocka_unit_test(token_new_refuses_short_long_and_odd_prefixes),
	    cmocka_unit_test(token_new_with_injected_random),
	    cmocka_unit_test(token_hash_is_b64url_sha256),
	    cmocka_unit_test(client_id_has_the_product_form),
	    cmocka_unit_test(client_id_rejects_biased_bytes),
	    cmocka_unit_test(client_id_validation),
	    cmocka_unit_test(secret_new_and_valid),
	    cmocka_unit_test(secret_hash_verifies_in_constant_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
