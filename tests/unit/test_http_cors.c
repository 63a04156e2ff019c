/* Unit tests for src/http/cors.c (Fetch standard §3.2 "CORS protocol"; SECURITY.md CORS). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "http/cors.h"

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
	qoc_http_resp_init(&f.resp, &f.a, 4096);
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

static const char *hdr(struct fixture *f, const char *name)
{
	return qoc_http_resp_get_header(&f->resp, name);
}

static const char *const origins[] = {"https://app.example.com", "http://localhost:3000"};

static const struct qoc_cors_policy exact = {
    .origins = origins,
    .origin_count = 2,
    .allow_methods = "GET, POST",
    .allow_headers = "Authorization, Content-Type",
    .expose_headers = "WWW-Authenticate",
    .max_age = 600,
};

static void allowed_origin_is_echoed_with_vary(void **state)
{
	struct fixture *f = *state;
	enum qoc_cors_outcome o;
	f->req.method = QOC_HTTP_POST;
	add(f, "Origin", "https://app.example.com");
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_ALLOWED);
	assert_string_equal(hdr(f, "Access-Control-Allow-Origin"), "https://app.example.com");
	assert_string_equal(hdr(f, "Vary"), "Origin");
	assert_string_equal(hdr(f, "Access-Control-Expose-Headers"), "WWW-Authenticate");
	assert_null(hdr(f, "Access-Control-Allow-Credentials"));
	assert_int_equal(f->resp.status, 0); /* the handler answers */
}

static void exact_match_only(void **state)
{
	struct fixture *f = *state;
	const char *near[] = {"https://app.example.com/",
	                      "https://APP.example.com",
	                      "https://app.example.com:443",
	                      "http://app.example.com",
	                      "https://app.example.com.evil",
	                      "https://evil.app.example.com",
	                      "null",
	                      ""};
	for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++)
		assert_false(qoc_cors_origin_allowed(&exact, near[i]));
	enum qoc_cors_outcome o;
	add(f, "Origin", "https://evil.example");
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_DENIED);
	assert_null(hdr(f, "Access-Control-Allow-Origin"));
	assert_string_equal(hdr(f, "Vary"), "Origin");
}

static void repeated_origin_is_denied(void **state)
{
	struct fixture *f = *state;
	enum qoc_cors_outcome o;
	add(f, "Origin", "https://app.example.com");
	add(f, "origin", "https://evil.example");
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_DENIED);
	assert_null(hdr(f, "Access-Control-Allow-Origin"));
}

static void no_origin_is_not_cors(void **state)
{
	struct fixture *f = *state;
	enum qoc_cors_outcome o;
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_NONE);
	assert_null(hdr(f, "Access-Control-Allow-Origin"));
	assert_string_equal(hdr(f, "Vary"), "Origin");
}

static void preflight_allowed(void **state)
{
	struct fixture *f = *state;
	enum qoc_cors_outcome o;
	f->req.method = QOC_HTTP_OPTIONS;
	add(f, "Origin", "http://localhost:3000");
	add(f, "Access-Control-Request-Method", "POST");
	add(f, "Access-Control-Request-Headers", "content-type");
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_PREFLIGHT);
	assert_int_equal(f->resp.status, 204);
	assert_int_equal(f->resp.body.len, 0);
	assert_string_equal(hdr(f, "Access-Control-Allow-Origin"), "http://localhost:3000");
	assert_string_equal(hdr(f, "Access-Control-Allow-Methods"), "GET, POST");
	assert_string_equal(hdr(f, "Access-Control-Allow-Headers"), "Authorization, Content-Type");
	assert_string_equal(hdr(f, "Access-Control-Max-Age"), "600");
	assert_string_equal(hdr(f, "Vary"), "Origin");
}

static void preflight_denied_origin_or_method(void **state)
{
	struct fixture *f = *state;
	enum qoc_cors_outcome o;
	f->req.method = QOC_HTTP_OPTIONS;
	add(f, "Origin", "https://app.example.com");
	add(f, "Access-Control-Request-Method", "DELETE");
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_PREFLIGHT);
	assert_int_equal(f->resp.status, 403);
	assert_null(hdr(f, "Access-Control-Allow-Origin"));
	/* "POS" is not "POST": tokens match exactly. */
	f->headers[1].value = "POS";
	qoc_http_resp_release(&f->resp);
	qoc_http_resp_init(&f->resp, &f->a, 4096);
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(f->resp.status, 403);
	f->headers[0].value = "https://evil.example";
	f->headers[1].value = "GET";
	qoc_http_resp_release(&f->resp);
	qoc_http_resp_init(&f->resp, &f->a, 4096);
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(f->resp.status, 403);
	assert_null(hdr(f, "Access-Control-Allow-Origin"));
}

static void options_without_request_method_is_not_preflight(void **state)
{
	struct fixture *f = *state;
	enum qoc_cors_outcome o;
	f->req.method = QOC_HTTP_OPTIONS;
	add(f, "Origin", "https://app.example.com");
	assert_int_equal(qoc_cors_apply(&exact, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_ALLOWED);
	assert_int_equal(f->resp.status, 0);
}

static bool from_store(void *ctx, const char *origin)
{
	return strcmp(origin, (const char *)ctx) == 0;
}

static void callback_decides_when_list_does_not(void **state)
{
	struct fixture *f = *state;
	struct qoc_cors_policy p = exact;
	p.origin_allowed = from_store;
	p.origin_ctx = "https://registered.example";
	assert_true(qoc_cors_origin_allowed(&p, "https://registered.example"));
	assert_true(qoc_cors_origin_allowed(&p, "https://app.example.com"));
	assert_false(qoc_cors_origin_allowed(&p, "https://other.example"));
	p.origin_ctx = "null"; /* even a callback cannot allow "null" */
	assert_false(qoc_cors_origin_allowed(&p, "null"));
	(void)f;
}

static void public_mode_uses_star_without_vary(void **state)
{
	struct fixture *f = *state;
	struct qoc_cors_policy pub = {.any_origin = true, .allow_methods = "GET", .max_age = 86400};
	enum qoc_cors_outcome o;
	add(f, "Origin", "https://anyone.example");
	assert_int_equal(qoc_cors_apply(&pub, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_ALLOWED);
	assert_string_equal(hdr(f, "Access-Control-Allow-Origin"), "*");
	assert_null(hdr(f, "Vary"));
	f->req.method = QOC_HTTP_OPTIONS;
	add(f, "Access-Control-Request-Method", "GET");
	qoc_http_resp_release(&f->resp);
	qoc_http_resp_init(&f->resp, &f->a, 4096);
	assert_int_equal(qoc_cors_apply(&pub, &f->req, &f->resp, &o), QOC_OK);
	assert_int_equal(o, QOC_CORS_PREFLIGHT);
	assert_int_equal(f->resp.status, 204);
	assert_string_equal(hdr(f, "Access-Control-Allow-Origin"), "*");
	assert_string_equal(hdr(f, "Access-Control-Max-Age"), "86400");
	assert_null(hdr(f, "Access-Control-Allow-Headers"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(allowed_origin_is_echoed_with_vary, setup, teardown),
	    cmocka_unit_test_setup_teardown(exact_match_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(repeated_origin_is_denied, setup, teardown),
	    cmocka_unit_test_setup_teardown(no_origin_is_not_cors, setup, teardown),
	    cmocka_unit_test_setup_teardown(preflight_allowed, setup, teardown),
	    cmocka_unit_test_setup_teardown(preflight_denied_origin_or_method, setup, teardown),
	    cmocka_unit_test_setup_teardown(options_without_request_method_is_not_preflight, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(callback_decides_when_list_does_not, setup, teardown),
	    cmocka_unit_test_setup_teardown(public_mode_uses_star_without_vary, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
