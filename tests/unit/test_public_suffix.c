/* Unit tests for src/oauth/public_suffix: Debian's Public Suffix List through libpsl, and
 * what happens without it. The list loads once per process, so this file starts with the
 * missing-file case (its own process, before any question) and test_redirect_uri.c covers
 * the real list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "oauth/public_suffix.h"
#include "oauth/redirect_uri.h"

/* Fail closed: without the list no wildcard is known to be safe, so every wildcard is
 * refused with a reason that says why; exact URIs are unaffected. */
static void missing_list_refuses_every_wildcard(void **state)
{
	(void)state;
	const char *reason = NULL;
	assert_true(qoc_public_suffix_use_file("/nonexistent/qoc-test/public_suffix_list.dat"));
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("example.com")), QOC_PSL_UNAVAILABLE);
	assert_int_equal(qoc_redirect_uri_validate(QOC_STR_LIT("https://*.example.com/cb"),
	                                           QOC_REDIRECT_WEB, &reason),
	                 QOC_EINVAL);
	assert_non_null(strstr(reason, "cannot read its Public Suffix List"));
	assert_false(qoc_redirect_uri_matches(QOC_STR_LIT("https://*.example.com/cb"),
	                                      QOC_STR_LIT("https://a.example.com/cb")));
	assert_int_equal(qoc_redirect_uri_validate(QOC_STR_LIT("https://example.com/cb"),
	                                           QOC_REDIRECT_WEB, &reason),
	                 QOC_OK);
	assert_true(qoc_redirect_uri_matches(QOC_STR_LIT("https://example.com/cb"),
	                                     QOC_STR_LIT("https://example.com/cb")));
	/* Loaded (or tried) once: the file can no longer be changed. */
	assert_false(qoc_public_suffix_use_file(QOC_PUBLIC_SUFFIX_FILE));
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("co.uk")), QOC_PSL_UNAVAILABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(missing_list_refuses_every_wildcard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
