/* Tests for src/http/server.c against the real server on 127.0.0.1, with a raw socket
 * client (tests/unit/support/http_client.c): routing, request view, limits (414/431/413),
 * keep-alive, HEAD, port in use, access log. SECURITY.md "Robustness": over a limit is a
 * 4xx. Offload and graceful stop are in test_http_offload.c. */
#define _GNU_SOURCE /* strchrnul */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/http_fixture.h"

/* ---- tests ---- */

static void get_registered_route(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	char id1[64], id2[64], v[128];
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "hello");
	assert_non_null(test_header(&r, "X-Request-Id", id1, sizeof(id1)));
	assert_true(test_is_request_id(id1));
	assert_string_equal(test_header(&r, "Content-Type", v, sizeof(v)), "text/plain");
	test_resp_free(&r);
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_non_null(test_header(&r, "X-Request-Id", id2, sizeof(id2)));
	assert_string_not_equal(id1, id2);
	test_resp_free(&r);
}

static void raw_path_query_and_params(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	assert_true(test_request(f->port,
	                         "GET /items/a%20b%2B?x=%41&y=1+2 HTTP/1.1\r\nHost: t\r\n"
	                         "X-Test: seen\r\n\r\n",
	                         &r, false));
	assert_int_equal(r.status, 200);
	json_error_t e;
	json_t *j = json_loads(r.body, 0, &e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/items/a%20b%2B");
	assert_string_equal(json_string_value(json_object_get(j, "query")), "x=%41&y=1+2");
	assert_string_equal(json_string_value(json_object_get(j, "id")), "a b+");
	assert_string_equal(json_string_value(json_object_get(j, "route")), "/items/{id}");
	assert_string_equal(json_string_value(json_object_get(j, "x_test")), "seen");
	assert_string_equal(json_string_value(json_object_get(j, "remote")), "127.0.0.1");
	json_decref(j);
	test_resp_free(&r);
}

static void not_found_and_method_not_allowed(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	char v[128];
	assert_true(test_request(f->port, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 404);
	assert_string_equal(test_header(&r, "Content-Type", v, sizeof(v)),
	                    "application/problem+json");
	assert_non_null(strstr(r.body, "\"status\":404"));
	assert_non_null(test_header(&r, "X-Request-Id", v, sizeof(v)));
	test_resp_free(&r);
	assert_true(test_request(f->port, "DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 405);
	assert_string_equal(test_header(&r, "Allow", v, sizeof(v)), "GET, HEAD");
	test_resp_free(&r);
	assert_true(test_request(f->port, "OPTIONS /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 405);
	test_resp_free(&r);
}

static void handler_errors_become_problems(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	char v[32];
	assert_true(test_request(f->port, "GET /fail HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.body, "Internal Server Error"));
	test_resp_free(&r);
	assert_true(test_request(f->port, "GET /oom HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 503);
	assert_string_equal(test_header(&r, "Retry-After", v, sizeof(v)), "1");
	assert_null(strstr(r.body, "half-built"));
	test_resp_free(&r);
	assert_true(test_request(f->port, "GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 500);
	test_resp_free(&r);
	assert_true(test_request(f->port, "GET /pending HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 500);
	test_resp_free(&r);
}

/* RFC 9110 §9.3.2: HEAD is GET without content; checked on a keep-alive connection so a
 * stray body would corrupt the next response. */
static void head_and_keep_alive(void **state)
{
	struct test_fixture *f = *state;
	struct test_conn c;
	struct test_resp r;
	char v[32];
	assert_true(test_connect(&c, f->port));
	assert_true(test_send_str(&c, "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
	assert_true(test_read(&c, &r, true));
	assert_int_equal(r.status, 200);
	assert_string_equal(test_header(&r, "Content-Length", v, sizeof(v)), "5");
	test_resp_free(&r);
	assert_true(test_send_str(&c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
	assert_true(test_read(&c, &r, false));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "hello");
	test_resp_free(&r);
	/* Two pipelined requests, one write. */
	assert_true(test_send_str(&c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n"
	                              "abcGET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
	assert_true(test_read(&c, &r, false));
	assert_string_equal(r.body, "abc");
	test_resp_free(&r);
	assert_true(test_read(&c, &r, false));
	assert_string_equal(r.body, "hello");
	test_resp_free(&r);
	assert_false(test_peer_closed(&c, 50));
	test_close(&c);
}

static void chunked_body_within_limit(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	assert_true(
	    test_request(f->port,
	                 "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
	                 "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
	                 &r, false));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "abcdefg");
	test_resp_free(&r);
}

/* Our limit (16 KiB by default) answers with our problem and X-Request-Id. */
static void header_too_large_is_431(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	char v[64];
	char *big = test_repeat('a', 20 * 1024);
	char *req = test_format("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n", big);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 431);
	assert_non_null(test_header(&r, "X-Request-Id", v, sizeof(v)));
	assert_string_equal(test_header(&r, "Content-Type", v, sizeof(v)),
	                    "application/problem+json");
	test_resp_free(&r);
	free(req);
	/* Many small headers count too. */
	struct test_conn c;
	assert_true(test_connect(&c, f->port));
	assert_true(test_send_str(&c, "GET /hello HTTP/1.1\r\nHost: t\r\n"));
	for (int i = 0; i < 200; i++) {
		char line[128];
		snprintf(line, sizeof(line), "X-H%d: %.90s\r\n", i, big);
		assert_true(test_send_str(&c, line));
	}
	assert_true(test_send_str(&c, "\r\n"));
	assert_true(test_read(&c, &r, false));
	assert_int_equal(r.status, 431);
	test_resp_free(&r);
	test_close(&c);
	free(big);
}

/* What libmicrohttpd answers itself once a request passes its per-connection memory
 * (40 KiB with the default limits): still 431 / 414, but its own HTML and no request id. */
static void beyond_libmicrohttpd_memory(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	char v[64];
	char *big = test_repeat('a', 100 * 1024);
	char *req = test_format("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n", big);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 431);
	assert_null(test_header(&r, "X-Request-Id", v, sizeof(v)));
	test_resp_free(&r);
	free(req);
	req = test_format("GET /%s HTTP/1.1\r\nHost: t\r\n\r\n", big);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 414);
	test_resp_free(&r);
	free(req);
	free(big);
}

static void uri_too_long_is_414(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	char v[64];
	char *big = test_repeat('q', 9 * 1024);
	char *req = test_format("GET /hello?%s HTTP/1.1\r\nHost: t\r\n\r\n", big);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 414);
	assert_non_null(test_header(&r, "X-Request-Id", v, sizeof(v)));
	test_resp_free(&r);
	free(req);
	free(big);
}

static void body_too_large_by_content_length(void **state)
{
	struct test_fixture *f = *state;
	struct test_conn c;
	struct test_resp r;
	assert_true(test_connect(&c, f->port));
	/* Refused before the body is read: nothing of it is sent here. */
	assert_true(
	    test_send_str(&c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n"));
	assert_true(test_read(&c, &r, false));
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(r.body, "too large"));
	test_resp_free(&r);
	assert_true(test_peer_closed(&c, 2000)); /* the unread body cannot be reused */
	test_close(&c);
	/* Absurd lengths do not overflow. */
	assert_true(test_request(f->port,
	                         "POST /echo HTTP/1.1\r\nHost: t\r\n"
	                         "Content-Length: 99999999999999999999999\r\n\r\n",
	                         &r, false));
	assert_true(r.status == 413 || r.status == 400);
	test_resp_free(&r);
}

static void body_too_large_chunked(void **state)
{
	struct test_fixture *f = *state;
	struct test_conn c;
	struct test_resp r;
	char chunk[600];
	assert_true(test_connect(&c, f->port));
	assert_true(test_send_str(&c, "POST /echo HTTP/1.1\r\nHost: t\r\n"
	                              "Transfer-Encoding: chunked\r\n\r\n"));
	for (int i = 0; i < 6; i++) { /* 3000 bytes against a 1024-byte limit */
		int n = snprintf(chunk, sizeof(chunk), "1f4\r\n%0500d\r\n", 0);
		assert_true(test_send(&c, chunk, (size_t)n));
	}
	assert_true(test_send_str(&c, "0\r\n\r\n"));
	assert_true(test_read(&c, &r, false));
	assert_int_equal(r.status, 413);
	test_resp_free(&r);
	test_close(&c);
	/* A body just at the limit passes. */
	char *body = test_repeat('b', 1024);
	char *req =
	    test_format("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n%s", body);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 1024);
	test_resp_free(&r);
	free(req);
	free(body);
}

static void malformed_request_is_400(void **state)
{
	struct test_fixture *f = *state;
	struct test_resp r;
	/* HTTP/1.1 without Host (RFC 9112 §3.2). */
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\n\r\n", &r, false));
	assert_int_equal(r.status, 400);
	test_resp_free(&r);
	/* Whitespace between a field name and the colon (RFC 9112 §5.1). */
	assert_true(
	    test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\nX-A : 1\r\n\r\n", &r, false));
	assert_int_equal(r.status, 400);
	test_resp_free(&r);
}

/* SECURITY.md "Slow clients time out": a request that never completes its headers is
 * dropped after connection_timeout_s, and the server keeps serving others. */
static void slow_client_times_out(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	o.connection_timeout_s = 1;
	test_start(f, &o);
	struct test_conn c;
	struct test_resp r;
	assert_true(test_connect(&c, f->port));
	assert_true(test_send_str(&c, "GET /hello HTTP/1.1\r\nHost: t\r\n")); /* no blank line */
	double t0 = test_now_ms();
	assert_true(test_peer_closed(&c, 5000));
	double waited = test_now_ms() - t0;
	assert_true(waited >= 900 && waited < 4000);
	test_close(&c);
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 200);
	test_resp_free(&r);
}

static void port_in_use_is_reported(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	struct qoc_http_server *second = (struct qoc_http_server *)1;
	o.port = f->port;
	errno = 0;
	assert_int_equal(qoc_http_server_start(&o, f->router, &second), QOC_EIO);
	assert_int_equal(errno, EADDRINUSE);
	assert_null(second);
	o.port = 0;
	assert_int_equal(qoc_http_server_start(&o, f->router, &second), QOC_EINVAL);
	o.port = f->port;
	o.address = "not-an-address";
	assert_int_equal(qoc_http_server_start(&o, f->router, &second), QOC_EINVAL);
}

/* The access log: one line, path without the query, no header values. */
static void access_log_line(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	o.access_log = true;
	char path[] = "/tmp/qoc_access_logXXXXXX";
	int log_fd = mkstemp(path);
	assert_true(log_fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(log_fd, 2);
	test_start(f, &o);
	struct test_resp r;
	assert_true(test_request(f->port,
	                         "GET /items/x?access_token=SECRET HTTP/1.1\r\nHost: t\r\n"
	                         "Authorization: Bearer HEADERSECRET\r\n\r\n",
	                         &r, false));
	char id[32];
	assert_non_null(test_header(&r, "X-Request-Id", id, sizeof(id)));
	test_resp_free(&r);
	qoc_http_server_stop(f->srv, 1000);
	f->srv = NULL;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char buf[4096] = {0};
	ssize_t n = pread(log_fd, buf, sizeof(buf) - 1, 0);
	close(log_fd);
	unlink(path);
	assert_true(n > 0);
	char *line = strstr(buf, "msg=http ");
	assert_non_null(line);
	*strchrnul(line, '\n') = '\0';
	assert_non_null(strstr(line, "method=GET path=/items/x status=200 bytes="));
	assert_non_null(strstr(line, "dur_ms="));
	char want[64];
	snprintf(want, sizeof(want), "req=%s", id);
	assert_non_null(strstr(line, want));
	assert_null(strstr(buf, "SECRET"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(get_registered_route, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(raw_path_query_and_params, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(not_found_and_method_not_allowed, test_setup,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(handler_errors_become_problems, test_setup,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(head_and_keep_alive, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(chunked_body_within_limit, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(header_too_large_is_431, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(beyond_libmicrohttpd_memory, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(uri_too_long_is_414, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(body_too_large_by_content_length, test_setup,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(body_too_large_chunked, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(malformed_request_is_400, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(slow_client_times_out, test_setup_router_only,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(port_in_use_is_reported, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(access_log_line, test_setup_router_only, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
