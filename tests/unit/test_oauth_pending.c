/* Unit tests for src/oauth/pending: the pending authorization request survives the store
 * byte-exact (SECURITY.md "state comes back byte-exact") and a damaged row is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "oauth/pending.h"

/* A state with every awkward byte a form can carry: quotes, escapes, CR LF, NUL-free
 * control characters, non-ASCII. */
#define STATE "a\"b\\c\r\n\t<x>&amp;%20+\x01\x7f\xc3\xa9\xf0\x9f\x98\x80 end "

static struct qoc_authz_request sample(void)
{
	struct qoc_authz_request r;
	memset(&r, 0, sizeof(r));
	r.client_id = "qoc_client_x";
	r.redirect_uri = "http://127.0.0.1:4567/cb?x=1";
	r.redirect_uri_given = true;
	r.response_type = QOC_RESPONSE_TYPE_CODE;
	r.response_mode = QOC_RESPONSE_MODE_FORM_POST;
	assert_int_equal(qoc_scope_parse("openid email offline_access", 27, &r.scope), QOC_OK);
	r.openid = true;
	r.offline_access = true;
	r.state = STATE;
	r.nonce = "n-0S6_WzA2Mj";
	r.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
	r.prompt = 6;
	r.max_age = 0;
	r.login_hint = "ada@example.com";
	r.id_token_hint = "not kept";
	r.claims_id_token = 5;
	r.claims_userinfo_essential = 4;
	return r;
}

static void round_trip_is_exact(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_authz_request r = sample(), back;
	const char *json = NULL;
	assert_int_equal(qoc_pending_encode(&r, &a, &json), QOC_OK);
	assert_true(strlen(json) < QOC_PENDING_MAX);
	assert_int_equal(qoc_pending_decode(json, "qoc_client_x", &a, &back), QOC_OK);
	assert_string_equal(back.client_id, "qoc_client_x");
	assert_string_equal(back.redirect_uri, r.redirect_uri);
	assert_true(back.redirect_uri_given);
	assert_int_equal(back.response_type, r.response_type);
	assert_int_equal(back.response_mode, r.response_mode);
	char s1[QOC_SCOPE_MAX_BYTES + 1], s2[QOC_SCOPE_MAX_BYTES + 1];
	qoc_scope_format(&r.scope, s1);
	qoc_scope_format(&back.scope, s2);
	assert_string_equal(s1, s2);
	assert_true(back.openid && back.offline_access);
	assert_memory_equal(back.state, STATE, sizeof(STATE)); /* NUL included */
	assert_string_equal(back.nonce, r.nonce);
	assert_string_equal(back.code_challenge, r.code_challenge);
	assert_int_equal(back.prompt, 6);
	assert_int_equal(back.max_age, 0);
	assert_string_equal(back.login_hint, r.login_hint);
	assert_null(back.id_token_hint);
	assert_int_equal(back.claims_id_token, 5);
	assert_int_equal(back.claims_userinfo_essential, 4);
	qoc_arena_release(&a);
}

static void absent_fields_stay_absent(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_authz_request r, back;
	memset(&r, 0, sizeof(r));
	r.redirect_uri = "https://app.example.com/cb";
	r.max_age = -1;
	qoc_scope_init(&r.scope);
	const char *json = NULL;
	assert_int_equal(qoc_pending_encode(&r, &a, &json), QOC_OK);
	assert_int_equal(qoc_pending_decode(json, "c", &a, &back), QOC_OK);
	assert_null(back.state);
	assert_null(back.nonce);
	assert_null(back.code_challenge);
	assert_int_equal(back.max_age, -1);
	assert_int_equal(back.scope.count, 0);
	assert_false(back.openid);
	r.redirect_uri = NULL;
	assert_int_equal(qoc_pending_encode(&r, &a, &json), QOC_EINVAL);
	qoc_arena_release(&a);
}

static void damaged_rows_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    NULL,
	    "",
	    "[]",
	    "{",
	    /* missing members */
	    "{\"redirect_uri\":\"https://a/cb\"}",
	    /* out of range or mistyped */
	    "{\"redirect_uri\":\"https://a/cb\",\"redirect_uri_given\":true,\"response_type\":9,"
	    "\"response_mode\":0,\"scope\":\"\",\"prompt\":0,\"max_age\":-1,\"claims_id_token\":0,"
	    "\"claims_id_token_essential\":0,\"claims_userinfo\":0,\"claims_userinfo_essential\":"
	    "0}",
	    "{\"redirect_uri\":\"https://a/cb\",\"redirect_uri_given\":1,\"response_type\":0,"
	    "\"response_mode\":0,\"scope\":\"\",\"prompt\":0,\"max_age\":-1,\"claims_id_token\":0,"
	    "\"claims_id_token_essential\":0,\"claims_userinfo\":0,\"claims_userinfo_essential\":"
	    "0}",
	    "{\"redirect_uri\":\"https://a/cb\",\"redirect_uri_given\":true,\"response_type\":0,"
	    "\"response_mode\":0,\"scope\":\"a  "
	    "b\",\"prompt\":0,\"max_age\":-1,\"claims_id_token\":0,"
	    "\"claims_id_token_essential\":0,\"claims_userinfo\":0,\"claims_userinfo_essential\":"
	    "0}",
	    /* NUL inside a string */
	    "{\"redirect_uri\":\"https://a/cb\",\"redirect_uri_given\":true,\"response_type\":0,"
	    "\"response_mode\":0,\"scope\":\"\",\"prompt\":0,\"max_age\":-1,\"claims_id_token\":0,"
	    "\"claims_id_token_essential\":0,\"claims_userinfo\":0,\"claims_userinfo_essential\":0,"
	    "\"state\":\"a\\u0000b\"}",
	    /* duplicate key */
	    "{\"redirect_uri\":\"https://a/cb\",\"redirect_uri\":\"https://evil/cb\","
	    "\"redirect_uri_given\":true,\"response_type\":0,"
	    "\"response_mode\":0,\"scope\":\"\",\"prompt\":0,\"max_age\":-1,\"claims_id_token\":0,"
	    "\"claims_id_token_essential\":0,\"claims_userinfo\":0,\"claims_userinfo_essential\":"
	    "0}",
	};
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct qoc_authz_request back;
		if (qoc_pending_decode(bad[i], "c", &a, &back) == QOC_OK)
			fail_msg("row %zu decoded", i);
	}
	qoc_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip_is_exact),
	    cmocka_unit_test(absent_fields_stay_absent),
	    cmocka_unit_test(damaged_rows_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
