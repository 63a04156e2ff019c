/* Unit tests for src/http/http.c: request accessors and response builders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "http/http.h"
#include "core/json.h"
#include "http/token.h"

struct fixture {
	struct qoc_arena a;
	struct qoc_http_req req;
	struct qoc_http_resp resp;
	struct qoc_http_header_field headers[8];
};

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	qoc_arena_init(&f.a, 0);
	qoc_http_req_init(&f.req, &f.a);
	qoc_http_resp_init(&f.resp, &f.a, 1024);
	f.req.headers = f.headers;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	qoc_http_resp_release(&f->resp);
	qoc_arena_release(&f->a);
	return 0;
}

static void add(struct fixture *f, const char *name, const char *value)
{
	f->headers[f->req.header_count].name = name;
	f->headers[f->req.header_count++].value = value;
}

static json_t *body_json(struct fixture *f)
{
	json_t *j = NULL;
	assert_int_equal(qoc_json_parse(f->resp.body.data, f->resp.body.len, NULL, &j, NULL, 0),
	                 QOC_OK);
	return j;
}

static void methods_parse_exactly(void **state)
{
	(void)state;
	assert_int_equal(qoc_http_method_parse("GET"), QOC_HTTP_GET);
	assert_int_equal(qoc_http_method_parse("OPTIONS"), QOC_HTTP_OPTIONS);
	assert_int_equal(qoc_http_method_parse("get"), QOC_HTTP_OTHER);
	assert_int_equal(qoc_http_method_parse("TRACE"), QOC_HTTP_OTHER);
	assert_int_equal(qoc_http_method_parse(NULL), QOC_HTTP_OTHER);
	assert_string_equal(qoc_http_method_name(QOC_HTTP_PATCH), "PATCH");
	assert_string_equal(qoc_http_method_name((enum qoc_http_method)99), "OTHER");
}

static void headers_are_case_insensitive(void **state)
{
	struct fixture *f = *state;
	add(f, "Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
	add(f, "authorization", "Bearer a");
	add(f, "AUTHORIZATION", "Bearer b");
	assert_string_equal(qoc_http_header(&f->req, "Authorization"), "Bearer a");
	assert_int_equal(qoc_http_header_count(&f->req, "authorization"), 2);
	assert_null(qoc_http_header(&f->req, "Cookie"));
	assert_true(qoc_http_content_type_is(&f->req, "application/x-www-form-urlencoded"));
	assert_true(qoc_http_content_type_is(&f->req, "APPLICATION/X-WWW-FORM-URLENCODED"));
	assert_false(qoc_http_content_type_is(&f->req, "application/json"));
	assert_false(qoc_http_content_type_is(&f->req, "application/x-www-form"));
}

static void params_and_cookies(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_param params[] = {{"client_id", "qoc_client_x"}, {"*", "a/b"}};
	f->req.params = params;
	f->req.param_count = 2;
	assert_string_equal(qoc_http_param(&f->req, "client_id"), "qoc_client_x");
	assert_string_equal(qoc_http_param(&f->req, "*"), "a/b");
	assert_null(qoc_http_param(&f->req, "other"));
	add(f, "Cookie", "a=1; sid=xyz");
	add(f, "cookie", "b=2; a=3");
	assert_string_equal(qoc_http_cookie(&f->req, "sid"), "xyz");
	assert_string_equal(qoc_http_cookie(&f->req, "b"), "2");
	assert_null(qoc_http_cookie(&f->req, "c"));
	/* a cookie sent twice (tossed from a sibling path or domain) is counted */
	assert_int_equal(qoc_http_cookie_count(&f->req, "a"), 2);
	assert_int_equal(qoc_http_cookie_count(&f->req, "sid"), 1);
	assert_int_equal(qoc_http_cookie_count(&f->req, "c"), 0);
}

static void forms_from_body_and_query(void **state)
{
	struct fixture *f = *state;
	struct qoc_form form;
	const char *v;
	f->req.body = QOC_STR_LIT("grant_type=authorization_code&code=abc");
	f->req.query = "x=1&x=2";
	assert_int_equal(qoc_http_form_body(&f->req, &form), QOC_EINVAL); /* no Content-Type */
	add(f, "Content-Type", "application/x-www-form-urlencoded");
	assert_int_equal(qoc_http_form_body(&f->req, &form), QOC_OK);
	assert_int_equal(qoc_form_get(&form, "code", &v), QOC_OK);
	assert_string_equal(v, "abc");
	assert_int_equal(qoc_http_form_query(&f->req, &form), QOC_OK);
	assert_int_equal(qoc_form_get(&form, "x", &v), QOC_ECONFLICT);
	f->req.max_form_fields = 1;
	assert_int_equal(qoc_http_form_query(&f->req, &form), QOC_ELIMIT);
}

static void no_work(void *arg)
{
	(void)arg;
}

static void offload_records_once(void **state)
{
	struct fixture *f = *state;
	int arg;
	assert_int_equal(qoc_http_offload(&f->req, NULL, NULL), QOC_EINVAL);
	assert_int_equal(qoc_http_offload(&f->req, no_work, &arg), QOC_OK);
	assert_int_equal(qoc_http_offload(&f->req, no_work, &arg), QOC_EINVAL);
	assert_ptr_equal(f->req.offload.arg, &arg);
}

static void body_and_headers(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_http_resp_body(&f->resp, 200, "text/plain", "hi", 2), QOC_OK);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(f->resp.content_type, "text/plain");
	assert_string_equal(f->resp.body.data, "hi");
	assert_int_equal(qoc_http_resp_header(&f->resp, "Cache-Control", "no-store"), QOC_OK);
	assert_int_equal(qoc_http_resp_header(&f->resp, "X-A", "1\t2"), QOC_OK);
	assert_string_equal(qoc_http_resp_get_header(&f->resp, "cache-control"), "no-store");
	assert_string_equal(f->resp.headers->name, "Cache-Control"); /* insertion order */
	assert_string_equal(f->resp.last->name, "X-A");
	/* Header injection and reserved names. */
	assert_int_equal(qoc_http_resp_header(&f->resp, "X-B", "a\r\nSet-Cookie: x=1"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "X-B", "a\nb"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "X B", "v"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "X:B", "v"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "", "v"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "content-length", "1"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "Content-Type", "x/y"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "Transfer-Encoding", "chunked"),
	                 QOC_EINVAL);
	assert_int_equal(qoc_http_resp_header(&f->resp, "Connection", "close"), QOC_EINVAL);
	/* Status range and body bound (1024 here). */
	assert_int_equal(qoc_http_resp_body(&f->resp, 99, NULL, "", 0), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_body(&f->resp, 600, NULL, "", 0), QOC_EINVAL);
	char big[2048];
	memset(big, 'x', sizeof(big));
	assert_int_equal(qoc_http_resp_body(&f->resp, 200, NULL, big, sizeof(big)), QOC_ELIMIT);
	assert_int_equal(qoc_http_resp_body(&f->resp, 200, "text/plain\r\nX: y", "", 0),
	                 QOC_EINVAL);
}

static void json_steals_the_reference(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_http_resp_json(&f->resp, 201, json_pack("{s:s}", "a", "b")), QOC_OK);
	assert_int_equal(f->resp.status, 201);
	assert_string_equal(f->resp.content_type, "application/json");
	assert_string_equal(f->resp.body.data, "{\"a\":\"b\"}");
	assert_int_equal(qoc_http_resp_json(&f->resp, 200, NULL), QOC_ENOMEM);
	json_t *big = json_object();
	char key[16];
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(big, key, json_string("0123456789"));
	}
	assert_int_equal(qoc_http_resp_json(&f->resp, 200, big), QOC_ELIMIT); /* decref'd */
	assert_int_equal(f->resp.body.len, 0);
}

/* RFC 9457 §3. */
static void problem_details(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_http_resp_problem(&f->resp, 404, NULL, "no such application"), QOC_OK);
	assert_string_equal(f->resp.content_type, "application/problem+json");
	json_t *j = body_json(f);
	const char *s;
	long long n;
	assert_int_equal(qoc_json_get_string(j, "type", &s), QOC_OK);
	assert_string_equal(s, "about:blank");
	assert_int_equal(qoc_json_get_string(j, "title", &s), QOC_OK);
	assert_string_equal(s, "Not Found");
	assert_int_equal(qoc_json_get_int(j, "status", &n), QOC_OK);
	assert_int_equal(n, 404);
	assert_int_equal(qoc_json_get_string(j, "detail", &s), QOC_OK);
	assert_string_equal(s, "no such application");
	json_decref(j);
	/* No detail; invalid UTF-8 is replaced rather than failing the response. */
	assert_int_equal(qoc_http_resp_problem(&f->resp, 400, "Bad \xff input", NULL), QOC_OK);
	j = body_json(f);
	assert_int_equal(qoc_json_get_string(j, "title", &s), QOC_OK);
	assert_string_equal(s, "Bad ? input");
	assert_int_equal(qoc_json_get_string(j, "detail", &s), QOC_ENOTFOUND);
	json_decref(j);
	assert_int_equal(qoc_http_resp_problem(&f->resp, 400, NULL, "caf\xc3\xa9 \xe2\x82 x"),
	                 QOC_OK);
	j = body_json(f);
	assert_int_equal(qoc_json_get_string(j, "detail", &s), QOC_OK);
	assert_string_equal(s, "caf\xc3\xa9 ?? x");
	json_decref(j);
}

/* SECURITY.md "Browser and console": page headers. */
static void html_carries_security_headers(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_http_resp_html(&f->resp, 200, "<p>hi</p>"), QOC_OK);
	assert_string_equal(f->resp.content_type, "text/html; charset=utf-8");
	const char *csp = qoc_http_resp_get_header(&f->resp, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_string_equal(qoc_http_resp_get_header(&f->resp, "X-Frame-Options"), "DENY");
	assert_string_equal(qoc_http_resp_get_header(&f->resp, "Referrer-Policy"), "no-referrer");
	assert_string_equal(qoc_http_resp_get_header(&f->resp, "X-Content-Type-Options"),
	                    "nosniff");
}

/* SECURITY.md: redirects after a credential POST use 303, never 307/308. */
static void redirects(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
	    qoc_http_resp_redirect(&f->resp, 303, "https://app.example/cb?code=x&state=y"), QOC_OK);
	assert_int_equal(f->resp.status, 303);
	assert_string_equal(qoc_http_resp_get_header(&f->resp, "Location"),
	                    "https://app.example/cb?code=x&state=y");
	assert_int_equal(f->resp.body.len, 0);
	assert_int_equal(qoc_http_resp_redirect(&f->resp, 307, "/x"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_redirect(&f->resp, 308, "/x"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_redirect(&f->resp, 302, "/x\r\nSet-Cookie: a=b"),
	                 QOC_EINVAL);
	assert_int_equal(qoc_http_resp_redirect(&f->resp, 302, "/a b"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_redirect(&f->resp, 302, "/caf\xc3\xa9"), QOC_EINVAL);
	assert_int_equal(qoc_http_resp_redirect(&f->resp, 302, ""), QOC_EINVAL);
}

static void set_cookie_header(void **state)
{
	struct fixture *f = *state;
	struct qoc_cookie_opts o = QOC_COOKIE_OPTS_DEFAULT;
	o.secure = true;
	assert_int_equal(qoc_http_resp_set_cookie(&f->resp, "sid", "abc", &o), QOC_OK);
	assert_int_equal(qoc_http_resp_set_cookie(&f->resp, "csrf", "def", &o), QOC_OK);
	assert_string_equal(f->resp.headers->value,
	                    "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax");
	assert_string_equal(f->resp.last->value,
	                    "csrf=def; Path=/; Secure; HttpOnly; SameSite=Lax");
	assert_int_equal(qoc_http_resp_set_cookie(&f->resp, "sid", "a;b", &o), QOC_EINVAL);
}

static void arena_exhaustion_is_enomem(void **state)
{
	(void)state;
	struct qoc_arena tiny;
	struct qoc_http_resp resp;
	qoc_arena_init(&tiny, 32);
	qoc_http_resp_init(&resp, &tiny, 1024);
	assert_int_equal(qoc_http_resp_header(&resp, "X-A", "b"), QOC_ENOMEM);
	assert_int_equal(qoc_http_resp_body(&resp, 200, "text/plain", "x", 1), QOC_ENOMEM);
	qoc_http_resp_release(&resp);
	qoc_arena_release(&tiny);
}

/* RFC 9110 §5.6.2 tchar, checked against the grammar's own list for every byte. */
static void token_chars(void **state)
{
	(void)state;
	const char *punct = "!#$%&'*+-.^_`|~";
	for (int c = 0; c < 256; c++) {
		bool want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || (c && strchr(punct, c));
		assert_int_equal(qoc_http_tchar((unsigned char)c), want);
	}
	assert_true(qoc_http_token("X-Request-Id", 12));
	assert_false(qoc_http_token("", 0));
	assert_false(qoc_http_token("a b", 3));
}

static void reasons(void **state)
{
	(void)state;
	assert_string_equal(qoc_http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(qoc_http_reason(599), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(methods_parse_exactly),
	    cmocka_unit_test_setup_teardown(headers_are_case_insensitive, setup, teardown),
	    cmocka_unit_test_setup_teardown(params_and_cookies, setup, teardown),
	    cmocka_unit_test_setup_teardown(forms_from_body_and_query, setup, teardown),
	    cmocka_unit_test_setup_teardown(offload_records_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(body_and_headers, setup, teardown),
	    cmocka_unit_test_setup_teardown(json_steals_the_reference, setup, teardown),
	    cmocka_unit_test_setup_teardown(problem_details, setup, teardown),
	    cmocka_unit_test_setup_teardown(html_carries_security_headers, setup, teardown),
	    cmocka_unit_test_setup_teardown(redirects, setup, teardown),
	    cmocka_unit_test_setup_teardown(set_cookie_header, setup, teardown),
	    cmocka_unit_test(arena_exhaustion_is_enomem),
	    cmocka_unit_test(token_chars),
	    cmocka_unit_test(reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
