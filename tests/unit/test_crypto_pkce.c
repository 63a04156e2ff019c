/* Unit tests for src/crypto/pkce (RFC 7636, S256 only). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/pkce.h"

/* RFC 7636 Appendix B. */
static const char rfc_verifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char rfc_challenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

static void rfc7636_appendix_b_vector(void **state)
{
	(void)state;
	char c[QOC_PKCE_CHALLENGE_LEN + 1];
	assert_int_equal(qoc_pkce_s256(rfc_verifier, strlen(rfc_verifier), c), QOC_OK);
	assert_string_equal(c, rfc_challenge);
	assert_true(qoc_pkce_check(rfc_verifier, strlen(rfc_verifier), rfc_challenge,
	                           strlen(rfc_challenge)));
	assert_true(qoc_pkce_challenge_valid(rfc_challenge, strlen(rfc_challenge)));
}

/* RFC 7636 §4.6: a verifier that does not hash to the challenge is refused. */
static void check_refuses_mismatches(void **state)
{
	(void)state;
	char v[sizeof(rfc_verifier)];
	memcpy(v, rfc_verifier, sizeof(v));
	v[0] = 'e';
	assert_false(qoc_pkce_check(v, strlen(v), rfc_challenge, strlen(rfc_challenge)));
	/* The challenge itself used as the verifier ("plain" downgrade). */
	assert_false(qoc_pkce_check(rfc_challenge, strlen(rfc_challenge), rfc_challenge,
	                            strlen(rfc_challenge)));
	/* A truncated or extended challenge. */
	assert_false(qoc_pkce_check(rfc_verifier, strlen(rfc_verifier), rfc_challenge,
	                            strlen(rfc_challenge) - 1));
	assert_false(qoc_pkce_check(rfc_verifier, strlen(rfc_verifier), "", 0));
	/* An invalid verifier never matches, even against its own hash. */
	assert_false(qoc_pkce_check("short", 5, rfc_challenge, strlen(rfc_challenge)));
}

/* RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
static void verifier_validity_bounds(void **state)
{
	(void)state;
	char v[130];
	memset(v, 'a', sizeof(v));
	assert_false(qoc_pkce_verifier_valid(v, 42));
	assert_true(qoc_pkce_verifier_valid(v, 43));
	assert_true(qoc_pkce_verifier_valid(v, 128));
	assert_false(qoc_pkce_verifier_valid(v, 129));
	assert_false(qoc_pkce_verifier_valid(v, 0));
	const char *all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
	assert_true(qoc_pkce_verifier_valid(all, strlen(all)));
	const char bad[] = {'+', '/', '=', ' ', '%', '!', '*', '\0', '\n', (char)0xc3};
	for (size_t i = 0; i < sizeof(bad); i++) {
		memset(v, 'a', 43);
		v[20] = bad[i];
		assert_false(qoc_pkce_verifier_valid(v, 43));
	}
	char c[QOC_PKCE_CHALLENGE_LEN + 1];
	assert_int_equal(qoc_pkce_s256(v, 42, c), QOC_EINVAL);
}

static void challenge_validity(void **state)
{
	(void)state;
	assert_false(qoc_pkce_challenge_valid(rfc_challenge, 42));
	assert_false(qoc_pkce_challenge_valid("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=", 44));
	assert_false(qoc_pkce_challenge_valid("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM", 43));
	/* Non-canonical last character (unused low bits set). */
	assert_false(qoc_pkce_challenge_valid("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN", 43));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc7636_appendix_b_vector),
	    cmocka_unit_test(check_refuses_mismatches),
	    cmocka_unit_test(verifier_validity_bounds),
	    cmocka_unit_test(challenge_validity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
