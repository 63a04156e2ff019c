/* Unit tests for src/core/json.c: strict request-body JSON (SECURITY.md "Robustness"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static enum qoc_err parse(const char *s, json_t **out, char *msg, size_t size)
{
	return qoc_json_parse(s, strlen(s), NULL, out, msg, size);
}

static void parses_objects_and_arrays(void **state)
{
	(void)state;
	json_t *j;
	char msg[200];
	assert_int_equal(parse("{\"name\":\"caf\xc3\xa9\",\"n\":3,\"ok\":true,\"z\":null}", &j, msg,
	                       sizeof(msg)),
	                 QOC_OK);
	const char *s;
	long long n;
	bool b;
	assert_int_equal(qoc_json_get_string(j, "name", &s), QOC_OK);
	assert_string_equal(s, "caf\xc3\xa9");
	assert_int_equal(qoc_json_get_int(j, "n", &n), QOC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(qoc_json_get_bool(j, "ok", &b), QOC_OK);
	assert_true(b);
	assert_int_equal(qoc_json_get_string(j, "z", &s), QOC_ENOTFOUND);
	assert_null(s);
	assert_int_equal(qoc_json_get_string(j, "missing", &s), QOC_ENOTFOUND);
	assert_int_equal(qoc_json_get_string(j, "n", &s), QOC_EINVAL);
	assert_int_equal(qoc_json_get_bool(j, "name", &b), QOC_EINVAL);
	assert_int_equal(qoc_json_get_int(j, "ok", &n), QOC_EINVAL);
	json_decref(j);
	assert_int_equal(parse("[1,2]", &j, NULL, 0), QOC_OK);
	assert_int_equal(qoc_json_get_string(j, "x", &s), QOC_ENOTFOUND);
	json_decref(j);
}

static void rejects_duplicate_keys(void **state)
{
	(void)state;
	json_t *j = (json_t *)1;
	char msg[200];
	assert_int_equal(parse("{\"a\":1,\"a\":2}", &j, msg, sizeof(msg)), QOC_EINVAL);
	assert_null(j);
	assert_non_null(strstr(msg, "duplicate"));
}

static void rejects_malformed_and_non_container(void **state)
{
	(void)state;
	json_t *j;
	char msg[200];
	const char *bad[] = {"",        "{",   "{\"a\":}",           "{} x",
	                     "\"str\"", "42",  "{\"a\":1,}",         "[1,]",
	                     "{'a':1}", "nul", "{\"a\":\"\\u0000\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &j, msg, sizeof(msg)), QOC_EINVAL);
		assert_non_null(strstr(msg, "invalid JSON at line"));
	}
}

static void rejects_invalid_utf8_with_a_printable_message(void **state)
{
	(void)state;
	json_t *j;
	char msg[200];
	assert_int_equal(parse("{\"a\":\"\xff\xfe\"}", &j, msg, sizeof(msg)), QOC_EINVAL);
	for (const char *p = msg; *p; p++)
		assert_true(*p >= 0x20 && *p <= 0x7e);
	assert_int_equal(parse("{\"a\":\"\xed\xa0\x80\"}", &j, msg, sizeof(msg)), QOC_EINVAL);
	/* A raw NUL byte inside the buffer. */
	assert_int_equal(qoc_json_parse("{\"a\":\"x\0\"}", 9, NULL, &j, msg, sizeof(msg)),
	                 QOC_EINVAL);
}

static char *nested(unsigned depth, char open, char close)
{
	char *s = malloc(2 * (size_t)depth + 1);
	for (unsigned i = 0; i < depth; i++) {
		s[i] = open;
		s[2 * depth - 1 - i] = close;
	}
	s[2 * depth] = '\0';
	return s;
}

static void depth_is_limited(void **state)
{
	(void)state;
	json_t *j;
	char msg[200];
	char *ok = nested(QOC_JSON_DEFAULT_MAX_DEPTH, '[', ']');
	char *deep = nested(QOC_JSON_DEFAULT_MAX_DEPTH + 1, '[', ']');
	char *hostile = nested(100000, '[', ']');
	assert_int_equal(parse(ok, &j, msg, sizeof(msg)), QOC_OK);
	json_decref(j);
	assert_int_equal(parse(deep, &j, msg, sizeof(msg)), QOC_ELIMIT);
	assert_string_equal(msg, "JSON nested deeper than 32 levels");
	assert_int_equal(parse(hostile, &j, msg, sizeof(msg)), QOC_ELIMIT);
	/* Brackets inside strings do not count, escaped quotes do not end a string. */
	assert_int_equal(parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}", &j,
	                       msg, sizeof(msg)),
	                 QOC_OK);
	json_decref(j);
	struct qoc_json_limits lim = {.max_depth = 2};
	assert_int_equal(qoc_json_parse("{\"a\":{\"b\":1}}", 13, &lim, &j, NULL, 0), QOC_OK);
	json_decref(j);
	assert_int_equal(qoc_json_parse("{\"a\":{\"b\":[]}}", 14, &lim, &j, NULL, 0), QOC_ELIMIT);
	assert_int_equal(qoc_json_depth("{}[]{}", 6, 10), 1);
	free(ok);
	free(deep);
	free(hostile);
}

static void size_is_limited(void **state)
{
	(void)state;
	json_t *j;
	char msg[200];
	struct qoc_json_limits lim = {.max_bytes = 8};
	assert_int_equal(qoc_json_parse("{\"a\":1}", 7, &lim, &j, msg, sizeof(msg)), QOC_OK);
	json_decref(j);
	assert_int_equal(qoc_json_parse("{\"ab\":1}", 8, &lim, &j, msg, sizeof(msg)), QOC_OK);
	json_decref(j);
	assert_int_equal(qoc_json_parse("{\"abc\":1}", 9, &lim, &j, msg, sizeof(msg)), QOC_ELIMIT);
	assert_string_equal(msg, "JSON body larger than 8 bytes");
}

static void getters_on_non_objects(void **state)
{
	(void)state;
	const char *s;
	assert_int_equal(qoc_json_get_string(NULL, "a", &s), QOC_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_objects_and_arrays),
	    cmocka_unit_test(rejects_duplicate_keys),
	    cmocka_unit_test(rejects_malformed_and_non_container),
	    cmocka_unit_test(rejects_invalid_utf8_with_a_printable_message),
	    cmocka_unit_test(depth_is_limited),
	    cmocka_unit_test(size_is_limited),
	    cmocka_unit_test(getters_on_non_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
