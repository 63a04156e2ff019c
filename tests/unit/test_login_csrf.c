/* Unit tests for src/login/csrf.c: browser-bound CSRF tokens.
 * "SECURITY.md Browser" is the "Browser and console" section of /work/shared/SECURITY.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/b64.h"
#include "crypto/hash.h"
#include "login/csrf.h"

static const uint8_t key[QOC_CSRF_KEY_LEN] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                              12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                              23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const char browser[] = "b3JhbmdlLWJyb3dzZXItaWQtZm9yLXRlc3RzLTAwMDE";

static void token_is_the_documented_hmac(void **state)
{
	(void)state;
	char tok[QOC_CSRF_TOKEN_LEN + 1];
	assert_int_equal(qoc_csrf_token(key, browser, QOC_CSRF_LOGIN, tok), QOC_OK);
	assert_int_equal(strlen(tok), QOC_CSRF_TOKEN_LEN);
	/* base64url(HMAC-SHA256(key, browser_id || 0x00 || purpose)) */
	char msg[128];
	size_t n = strlen(browser);
	memcpy(msg, browser, n + 1);
	memcpy(msg + n + 1, "login", 5);
	uint8_t mac[32];
	char want[QOC_CSRF_TOKEN_LEN + 1];
	assert_int_equal(qoc_hash_hmac_sha256(key, sizeof key, msg, n + 6, mac), QOC_OK);
	assert_int_equal(qoc_b64url_encode_to(mac, sizeof mac, want, sizeof want, NULL), QOC_OK);
	assert_string_equal(tok, want);
}

/* SECURITY.md Browser: CSRF bound to the session - the right token passes. */
static void right_token_passes(void **state)
{
	(void)state;
	char tok[QOC_CSRF_TOKEN_LEN + 1];
	assert_int_equal(qoc_csrf_token(key, browser, QOC_CSRF_CONSENT, tok), QOC_OK);
	assert_true(qoc_csrf_check(key, browser, QOC_CSRF_CONSENT, tok));
}

/* SECURITY.md Browser: CSRF bound to the session - a token from another browser fails. */
static void other_browser_fails(void **state)
{
	(void)state;
	char tok[QOC_CSRF_TOKEN_LEN + 1];
	assert_int_equal(qoc_csrf_token(key, browser, QOC_CSRF_LOGIN, tok), QOC_OK);
	assert_false(qoc_csrf_check(key, "another-browser-id", QOC_CSRF_LOGIN, tok));
	assert_false(qoc_csrf_check(key, "", QOC_CSRF_LOGIN, tok));
	assert_false(qoc_csrf_check(key, NULL, QOC_CSRF_LOGIN, tok));
	/* Separator: ("ab", "c") and ("a", "bc") must not share a token. */
	char t1[QOC_CSRF_TOKEN_LEN + 1], t2[QOC_CSRF_TOKEN_LEN + 1];
	assert_int_equal(qoc_csrf_token(key, "ab", "c", t1), QOC_OK);
	assert_int_equal(qoc_csrf_token(key, "a", "bc", t2), QOC_OK);
	assert_string_not_equal(t1, t2);
	/* Another deployment key. */
	uint8_t other[QOC_CSRF_KEY_LEN];
	memcpy(other, key, sizeof other);
	other[0] ^= 1;
	assert_false(qoc_csrf_check(other, browser, QOC_CSRF_LOGIN, tok));
}

/* SECURITY.md Browser: a token is valid for one form only (login token cannot consent). */
static void other_purpose_fails(void **state)
{
	(void)state;
	char tok[QOC_CSRF_TOKEN_LEN + 1];
	assert_int_equal(qoc_csrf_token(key, browser, QOC_CSRF_LOGIN, tok), QOC_OK);
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_CONSENT, tok));
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_SIGNUP, tok));
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_LOGOUT, tok));
	assert_false(qoc_csrf_check(key, browser, "", tok));
	assert_false(qoc_csrf_check(key, browser, NULL, tok));
}

/* SECURITY.md Browser: truncated, extended, empty and tampered tokens fail. */
static void malformed_tokens_fail(void **state)
{
	(void)state;
	char tok[QOC_CSRF_TOKEN_LEN + 1];
	char bad[QOC_CSRF_TOKEN_LEN + 8];
	assert_int_equal(qoc_csrf_token(key, browser, QOC_CSRF_LOGIN, tok), QOC_OK);
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_LOGIN, ""));
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_LOGIN, NULL));
	memcpy(bad, tok, sizeof tok);
	bad[QOC_CSRF_TOKEN_LEN - 1] = '\0'; /* truncated by one */
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_LOGIN, bad));
	bad[1] = '\0';
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_LOGIN, bad));
	memcpy(bad, tok, sizeof tok);
	memcpy(bad + QOC_CSRF_TOKEN_LEN, "AAA", 4); /* extended */
	assert_false(qoc_csrf_check(key, browser, QOC_CSRF_LOGIN, bad));
	for (size_t i = 0; i < QOC_CSRF_TOKEN_LEN; i++) { /* each character tampered */
		memcpy(bad, tok, sizeof tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_false(qoc_csrf_check(key, browser, QOC_CSRF_LOGIN, bad));
	}
}

static void unbound_token_is_refused(void **state)
{
	(void)state;
	char tok[QOC_CSRF_TOKEN_LEN + 1];
	assert_int_equal(qoc_csrf_token(key, "", QOC_CSRF_LOGIN, tok), QOC_EINVAL);
	assert_string_equal(tok, "");
	assert_int_equal(qoc_csrf_token(key, NULL, QOC_CSRF_LOGIN, tok), QOC_EINVAL);
	assert_int_equal(qoc_csrf_token(key, browser, "", tok), QOC_EINVAL);
	assert_int_equal(qoc_csrf_token(key, browser, NULL, tok), QOC_EINVAL);
	/* An over-long browser id (hostile cookie) is refused, not hashed. */
	char big[1024];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(qoc_csrf_token(key, big, QOC_CSRF_LOGIN, tok), QOC_ELIMIT);
	assert_false(qoc_csrf_check(key, big, QOC_CSRF_LOGIN, "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(token_is_the_documented_hmac),
	    cmocka_unit_test(right_token_passes),
	    cmocka_unit_test(other_browser_fails),
	    cmocka_unit_test(other_purpose_fails),
	    cmocka_unit_test(malformed_tokens_fail),
	    cmocka_unit_test(unbound_token_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
