/* Unit tests for src/oauth/oauth_error: statuses, constructors and the JSON body. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "oauth/oauth_error.h"

static void statuses_follow_the_rfcs(void **state)
{
	(void)state;
	static const struct {
		const char *code;
		unsigned status;
	} rows[] = {
	    {QOC_OAUTH_INVALID_REQUEST, 400},         /* RFC 6749 §5.2 */
	    {QOC_OAUTH_INVALID_CLIENT, 401},          /* RFC 6749 §5.2: 401 with a challenge */
	    {QOC_OAUTH_INVALID_GRANT, 400},           /* RFC 6749 §5.2 */
	    {QOC_OAUTH_UNAUTHORIZED_CLIENT, 400},     /* RFC 6749 §5.2 */
	    {QOC_OAUTH_UNSUPPORTED_GRANT_TYPE, 400},  /* RFC 6749 §5.2 */
	    {QOC_OAUTH_INVALID_SCOPE, 400},           /* RFC 6749 §5.2 */
	    {QOC_OAUTH_INVALID_TOKEN, 401},           /* RFC 6750 §3.1 */
	    {QOC_OAUTH_INSUFFICIENT_SCOPE, 403},      /* RFC 6750 §3.1 */
	    {QOC_OAUTH_SERVER_ERROR, 500},            /* RFC 6749 §4.1.2.1 */
	    {QOC_OAUTH_TEMPORARILY_UNAVAILABLE, 503}, /* RFC 6749 §4.1.2.1 */
	    {QOC_OAUTH_REQUEST_NOT_SUPPORTED, 400},   /* OIDC Core §3.1.2.6 */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct qoc_oauth_error e = qoc_oauth_error_make(rows[i].code, "d");
		assert_string_equal(e.code, rows[i].code);
		assert_string_equal(e.description, "d");
		assert_int_equal(e.status, rows[i].status);
	}
	assert_int_equal(qoc_oauth_error_status(NULL), 500);
}

static void fail_sets_the_error_and_returns_einval(void **state)
{
	(void)state;
	struct qoc_oauth_error e = {0};
	assert_int_equal(qoc_oauth_fail(&e, QOC_OAUTH_INVALID_CLIENT, "x"), QOC_EINVAL);
	assert_string_equal(e.code, "invalid_client");
	assert_int_equal(e.status, 401);
	assert_int_equal(qoc_oauth_fail(NULL, QOC_OAUTH_INVALID_CLIENT, "x"), QOC_EINVAL);
}

/* STYLE.md: out of memory on a request path is a 503, never an abort. */
static void internal_failures_map_to_503_or_500(void **state)
{
	(void)state;
	struct qoc_oauth_error e = qoc_oauth_error_internal(QOC_ENOMEM);
	assert_string_equal(e.code, QOC_OAUTH_TEMPORARILY_UNAVAILABLE);
	assert_int_equal(e.status, 503);
	e = qoc_oauth_error_internal(QOC_EBUSY);
	assert_int_equal(e.status, 503);
	e = qoc_oauth_error_internal(QOC_EDB);
	assert_string_equal(e.code, QOC_OAUTH_SERVER_ERROR);
	assert_int_equal(e.status, 500);
}

/* RFC 6749 §5.2: {"error": ..., "error_description": ...} */
static void json_has_error_and_description(void **state)
{
	(void)state;
	struct qoc_oauth_error e =
	    qoc_oauth_error_make(QOC_OAUTH_INVALID_GRANT, "the code has expired");
	json_t *j = qoc_oauth_error_json(&e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "invalid_grant");
	assert_string_equal(json_string_value(json_object_get(j, "error_description")),
	                    "the code has expired");
	assert_int_equal(json_object_size(j), 2);
	json_decref(j);

	e = qoc_oauth_error_make(QOC_OAUTH_INVALID_CLIENT, NULL);
	j = qoc_oauth_error_json(&e);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 1);
	assert_null(json_object_get(j, "error_description"));
	json_decref(j);

	e.code = NULL;
	assert_null(qoc_oauth_error_json(&e));
	assert_null(qoc_oauth_error_json(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(statuses_follow_the_rfcs),
	    cmocka_unit_test(fail_sets_the_error_and_returns_einval),
	    cmocka_unit_test(internal_failures_map_to_503_or_500),
	    cmocka_unit_test(json_has_error_and_description),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
