/* core/jsonw.c: exact compact output, escaping that jansson reads back to the same
 * string, refusals that leave the buffer as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "core/jsonw.h"

static void writes_compact_members_in_order(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 1024);
	struct qoc_jsonw w;
	qoc_jsonw_begin(&w, &b);
	qoc_jsonw_str(&w, "iss", "https://id.example.com");
	qoc_jsonw_int(&w, "exp", 1700000000);
	qoc_jsonw_int(&w, "neg", INT64_MIN);
	qoc_jsonw_int(&w, "max", INT64_MAX);
	qoc_jsonw_str(&w, "empty", "");
	qoc_jsonw_bool(&w, "yes", true);
	qoc_jsonw_bool(&w, "no", false);
	assert_int_equal(qoc_jsonw_end(&w), QOC_OK);
	assert_string_equal(b.data, "{\"iss\":\"https://id.example.com\",\"exp\":1700000000,"
	                            "\"neg\":-9223372036854775808,\"max\":9223372036854775807,"
	                            "\"empty\":\"\",\"yes\":true,\"no\":false}");
	/* an empty object, appended after what the buffer held */
	qoc_jsonw_begin(&w, &b);
	assert_int_equal(qoc_jsonw_end(&w), QOC_OK);
	assert_int_equal(strcmp(b.data + b.len - 2, "{}"), 0);
	qoc_buf_release(&b);
}

static void escapes_what_json_must(void **state)
{
	(void)state;
	const char *tricky[] = {
	    "quote \" backslash \\ slash /",
	    "controls \x01\x1f \b\f\n\r\t end",
	    "unicode \xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91",
	    "\"",
	    "\\\\\\",
	    "\x7f del is not escaped",
	};
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		struct qoc_buf b;
		qoc_buf_init(&b, 1024);
		struct qoc_jsonw w;
		qoc_jsonw_begin(&w, &b);
		qoc_jsonw_str(&w, tricky[i], tricky[i]);
		assert_int_equal(qoc_jsonw_end(&w), QOC_OK);
		for (size_t k = 0; k < b.len; k++)
			assert_true((unsigned char)b.data[k] >= 0x20); /* nothing raw below space */
		json_error_t jerr;
		json_t *o = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
		assert_non_null(o);
		assert_string_equal(json_string_value(json_object_get(o, tricky[i])), tricky[i]);
		json_decref(o);
		qoc_buf_release(&b);
	}
}

static void refusals_leave_the_buffer_as_it_was(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 64);
	assert_int_equal(qoc_buf_append_cstr(&b, "head."), QOC_OK);
	struct qoc_jsonw w;
	qoc_jsonw_begin(&w, &b);
	qoc_jsonw_str(&w, "a", "ok");
	qoc_jsonw_str(&w, "bad", "\xc3\x28"); /* invalid UTF-8, as jansson refuses */
	qoc_jsonw_int(&w, "later", 1);       /* ignored after the first error */
	assert_int_equal(qoc_jsonw_end(&w), QOC_EINVAL);
	assert_string_equal(b.data, "head.");
	assert_int_equal(b.len, 5);

	qoc_jsonw_begin(&w, &b);
	qoc_jsonw_str(&w, "long", "0123456789012345678901234567890123456789012345678901234567890");
	assert_int_equal(qoc_jsonw_end(&w), QOC_ELIMIT);
	assert_string_equal(b.data, "head.");

	qoc_jsonw_begin(&w, &b);
	qoc_jsonw_str(&w, "none", NULL);
	assert_int_equal(qoc_jsonw_end(&w), QOC_EINVAL);
	assert_int_equal(b.len, 5);

	qoc_jsonw_begin(&w, &b);
	qoc_jsonw_str(&w, "\xed\xa0\x80", "surrogate name");
	assert_int_equal(qoc_jsonw_end(&w), QOC_EINVAL);
	assert_int_equal(b.len, 5);
	qoc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(writes_compact_members_in_order),
	    cmocka_unit_test(escapes_what_json_must),
	    cmocka_unit_test(refusals_leave_the_buffer_as_it_was),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
