/* Unit tests for src/http/cookie.c: Cookie parsing (RFC 6265 §5.4) and Set-Cookie building. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/cookie.h"

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

static enum qoc_err parse(void **state, const char *h, struct qoc_cookie_jar *jar)
{
	return qoc_cookie_parse(*state, h, strlen(h), jar);
}

/* RFC 6265 §5.4: cookie-pairs joined by "; ". */
static void parses_pairs(void **state)
{
	struct qoc_cookie_jar jar = {0};
	assert_int_equal(parse(state, "sid=abc123; csrf=x.y-z_~; theme=dark", &jar), QOC_OK);
	assert_int_equal(jar.count, 3);
	assert_string_equal(qoc_cookie_get(&jar, "sid"), "abc123");
	assert_string_equal(qoc_cookie_get(&jar, "csrf"), "x.y-z_~");
	assert_string_equal(qoc_cookie_get(&jar, "theme"), "dark");
	assert_null(qoc_cookie_get(&jar, "SID"));
	assert_null(qoc_cookie_get(&jar, "missing"));
}

static void tolerates_whitespace_quotes_and_empty_values(void **state)
{
	struct qoc_cookie_jar jar = {0};
	assert_int_equal(parse(state, "  a = 1 ;b=\"quoted\";c=;;d=\"\"  ", &jar), QOC_OK);
	assert_string_equal(qoc_cookie_get(&jar, "a"), "1");
	assert_string_equal(qoc_cookie_get(&jar, "b"), "quoted");
	assert_string_equal(qoc_cookie_get(&jar, "c"), "");
	assert_string_equal(qoc_cookie_get(&jar, "d"), "");
	assert_int_equal(jar.count, 4);
}

static void skips_invalid_pairs(void **state)
{
	struct qoc_cookie_jar jar = {0};
	/* no '=', empty name, non-token name, value with space / comma / backslash / DQUOTE. */
	assert_int_equal(
	    parse(state, "flag; =v; a b=1; x=has space; y=a,b; z=a\\b; w=a\"b; ok=1", &jar),
	    QOC_OK);
	assert_int_equal(jar.count, 1);
	assert_string_equal(qoc_cookie_get(&jar, "ok"), "1");
	assert_int_equal(qoc_cookie_parse(*state, "n=a\0b", 5, &jar), QOC_OK);
	assert_null(qoc_cookie_get(&jar, "n"));
}

static void duplicates_keep_order_and_can_be_counted(void **state)
{
	struct qoc_cookie_jar jar = {0};
	assert_int_equal(parse(state, "sid=first; sid=second", &jar), QOC_OK);
	assert_string_equal(qoc_cookie_get(&jar, "sid"), "first");
	assert_int_equal(qoc_cookie_count(&jar, "sid"), 2);
	/* A second Cookie header appends to the same jar. */
	assert_int_equal(parse(state, "other=1", &jar), QOC_OK);
	assert_int_equal(jar.count, 3);
}

static void cookie_count_is_bounded(void **state)
{
	struct qoc_cookie_jar jar = {0};
	struct qoc_buf h;
	qoc_buf_init(&h, 1 << 16);
	for (int i = 0; i < QOC_COOKIE_MAX_COUNT; i++)
		assert_int_equal(qoc_buf_printf(&h, "c%d=%d; ", i, i), QOC_OK);
	assert_int_equal(parse(state, qoc_buf_cstr(&h), &jar), QOC_OK);
	assert_int_equal(jar.count, QOC_COOKIE_MAX_COUNT);
	assert_int_equal(parse(state, "one=more", &jar), QOC_ELIMIT);
	qoc_buf_release(&h);
}

static void builds_default_set_cookie(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 512);
	struct qoc_cookie_opts o = QOC_COOKIE_OPTS_DEFAULT;
	assert_int_equal(qoc_cookie_build(&b, "qoc_session", "AbC-_9", &o), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "qoc_session=AbC-_9; Path=/; HttpOnly; SameSite=Lax");
	qoc_buf_release(&b);
}

/* SECURITY.md: cookies are HttpOnly, SameSite=Lax or stricter, Secure when https. */
static void builds_all_attributes(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 512);
	struct qoc_cookie_opts o = {.max_age = 3600,
	                            .http_only = true,
	                            .same_site = QOC_COOKIE_SAMESITE_STRICT,
	                            .secure = true,
	                            .path = "/console"};
	assert_int_equal(qoc_cookie_build(&b, "__Secure-sid", "v", &o), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "__Secure-sid=v; Path=/console; Max-Age=3600; "
	                                      "Secure; HttpOnly; SameSite=Strict");
	qoc_buf_reset(&b);
	struct qoc_cookie_opts del = QOC_COOKIE_OPTS_DEFAULT;
	del.max_age = QOC_COOKIE_DELETE;
	assert_int_equal(qoc_cookie_build(&b, "sid", "", &del), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	qoc_buf_reset(&b);
	struct qoc_cookie_opts zero = {0}; /* zeroed: session, Lax, Path=/ (not HttpOnly) */
	assert_int_equal(qoc_cookie_build(&b, "a", "b", &zero), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "a=b; Path=/; SameSite=Lax");
	qoc_buf_release(&b);
}

static void refuses_unsafe_input(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 512);
	struct qoc_cookie_opts o = QOC_COOKIE_OPTS_DEFAULT;
	assert_int_equal(qoc_cookie_build(&b, "sid", "a;b", &o), QOC_EINVAL);
	assert_int_equal(qoc_cookie_build(&b, "sid", "a\r\nSet-Cookie: x=1", &o), QOC_EINVAL);
	assert_int_equal(qoc_cookie_build(&b, "sid", "a b", &o), QOC_EINVAL);
	assert_int_equal(qoc_cookie_build(&b, "sid", "\"q\"", &o), QOC_EINVAL);
	assert_int_equal(qoc_cookie_build(&b, "s id", "v", &o), QOC_EINVAL);
	assert_int_equal(qoc_cookie_build(&b, "", "v", &o), QOC_EINVAL);
	assert_int_equal(qoc_cookie_build(&b, "s=id", "v", &o), QOC_EINVAL);
	o.path = "/a;Domain=evil";
	assert_int_equal(qoc_cookie_build(&b, "sid", "v", &o), QOC_EINVAL);
	o.path = "relative";
	assert_int_equal(qoc_cookie_build(&b, "sid", "v", &o), QOC_EINVAL);
	o.path = "/";
	o.same_site = QOC_COOKIE_SAMESITE_NONE; /* None needs Secure */
	assert_int_equal(qoc_cookie_build(&b, "sid", "v", &o), QOC_EINVAL);
	o.same_site = QOC_COOKIE_SAMESITE_LAX;
	assert_int_equal(qoc_cookie_build(&b, "__Host-sid", "v", &o), QOC_EINVAL);
	o.secure = true;
	o.path = "/x";
	assert_int_equal(qoc_cookie_build(&b, "__Host-sid", "v", &o), QOC_EINVAL);
	o.path = "/";
	assert_int_equal(qoc_cookie_build(&b, "__Host-sid", "v", &o), QOC_OK);
	qoc_buf_release(&b);
}

static void build_failure_leaves_buffer_unchanged(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 20);
	assert_int_equal(qoc_buf_append_cstr(&b, "keep"), QOC_OK);
	struct qoc_cookie_opts o = QOC_COOKIE_OPTS_DEFAULT;
	assert_int_equal(qoc_cookie_build(&b, "name", "value", &o), QOC_ELIMIT);
	assert_string_equal(qoc_buf_cstr(&b), "keep");
	qoc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(parses_pairs, setup, teardown),
	    cmocka_unit_test_setup_teardown(tolerates_whitespace_quotes_and_empty_values, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(skips_invalid_pairs, setup, teardown),
	    cmocka_unit_test_setup_teardown(duplicates_keep_order_and_can_be_counted, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(cookie_count_is_bounded, setup, teardown),
	    cmocka_unit_test(builds_default_set_cookie),
	    cmocka_unit_test(builds_all_attributes),
	    cmocka_unit_test(refuses_unsafe_input),
	    cmocka_unit_test(build_failure_leaves_buffer_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
