/* Unit tests for src/oauth/response: authorization responses for query, fragment and
 * form_post (RFC 6749 §4.1.2, §4.2.2; Multiple Response Type Encoding Practices; RFC 9207). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/form.h"
#include "oauth/response.h"

#define ISS "https://id.example.com"

static struct qoc_authz_response success(const char *code, const char *state)
{
	return (struct qoc_authz_response){
	    .code = code, .state = state, .iss = ISS, .expires_in = -1};
}

static void check_location(const char *uri, enum qoc_response_mode mode,
                           const struct qoc_authz_response *r, const char *want)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 8192);
	assert_int_equal(qoc_authz_response_location(uri, mode, r, &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), want);
	qoc_buf_release(&b);
}

/* RFC 6749 §4.1.2 and RFC 9207 §2: code, state, iss in the query */
static void query_appends_with_the_right_separator(void **state)
{
	(void)state;
	struct qoc_authz_response r = success("c1", "s1");
	check_location(
	    "https://app.example.com/cb", QOC_RESPONSE_MODE_QUERY, &r,
	    "https://app.example.com/cb?code=c1&state=s1&iss=https%3A%2F%2Fid.example.com");
	/* RFC 6749 §3.1.2: the registered query component is kept */
	check_location("https://app.example.com/cb?tenant=a", QOC_RESPONSE_MODE_QUERY, &r,
	               "https://app.example.com/cb?tenant=a&code=c1&state=s1&iss=https%3A%2F%2Fid."
	               "example.com");
	check_location(
	    "https://app.example.com/cb?", QOC_RESPONSE_MODE_QUERY, &r,
	    "https://app.example.com/cb?code=c1&state=s1&iss=https%3A%2F%2Fid.example.com");
	check_location(
	    "https://app.example.com/cb?a=1&", QOC_RESPONSE_MODE_QUERY, &r,
	    "https://app.example.com/cb?a=1&code=c1&state=s1&iss=https%3A%2F%2Fid.example."
	    "com");
	/* no state in the request: none in the response */
	r.state = NULL;
	check_location("com.example.app:/cb", QOC_RESPONSE_MODE_QUERY, &r,
	               "com.example.app:/cb?code=c1&iss=https%3A%2F%2Fid.example.com");
}

/* RFC 6749 §4.2.2: implicit responses in the fragment, with the registered query kept */
static void fragment_carries_tokens(void **state)
{
	(void)state;
	struct qoc_authz_response r = {.state = "xyz",
	                               .iss = ISS,
	                               .access_token = "qoc_at_abc",
	                               .token_type = "Bearer",
	                               .expires_in = 3600,
	                               .id_token = "h.p.s",
	                               .scope = "openid email"};
	check_location("https://app.example.com/cb?x=1", QOC_RESPONSE_MODE_FRAGMENT, &r,
	               "https://app.example.com/cb?x=1#state=xyz&iss=https%3A%2F%2Fid.example.com&"
	               "id_token=h.p.s&access_token=qoc_at_abc&token_type=Bearer&expires_in=3600&"
	               "scope=openid%20email");
	r.expires_in = 0;
	struct qoc_authz_params p;
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_OK);
	assert_string_equal(p.name[5], "expires_in");
	assert_string_equal(p.value[5], "0");
}

/* RFC 6749 §4.1.2.1 and RFC 9207 §2: errors carry iss and state too */
static void errors_carry_iss_and_state(void **state)
{
	(void)state;
	struct qoc_authz_response r = {.error = "access_denied",
	                               .error_description = "the user said no",
	                               .state = "s",
	                               .iss = ISS,
	                               .expires_in = -1};
	check_location("https://app.example.com/cb", QOC_RESPONSE_MODE_QUERY, &r,
	               "https://app.example.com/cb?state=s&iss=https%3A%2F%2Fid.example.com&error="
	               "access_denied&error_description=the%20user%20said%20no");
}

/* SECURITY.md: state comes back byte-exact, never truncated; RFC 3986 §2.1 */
static void state_round_trips_byte_exact(void **state)
{
	(void)state;
	static const char *const states[] = {
	    "a b+c&d=e#f%g",
	    "caf\xc3\xa9 \xf0\x9f\x94\x91",
	    "<script>alert(1)</script>",
	    "\"'\\\r\n\t",
	    "-._~AZaz09",
	    "%00%zz%%",
	};
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		for (int mode = 0; mode < 2; mode++) {
			struct qoc_authz_response r = success("c", states[i]);
			struct qoc_buf b;
			struct qoc_arena a;
			struct qoc_form f;
			const char *v;
			qoc_buf_init(&b, 8192);
			qoc_arena_init(&a, 0);
			assert_int_equal(
			    qoc_authz_response_location("https://a.example/cb?k=v", mode, &r, &b),
			    QOC_OK);
			const char *params = strchr(qoc_buf_cstr(&b), mode ? '#' : '?') + 1;
			/* only unreserved characters and escapes: nothing a browser rewrites */
			assert_int_equal(strspn(params,
			                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
			                        "vwxyz0123456789-._~%=&"),
			                 strlen(params));
			assert_int_equal(qoc_form_parse(&a, params, strlen(params), 16, &f),
			                 QOC_OK);
			assert_int_equal(qoc_form_get(&f, "state", &v), QOC_OK);
			assert_string_equal(v, states[i]);
			qoc_arena_release(&a);
			qoc_buf_release(&b);
		}
	}
}

/* OAuth 2.0 Form Post Response Mode §2: the fields, iss included (RFC 9207 §2) */
static void form_post_lists_fields(void **state)
{
	(void)state;
	struct qoc_authz_response r = success("c1", "s&<1>");
	struct qoc_authz_params p;
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_OK);
	assert_int_equal(p.count, 3);
	assert_string_equal(p.name[0], "code");
	assert_string_equal(p.value[0], "c1");
	assert_string_equal(p.name[1], "state");
	assert_string_equal(p.value[1], "s&<1>"); /* raw: the page escapes it */
	assert_string_equal(p.name[2], "iss");
	assert_string_equal(p.value[2], ISS);
	struct qoc_buf b;
	qoc_buf_init(&b, 1024);
	assert_int_equal(qoc_authz_response_location("https://a.example/cb",
	                                             QOC_RESPONSE_MODE_FORM_POST, &r, &b),
	                 QOC_EINVAL);
	assert_int_equal(b.len, 0);
	qoc_buf_release(&b);
	assert_string_equal(qoc_response_mode_name(QOC_RESPONSE_MODE_FORM_POST), "form_post");
	assert_string_equal(qoc_response_mode_name(QOC_RESPONSE_MODE_QUERY), "query");
	assert_string_equal(qoc_response_mode_name(QOC_RESPONSE_MODE_FRAGMENT), "fragment");
}

static void malformed_responses_are_refused(void **state)
{
	(void)state;
	struct qoc_authz_params p;
	struct qoc_authz_response r = success("c", "s");
	r.iss = NULL; /* RFC 9207 §2: iss is always sent */
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_EINVAL);
	r.iss = "";
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_EINVAL);
	r = success(NULL, "s"); /* neither success nor error */
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_EINVAL);
	r = success("c", "s"); /* both */
	r.error = "access_denied";
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_EINVAL);
	r = success("c", ""); /* an empty state would read as absent */
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_EINVAL);
	r = success("c", NULL); /* a description without an error */
	r.error_description = "x";
	assert_int_equal(qoc_authz_response_params(&r, &p), QOC_EINVAL);

	struct qoc_buf b;
	qoc_buf_init(&b, 1024);
	r = success("c", "s");
	/* SECURITY.md: redirect URIs never carry a fragment */
	assert_int_equal(
	    qoc_authz_response_location("https://a.example/cb#x", QOC_RESPONSE_MODE_QUERY, &r, &b),
	    QOC_EINVAL);
	assert_int_equal(qoc_authz_response_location("", QOC_RESPONSE_MODE_QUERY, &r, &b),
	                 QOC_EINVAL);
	assert_int_equal(qoc_authz_response_location(NULL, QOC_RESPONSE_MODE_QUERY, &r, &b),
	                 QOC_EINVAL);
	assert_int_equal(b.len, 0);
	qoc_buf_release(&b);
}

/* STYLE.md: bounded buffers; a failed append leaves the buffer as it was */
static void location_is_bounded(void **state)
{
	(void)state;
	char big_state[1025];
	memset(big_state, 0xff, 1024); /* every byte needs %FF: 3 KiB */
	big_state[1024] = '\0';
	struct qoc_authz_response r = success("c", big_state);
	struct qoc_buf b;
	qoc_buf_init(&b, 2048);
	assert_int_equal(qoc_buf_append_cstr(&b, "keep"), QOC_OK);
	assert_int_equal(
	    qoc_authz_response_location("https://a.example/cb", QOC_RESPONSE_MODE_QUERY, &r, &b),
	    QOC_ELIMIT);
	assert_string_equal(qoc_buf_cstr(&b), "keep");
	assert_int_equal(qoc_oauth_percent_encode(big_state, 1024, &b), QOC_ELIMIT);
	assert_string_equal(qoc_buf_cstr(&b), "keep");
	assert_int_equal(qoc_oauth_percent_encode("a b/", 4, &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "keepa%20b%2F");
	qoc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(query_appends_with_the_right_separator),
	    cmocka_unit_test(fragment_carries_tokens),
	    cmocka_unit_test(errors_carry_iss_and_state),
	    cmocka_unit_test(state_round_trips_byte_exact),
	    cmocka_unit_test(form_post_lists_fields),
	    cmocka_unit_test(malformed_responses_are_refused),
	    cmocka_unit_test(location_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
