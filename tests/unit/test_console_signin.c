/* Unit tests for src/console/signin.c: where a console sign-in may land, and the
 * transaction cookie that carries it (SECURITY.md "Browser and console": no open
 * redirect; the sign-in is bound to the browser that started it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "console/signin.h"

static void next_inside_the_console_is_valid(void **state)
{
	(void)state;
	static const char *ok[] = {"/console", "/console/", "/console/applications",
	                           "/console/applications/qoc_client_abc/settings?tab=sso",
	                           "/console/audit#x", "/console/a..b", "/console/.well"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(qoc_console_next_valid(ok[i]));
}

static void next_elsewhere_is_refused(void **state)
{
	(void)state;
	static const char *bad[] = {NULL, "", "/", "https://evil.example/console/",
	                            "//evil.example/console/", "/consolex", "/console//evil.example",
	                            "/console/../oauth2/token", "/console/..", "/console/x/..?a",
	                            "/console/\\evil", "/console/a b", "/console/\x7f",
	                            "/console/\xc3\xa9", "/console/\n", "console/", "/login"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(qoc_console_next_valid(bad[i]));
	char big[QOC_CONSOLE_NEXT_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "/console/", 9);
	big[sizeof(big) - 1] = '\0';
	assert_false(qoc_console_next_valid(big));
	big[QOC_CONSOLE_NEXT_MAX] = '\0';
	assert_true(qoc_console_next_valid(big));
}

static void tx_round_trips(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 64 * 1024);
	const char *v, *txid, *next;
	assert_int_equal(qoc_console_tx_encode(&a, "abcDEF_-123", "/console/team?x=1", &v), QOC_OK);
	assert_string_equal(v, "abcDEF_-123.L2NvbnNvbGUvdGVhbT94PTE");
	assert_int_equal(qoc_console_tx_decode(&a, v, &txid, &next), QOC_OK);
	assert_string_equal(txid, "abcDEF_-123");
	assert_string_equal(next, "/console/team?x=1");
	qoc_arena_release(&a);
}

static void tx_refuses_bad_parts(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 64 * 1024);
	const char *v = "x", *txid = "x", *next = "x";
	assert_int_equal(qoc_console_tx_encode(&a, "", "/console/", &v), QOC_EINVAL);
	assert_null(v);
	assert_int_equal(qoc_console_tx_encode(&a, "a.b", "/console/", &v), QOC_EINVAL);
	assert_int_equal(qoc_console_tx_encode(&a, "abc", "https://evil.example/", &v), QOC_EINVAL);
	static const char *bad[] = {
	    NULL, "", "abc", ".L2NvbnNvbGUv", "abc.", "abc.!!!",
	    "abc.Ly9ldmlsLmV4YW1wbGUv",     /* "//evil.example/" */
	    "abc.L2NvbnNvbGUvAA",            /* "/console/\0" */
	    "abc.L2NvbnNvbGUv=",             /* padding is not base64url */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(qoc_console_tx_decode(&a, bad[i], &txid, &next), QOC_EINVAL);
		assert_null(txid);
		assert_null(next);
	}
	qoc_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(next_inside_the_console_is_valid),
	    cmocka_unit_test(next_elsewhere_is_refused),
	    cmocka_unit_test(tx_round_trips),
	    cmocka_unit_test(tx_refuses_bad_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
