/* Unit tests for src/http/router.c: patterns, precedence, 404/405 (RFC 9110 §15.5.6). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "http/router.h"

static enum qoc_err h_a(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)resp, (void)ctx;
	return QOC_OK;
}

static enum qoc_err h_b(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)resp, (void)ctx;
	return QOC_OK;
}

struct fixture {
	struct qoc_router *r;
	struct qoc_arena a;
};

static int setup(void **state)
{
	static struct fixture f;
	f.r = qoc_router_new();
	qoc_arena_init(&f.a, 0);
	*state = &f;
	return f.r ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	qoc_router_free(f->r);
	qoc_arena_release(&f->a);
	return 0;
}

static struct qoc_route_match dispatch(struct fixture *f, enum qoc_http_method m, const char *path)
{
	struct qoc_route_match out;
	assert_int_equal(qoc_router_dispatch(f->r, m, path, &f->a, &out), QOC_OK);
	return out;
}

static const char *param(const struct qoc_route_match *m, const char *name)
{
	for (size_t i = 0; i < m->param_count; i++)
		if (strcmp(m->params[i].name, name) == 0)
			return m->params[i].value;
	return NULL;
}

static void matches_literals_and_params(void **state)
{
	struct fixture *f = *state;
	int ctx = 7;
	assert_int_equal(
	    qoc_router_add(f->r, "GET", "/api/v1/applications/{client_id}/icon", h_a, &ctx),
	    QOC_OK);
	struct qoc_route_match m =
	    dispatch(f, QOC_HTTP_GET, "/api/v1/applications/qoc_client_abc/icon");
	assert_int_equal(m.status, QOC_ROUTE_FOUND);
	assert_ptr_equal(m.handler, h_a);
	assert_ptr_equal(m.ctx, &ctx);
	assert_string_equal(m.pattern, "/api/v1/applications/{client_id}/icon");
	assert_int_equal(m.param_count, 1);
	assert_string_equal(param(&m, "client_id"), "qoc_client_abc");
	/* One segment only, never empty, no trailing slash, literals are exact. */
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/api/v1/applications/a/b/icon").status,
	                 QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/api/v1/applications//icon").status,
	                 QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/api/v1/applications/x/icon/").status,
	                 QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/API/v1/applications/x/icon").status,
	                 QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/api/v1/applications/x").status,
	                 QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "api/v1/applications/x/icon").status,
	                 QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "*").status, QOC_ROUTE_NOT_FOUND);
}

static void params_are_percent_decoded_safely(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_router_add(f->r, "GET", "/u/{a}/{b}", h_a, NULL), QOC_OK);
	struct qoc_route_match m = dispatch(f, QOC_HTTP_GET, "/u/caf%C3%A9/a+b");
	assert_int_equal(m.status, QOC_ROUTE_FOUND);
	assert_string_equal(param(&m, "a"), "caf\xc3\xa9");
	assert_string_equal(param(&m, "b"), "a+b"); /* '+' is literal in a path */
	/* Bad escape, NUL, encoded '/', invalid UTF-8: no match. */
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/u/%zz/x").status, QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/u/a%00b/x").status, QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/u/..%2Fetc/x").status, QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/u/%FF/x").status, QOC_ROUTE_NOT_FOUND);
}

static void literal_beats_param_beats_catch_all(void **state)
{
	struct fixture *f = *state;
	/* Registered least specific first on purpose. */
	assert_int_equal(qoc_router_add(f->r, "GET", "/*", h_b, "spa"), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "GET", "/apps/{id}", h_b, "param"), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "GET", "/apps/new", h_a, "literal"), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "GET", "/static/*", h_a, "static"), QOC_OK);
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/apps/new").ctx, "literal");
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/apps/123").ctx, "param");
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/apps/1/2").ctx, "spa");
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/").ctx, "spa");
	struct qoc_route_match m = dispatch(f, QOC_HTTP_GET, "/static/js/app.js");
	assert_string_equal(m.ctx, "static");
	assert_string_equal(param(&m, "*"), "js/app.js");
	m = dispatch(f, QOC_HTTP_GET, "/static/");
	assert_string_equal(m.ctx, "static");
	assert_string_equal(param(&m, "*"), "");
	/* The catch-all is raw, not decoded: the static handler validates it. */
	m = dispatch(f, QOC_HTTP_GET, "/static/a%2F..%2Fb");
	assert_string_equal(param(&m, "*"), "a%2F..%2Fb");
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/static").ctx, "spa");
}

static void root_and_trailing_slash_are_distinct(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_router_add(f->r, "GET", "/", h_a, "root"), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "GET", "/a", h_a, "a"), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "GET", "/a/", h_a, "a/"), QOC_OK);
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/").ctx, "root");
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/a").ctx, "a");
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/a/").ctx, "a/");
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "//").status, QOC_ROUTE_NOT_FOUND);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "").status, QOC_ROUTE_NOT_FOUND);
}

/* RFC 9110 §15.5.6: 405 carries Allow; §9.3.2: HEAD is GET without a body. */
static void method_not_allowed_lists_allow(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_router_add(f->r, "GET", "/token", h_a, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "POST", "/token", h_b, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "DELETE", "/t/{id}", h_b, NULL), QOC_OK);
	struct qoc_route_match m = dispatch(f, QOC_HTTP_PUT, "/token");
	assert_int_equal(m.status, QOC_ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "GET, HEAD, POST");
	/* OPTIONS is the route's business: without a handler it is 405 too. */
	m = dispatch(f, QOC_HTTP_OPTIONS, "/token");
	assert_int_equal(m.status, QOC_ROUTE_METHOD_NOT_ALLOWED);
	assert_int_equal(dispatch(f, QOC_HTTP_OTHER, "/token").status,
	                 QOC_ROUTE_METHOD_NOT_ALLOWED);
	m = dispatch(f, QOC_HTTP_HEAD, "/token");
	assert_int_equal(m.status, QOC_ROUTE_FOUND);
	assert_ptr_equal(m.handler, h_a);
	m = dispatch(f, QOC_HTTP_GET, "/t/1");
	assert_string_equal(m.allow, "DELETE");
	assert_string_equal(dispatch(f, QOC_HTTP_GET, "/nothing").allow, "");
}

static void less_specific_route_serves_other_methods(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_router_add(f->r, "GET", "/apps/new", h_a, "new"), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "DELETE", "/apps/{id}", h_b, "del"), QOC_OK);
	struct qoc_route_match m = dispatch(f, QOC_HTTP_DELETE, "/apps/new");
	assert_int_equal(m.status, QOC_ROUTE_FOUND);
	assert_string_equal(m.ctx, "del");
	assert_string_equal(param(&m, "id"), "new");
	m = dispatch(f, QOC_HTTP_POST, "/apps/new");
	assert_string_equal(m.allow, "GET, HEAD, DELETE");
}

/* Flags belong to one method of one route; HEAD served by GET carries GET's. */
static void flags_follow_the_method(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_router_add(f->r, "GET", "/a/{id}", h_a, NULL), QOC_OK);
	assert_int_equal(qoc_router_add_flags(f->r, "POST", "/a/{id}", h_b, NULL, QOC_ROUTE_WAITS),
	                 QOC_OK);
	assert_int_equal(qoc_router_add_flags(f->r, "GET", "/w/*", h_a, NULL, QOC_ROUTE_WAITS),
	                 QOC_OK);
	assert_int_equal(dispatch(f, QOC_HTTP_GET, "/a/1").flags, 0);
	assert_int_equal(dispatch(f, QOC_HTTP_POST, "/a/1").flags, QOC_ROUTE_WAITS);
	assert_int_equal(dispatch(f, QOC_HTTP_HEAD, "/w/x/y").flags, QOC_ROUTE_WAITS);
}

static void explicit_head_and_options_handlers(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_router_add(f->r, "GET", "/x", h_a, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "HEAD", "/x", h_b, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "OPTIONS", "/x", h_b, "pre"), QOC_OK);
	assert_ptr_equal(dispatch(f, QOC_HTTP_HEAD, "/x").handler, h_b);
	assert_string_equal(dispatch(f, QOC_HTTP_OPTIONS, "/x").ctx, "pre");
	assert_string_equal(dispatch(f, QOC_HTTP_PATCH, "/x").allow, "GET, HEAD, OPTIONS");
}

static void rejects_bad_patterns_and_conflicts(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"",          "x",          "/a/*/b", "/a/{}",   "/a/{1x}",
	                     "/a/{x}{y}", "/a/{x}/{x}", "/a b",   "/a?b",    "/a#",
	                     "/a*",       "/{a",        "/a}",    "/a/{x-y}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(qoc_router_add(f->r, "GET", bad[i], h_a, NULL), QOC_EINVAL);
	assert_int_equal(qoc_router_add(f->r, "get", "/ok", h_a, NULL), QOC_EINVAL);
	assert_int_equal(qoc_router_add(f->r, "TRACE", "/ok", h_a, NULL), QOC_EINVAL);
	assert_int_equal(qoc_router_add(f->r, "GET", "/ok", NULL, NULL), QOC_EINVAL);
	assert_int_equal(
	    qoc_router_add(f->r, "GET", "/p/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", h_a, NULL), QOC_OK);
	assert_int_equal(
	    qoc_router_add(f->r, "GET", "/q/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h_a, NULL),
	    QOC_EINVAL);
	assert_int_equal(qoc_router_add(f->r, "GET", "/ok/{id}", h_a, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(f->r, "GET", "/ok/{id}", h_b, NULL), QOC_ECONFLICT);
	assert_int_equal(qoc_router_add(f->r, "POST", "/ok/{other}", h_b, NULL), QOC_ECONFLICT);
	assert_int_equal(qoc_router_add(f->r, "POST", "/ok/{id}", h_b, NULL), QOC_OK);
	struct qoc_route_match m = dispatch(f, QOC_HTTP_GET, "/p/1/2/3/4/5/6/7/8");
	assert_int_equal(m.param_count, 8);
	assert_string_equal(param(&m, "h"), "8");
}

static void many_routes(void **state)
{
	struct fixture *f = *state;
	char pat[64];
	for (int i = 0; i < 100; i++) {
		snprintf(pat, sizeof(pat), "/r%d/{id}", i);
		assert_int_equal(qoc_router_add(f->r, "GET", pat, h_a, NULL), QOC_OK);
	}
	struct qoc_route_match m = dispatch(f, QOC_HTTP_GET, "/r57/x");
	assert_string_equal(m.pattern, "/r57/{id}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(matches_literals_and_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(flags_follow_the_method, setup, teardown),
	    cmocka_unit_test_setup_teardown(params_are_percent_decoded_safely, setup, teardown),
	    cmocka_unit_test_setup_teardown(literal_beats_param_beats_catch_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(root_and_trailing_slash_are_distinct, setup, teardown),
	    cmocka_unit_test_setup_teardown(method_not_allowed_lists_allow, setup, teardown),
	    cmocka_unit_test_setup_teardown(less_specific_route_serves_other_methods, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(explicit_head_and_options_handlers, setup, teardown),
	    cmocka_unit_test_setup_teardown(rejects_bad_patterns_and_conflicts, setup, teardown),
	    cmocka_unit_test_setup_teardown(many_routes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
