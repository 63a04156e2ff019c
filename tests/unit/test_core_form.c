/* Unit tests for src/core/form.c: form/query decoding, duplicates, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/form.h"

static int setup(void **state)
{
	static struct qoc_arena a;
	qoc_arena_init(&a, 0);
	*state = &a;
	return 0;
}

static int teardown(void **state)
{
	qoc_arena_release(*state);
	return 0;
}

static enum qoc_err parse(void **state, const char *s, size_t max, struct qoc_form *f)
{
	return qoc_form_parse(*state, s, strlen(s), max, f);
}

static void decodes_plus_and_percent(void **state)
{
	struct qoc_form f;
	const char *v;
	assert_int_equal(parse(state, "a=hello+world&b=%41%62%2B%25&c=caf%C3%A9", 10, &f), QOC_OK);
	assert_int_equal(f.count, 3);
	assert_int_equal(qoc_form_get(&f, "a", &v), QOC_OK);
	assert_string_equal(v, "hello world");
	assert_int_equal(qoc_form_get(&f, "b", &v), QOC_OK);
	assert_string_equal(v, "Ab+%");
	assert_int_equal(qoc_form_get(&f, "c", &v), QOC_OK);
	assert_string_equal(v, "caf\xc3\xa9");
	assert_int_equal(f.fields[2].value_len, 5);
}

static void names_are_decoded_and_case_sensitive(void **state)
{
	struct qoc_form f;
	const char *v;
	assert_int_equal(parse(state, "client%5Fid=x&Client_id=y", 10, &f), QOC_OK);
	assert_int_equal(qoc_form_get(&f, "client_id", &v), QOC_OK);
	assert_string_equal(v, "x");
	assert_int_equal(qoc_form_get(&f, "Client_id", &v), QOC_OK);
	assert_string_equal(v, "y");
}

/* SECURITY.md: "Any parameter given twice is invalid_request". RFC 6749 §3.1. */
static void duplicates_are_reported(void **state)
{
	struct qoc_form f;
	const char *v = "sentinel", *dup = NULL;
	assert_int_equal(parse(state, "scope=a&state=1&scope=b", 10, &f), QOC_OK);
	assert_int_equal(qoc_form_get(&f, "scope", &v), QOC_ECONFLICT);
	assert_null(v);
	assert_int_equal(qoc_form_get(&f, "state", &v), QOC_OK);
	assert_true(qoc_form_has_duplicate(&f, &dup));
	assert_string_equal(dup, "scope");
	/* A duplicate spelled differently is still a duplicate once decoded. */
	assert_int_equal(parse(state, "code=1&c%6Fde=2", 10, &f), QOC_OK);
	assert_int_equal(qoc_form_get(&f, "code", &v), QOC_ECONFLICT);
	/* Even when one occurrence is empty. */
	assert_int_equal(parse(state, "nonce=&nonce=x", 10, &f), QOC_OK);
	assert_int_equal(qoc_form_get(&f, "nonce", &v), QOC_ECONFLICT);
	assert_int_equal(parse(state, "a=1&b=2", 10, &f), QOC_OK);
	assert_false(qoc_form_has_duplicate(&f, NULL));
}

/* SECURITY.md: "empty ones are treated as absent". */
static void empty_is_absent(void **state)
{
	struct qoc_form f;
	const char *v;
	assert_int_equal(parse(state, "a=&b&c=1", 10, &f), QOC_OK);
	assert_int_equal(f.count, 3);
	assert_int_equal(qoc_form_get(&f, "a", &v), QOC_ENOTFOUND);
	assert_int_equal(qoc_form_get(&f, "b", &v), QOC_ENOTFOUND);
	assert_int_equal(qoc_form_get(&f, "zzz", &v), QOC_ENOTFOUND);
	assert_int_equal(qoc_form_get(&f, "c", &v), QOC_OK);
}

static void empty_pairs_and_names_are_skipped(void **state)
{
	struct qoc_form f;
	assert_int_equal(parse(state, "&&a=1&&=x&=&b=2&", 10, &f), QOC_OK);
	assert_int_equal(f.count, 2);
	assert_string_equal(f.fields[0].name, "a");
	assert_string_equal(f.fields[1].name, "b");
	assert_int_equal(parse(state, "", 10, &f), QOC_OK);
	assert_int_equal(f.count, 0);
	assert_null(f.fields);
	assert_int_equal(qoc_form_parse(*state, NULL, 0, 10, &f), QOC_OK);
	assert_int_equal(f.count, 0);
}

static void value_may_contain_equals(void **state)
{
	struct qoc_form f;
	const char *v;
	assert_int_equal(parse(state, "x=a=b==", 10, &f), QOC_OK);
	assert_int_equal(qoc_form_get(&f, "x", &v), QOC_OK);
	assert_string_equal(v, "a=b==");
}

static void invalid_escapes_are_rejected(void **state)
{
	struct qoc_form f;
	const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1&b=%%41", "a=%+1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(state, bad[i], 10, &f), QOC_EINVAL);
		assert_int_equal(f.count, 0);
	}
}

static void nul_and_bad_utf8_are_rejected(void **state)
{
	struct qoc_form f;
	assert_int_equal(parse(state, "a=x%00y", 10, &f), QOC_EINVAL);
	assert_int_equal(parse(state, "a%00=1", 10, &f), QOC_EINVAL);
	assert_int_equal(parse(state, "a=%FF", 10, &f), QOC_EINVAL);
	assert_int_equal(parse(state, "a=%C0%AF", 10, &f), QOC_EINVAL);       /* overlong '/' */
	assert_int_equal(parse(state, "a=%ED%A0%80", 10, &f), QOC_EINVAL);    /* surrogate */
	assert_int_equal(parse(state, "a=%F4%90%80%80", 10, &f), QOC_EINVAL); /* > U+10FFFF */
	assert_int_equal(parse(state, "a=%E2%82", 10, &f), QOC_EINVAL);       /* truncated */
	assert_int_equal(parse(state, "a=%F0%9F%98%80", 10, &f), QOC_OK);     /* U+1F600 */
	/* A raw NUL byte in the input (not escaped) is refused as well. */
	assert_int_equal(qoc_form_parse(*state, "a=x\0y", 5, 10, &f), QOC_EINVAL);
}

static void field_count_is_bounded(void **state)
{
	struct qoc_form f;
	assert_int_equal(parse(state, "a=1&b=2&c=3", 3, &f), QOC_OK);
	assert_int_equal(parse(state, "a=1&b=2&c=3&d=4", 3, &f), QOC_ELIMIT);
	/* Empty names still count toward the bound: work stays linear in max_fields. */
	assert_int_equal(parse(state, "=1&=2&=3&=4", 3, &f), QOC_ELIMIT);
	assert_int_equal(parse(state, "a", 0, &f), QOC_ELIMIT);
}

static void decode_keeps_plus_for_paths(void **state)
{
	char *out;
	size_t n;
	assert_int_equal(qoc_form_decode(*state, "a+b%20c", 7, false, &out, &n), QOC_OK);
	assert_string_equal(out, "a+b c");
	assert_int_equal(n, 5);
	assert_int_equal(qoc_form_decode(*state, "a+b", 3, true, &out, &n), QOC_OK);
	assert_string_equal(out, "a b");
}

static void arena_exhaustion_is_enomem(void **state)
{
	(void)state;
	struct qoc_arena small;
	qoc_arena_init(&small, 64);
	struct qoc_form f;
	assert_int_equal(qoc_form_parse(&small, "a=1&b=2", 7, 10, &f), QOC_ENOMEM);
	qoc_arena_release(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(decodes_plus_and_percent, setup, teardown),
	    cmocka_unit_test_setup_teardown(names_are_decoded_and_case_sensitive, setup, teardown),
	    cmocka_unit_test_setup_teardown(duplicates_are_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(empty_is_absent, setup, teardown),
	    cmocka_unit_test_setup_teardown(empty_pairs_and_names_are_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(value_may_contain_equals, setup, teardown),
	    cmocka_unit_test_setup_teardown(invalid_escapes_are_rejected, setup, teardown),
	    cmocka_unit_test_setup_teardown(nul_and_bad_utf8_are_rejected, setup, teardown),
	    cmocka_unit_test_setup_teardown(field_count_is_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(decode_keeps_plus_for_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(arena_exhaustion_is_enomem, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
