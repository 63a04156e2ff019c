/* Unit tests for src/api/console_web.c: the embedded console web app's handler (headers,
 * client-side route fallback, gzip negotiation) against the table the build embedded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/console_web.h"
#include "core/arena.h"

struct fixture {
	struct qoc_arena a;
	struct qoc_http_req req;
	struct qoc_http_resp resp;
	struct qoc_http_header_field headers[4];
	struct qoc_http_param param;
};

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	qoc_arena_init(&f.a, 0);
	qoc_http_req_init(&f.req, &f.a);
	qoc_http_resp_init(&f.resp, &f.a, 16u << 20);
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

static void get(struct fixture *f, const char *rel, const char *accept_encoding)
{
	f->param = (struct qoc_http_param){"*", rel};
	f->req.params = &f->param;
	f->req.param_count = 1;
	f->req.header_count = 0;
	if (accept_encoding)
		f->headers[f->req.header_count++] =
		    (struct qoc_http_header_field){"Accept-Encoding", accept_encoding};
	assert_int_equal(qoc_api_console_web(&f->req, &f->resp, NULL), QOC_OK);
}

static const char *hdr(struct fixture *f, const char *name)
{
	return qoc_http_resp_get_header(&f->resp, name);
}

static const struct qoc_console_asset *asset_ending(const char *suffix)
{
	for (const struct qoc_console_asset *a = qoc_console_assets; a->path; a++) {
		size_t n = strlen(a->path), m = strlen(suffix);
		if (n >= m && strcmp(a->path + n - m, suffix) == 0)
			return a;
	}
	return NULL;
}

static void assert_page_headers(struct fixture *f)
{
	assert_string_equal(hdr(f, "Content-Security-Policy"), QOC_CONSOLE_CSP);
	assert_string_equal(hdr(f, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(hdr(f, "Referrer-Policy"), "no-referrer");
	assert_string_equal(hdr(f, "X-Frame-Options"), "DENY");
}

/* The build embedded index.html (first) and one JS and one CSS file under assets/. */
static void test_table(void **state)
{
	(void)state;
	assert_non_null(qoc_console_assets[0].path);
	assert_string_equal(qoc_console_assets[0].path, "index.html");
	const struct qoc_console_asset *js = asset_ending(".js"), *css = asset_ending(".css");
	assert_non_null(js);
	assert_non_null(css);
	assert_memory_equal(js->path, "assets/", 7);
	assert_non_null(js->gz);
	assert_true(js->gz_len < js->len);
}

/* The CSP forbids inline script and style; index.html loads the bundle as a module. */
static void test_index(void **state)
{
	struct fixture *f = *state;
	get(f, "", NULL);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(f->resp.content_type, "text/html; charset=utf-8");
	assert_page_headers(f);
	assert_string_equal(hdr(f, "Cache-Control"), "no-cache");
	assert_null(hdr(f, "Content-Encoding"));
	assert_non_null(strstr(QOC_CONSOLE_CSP, "script-src 'self';"));
	assert_null(strstr(QOC_CONSOLE_CSP, "unsafe-inline"));
	assert_null(strstr(QOC_CONSOLE_CSP, "unsafe-eval"));
	assert_non_null(strstr(QOC_CONSOLE_CSP, "frame-ancestors 'none'"));
	const char *body = (const char *)f->resp.body.data;
	size_t len = f->resp.body.len;
	assert_true(len == qoc_console_assets[0].len);
	assert_memory_equal(body, qoc_console_assets[0].data, len);
}

/* Client-side routes get index.html; a missing asset is 404, not HTML under a .js name. */
static void test_routes(void **state)
{
	struct fixture *f = *state;
	get(f, "applications/qoc_client_x/credentials", NULL);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(f->resp.content_type, "text/html; charset=utf-8");
	assert_string_equal(hdr(f, "Cache-Control"), "no-cache");
	qoc_http_resp_release(&f->resp);
	qoc_http_resp_init(&f->resp, &f->a, 16u << 20);
	get(f, "assets/app-NOPE.js", NULL);
	assert_int_equal(f->resp.status, 404);
	qoc_http_resp_release(&f->resp);
	qoc_http_resp_init(&f->resp, &f->a, 16u << 20);
	get(f, "assets/../index.html", NULL);
	assert_int_equal(f->resp.status, 404);
}

/* Assets: immutable, typed, gzip when accepted (RFC 9110 §12.5.3), Vary either way. */
static void test_asset_gzip(void **state)
{
	struct fixture *f = *state;
	const struct qoc_console_asset *js = asset_ending(".js");
	get(f, js->path, "br, gzip;q=0.8");
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(f->resp.content_type, "text/javascript; charset=utf-8");
	assert_string_equal(hdr(f, "Cache-Control"), "public, max-age=31536000, immutable");
	assert_string_equal(hdr(f, "Content-Encoding"), "gzip");
	assert_string_equal(hdr(f, "Vary"), "Accept-Encoding");
	assert_page_headers(f);
	assert_int_equal(f->resp.body.len, js->gz_len);
	assert_memory_equal(f->resp.body.data, js->gz, js->gz_len);
	qoc_http_resp_release(&f->resp);
	qoc_http_resp_init(&f->resp, &f->a, 16u << 20);
	get(f, js->path, "gzip;q=0");
	assert_null(hdr(f, "Content-Encoding"));
	assert_int_equal(f->resp.body.len, js->len);
	assert_string_equal(hdr(f, "Vary"), "Accept-Encoding");
}

static void test_accepts_gzip(void **state)
{
	(void)state;
	assert_true(qoc_console_accepts_gzip("gzip"));
	assert_true(qoc_console_accepts_gzip("gzip, deflate, br"));
	assert_true(qoc_console_accepts_gzip("deflate ,  GZIP;q=0.5"));
	assert_true(qoc_console_accepts_gzip("x-gzip"));
	assert_true(qoc_console_accepts_gzip("*"));
	assert_true(qoc_console_accepts_gzip("br;q=1.0, *;q=0.1"));
	assert_false(qoc_console_accepts_gzip(NULL));
	assert_false(qoc_console_accepts_gzip(""));
	assert_false(qoc_console_accepts_gzip("identity"));
	assert_false(qoc_console_accepts_gzip("br, deflate"));
	assert_false(qoc_console_accepts_gzip("gzip;q=0"));
	assert_false(qoc_console_accepts_gzip("gzip; q=0.000"));
	assert_false(qoc_console_accepts_gzip("gzip;q=0, *"));
	assert_false(qoc_console_accepts_gzip("*;q=0"));
	assert_false(qoc_console_accepts_gzip("gzipx"));
	assert_true(qoc_console_accepts_gzip("gzip;q=0.001"));
}

static void test_root_redirect(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_api_console_web_root(&f->req, &f->resp, NULL), QOC_OK);
	assert_int_equal(f->resp.status, 301);
	assert_string_equal(hdr(f, "Location"), "/console/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test_setup_teardown(test_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_asset_gzip, setup, teardown),
	    cmocka_unit_test(test_accepts_gzip),
	    cmocka_unit_test_setup_teardown(test_root_redirect, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
