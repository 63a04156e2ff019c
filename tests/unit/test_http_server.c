/* Tests for src/http/server.c against the real server on 127.0.0.1, with a raw socket
 * client (tests/unit/support/http_client.c): routing, limits, keep-alive, HEAD, offload,
 * graceful stop, port in use. SECURITY.md "Robustness": over a limit is a 4xx. */
#define _GNU_SOURCE /* vasprintf, strchrnul */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "http/router.h"
#include "http/server.h"
#include "support/http_client.h"

/* ---- handlers ---- */

static enum qoc_err h_hello(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)ctx;
	return qoc_http_resp_body(resp, 200, "text/plain", "hello", 5);
}

static enum qoc_err h_echo(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	return qoc_http_resp_body(resp, 200, "application/octet-stream", req->body.ptr,
	                          req->body.len);
}

/* Shows what the handler saw: raw path, raw query, decoded parameter, a header. */
static enum qoc_err h_item(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	const char *ua = qoc_http_header(req, "x-test");
	return qoc_http_resp_json(resp, 200,
	                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "path", req->path,
	                                    "query", req->query, "id", qoc_http_param(req, "id"),
	                                    "route", req->route, "x_test", ua ? ua : "", "remote",
	                                    req->remote_addr));
}

static enum qoc_err h_fail(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)resp, (void)ctx;
	return QOC_EDB;
}

static enum qoc_err h_oom(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)ctx;
	qoc_http_resp_body(resp, 200, "text/plain", "half-built", 10);
	return QOC_ENOMEM;
}

static enum qoc_err h_nothing(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)resp, (void)ctx;
	return QOC_OK;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static double now_ms(void)
{
	return (double)qoc_monotonic_ns() / 1e6;
}

/* Counters the tests wait on instead of guessing with sleeps (CI machines are slow). */
static atomic_int slow_entered, offload_entered, offload_started, offload_runs;

static void wait_for(atomic_int *counter, int value)
{
	for (int i = 0; i < 1000 && atomic_load(counter) < value; i++)
		sleep_ms(5);
	assert_true(atomic_load(counter) >= value);
}

static void reset_counters(void)
{
	atomic_store(&slow_entered, 0);
	atomic_store(&offload_entered, 0);
	atomic_store(&offload_started, 0);
	atomic_store(&offload_runs, 0);
}

/* Blocks its connection thread: for graceful stop. */
static enum qoc_err h_slow(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)ctx;
	atomic_fetch_add(&slow_entered, 1);
	sleep_ms(300);
	return qoc_http_resp_body(resp, 200, "text/plain", "slow", 4);
}

struct work {
	unsigned ms;
	atomic_int *ran;
	char result[32];
};

static void slow_work(void *arg)
{
	struct work *w = arg;
	atomic_fetch_add(&offload_started, 1);
	sleep_ms(w->ms);
	if (w->ran)
		atomic_fetch_add(w->ran, 1);
	snprintf(w->result, sizeof(w->result), "done after %u ms", w->ms);
}

/* The argon2id pattern: first call offloads, the resumed call answers. */
static enum qoc_err h_offload(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	if (req->resumed) {
		struct work *w = qoc_http_offload_arg(req);
		return qoc_http_resp_body(resp, 200, "text/plain", w->result, strlen(w->result));
	}
	atomic_fetch_add(&offload_entered, 1);
	struct work *w = qoc_arena_calloc(req->arena, 1, sizeof(*w));
	if (!w)
		return QOC_ENOMEM;
	w->ms = (unsigned)strtoul(qoc_http_param(req, "ms"), NULL, 10);
	w->ran = &offload_runs;
	enum qoc_err err = qoc_http_offload(req, slow_work, w);
	return err ? err : QOC_EPENDING;
}

static enum qoc_err h_pending_without_offload(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                              void *ctx)
{
	(void)req, (void)resp, (void)ctx;
	return QOC_EPENDING;
}

/* ---- fixture ---- */

struct fixture {
	struct qoc_router *router;
	struct qoc_http_server *srv;
	uint16_t port;
};

static struct qoc_router *make_router(void)
{
	struct qoc_router *r = qoc_router_new();
	assert_non_null(r);
	assert_int_equal(qoc_router_add(r, "GET", "/hello", h_hello, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "POST", "/echo", h_echo, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/items/{id}", h_item, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/fail", h_fail, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/oom", h_oom, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/nothing", h_nothing, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/slow", h_slow, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/offload/{ms}", h_offload, NULL), QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/pending", h_pending_without_offload, NULL),
	                 QOC_OK);
	return r;
}

/* Starts on a free port, retrying when another process took it in between. */
static void start(struct fixture *f, struct qoc_http_options *o)
{
	enum qoc_err err = QOC_EIO;
	for (int i = 0; i < 20 && err; i++) {
		o->port = test_free_port();
		err = qoc_http_server_start(o, f->router, &f->srv);
		if (err && !(err == QOC_EIO && errno == EADDRINUSE))
			break;
	}
	assert_int_equal(err, QOC_OK);
	f->port = qoc_http_server_port(f->srv);
	assert_int_equal(f->port, o->port);
}

static struct qoc_http_options small_options(void)
{
	return (struct qoc_http_options){.threads = 2,
	                                 .offload_threads = 1,
	                                 .offload_queue = 4,
	                                 .max_body_bytes = 1024,
	                                 .connection_timeout_s = 5};
}

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	f.router = make_router();
	struct qoc_http_options o = small_options();
	start(&f, &o);
	*state = &f;
	return 0;
}

static int setup_router_only(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	f.router = make_router();
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	qoc_http_server_stop(f->srv, 1000);
	qoc_router_free(f->router);
	return 0;
}

static char *request(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A heap-formatted raw request. */
static char *request(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static bool is_request_id(const char *s)
{
	if (strlen(s) != 16)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- tests ---- */

static void get_registered_route(void **state)
{
	struct fixture *f = *state;
	struct test_resp r;
	char id1[64], id2[64], v[128];
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "hello");
	assert_non_null(test_header(&r, "X-Request-Id", id1, sizeof(id1)));
	assert_true(is_request_id(id1));
	assert_string_equal(test_header(&r, "Content-Type", v, sizeof(v)), "text/plain");
	test_resp_free(&r);
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_non_null(test_header(&r, "X-Request-Id", id2, sizeof(id2)));
	assert_string_not_equal(id1, id2);
	test_resp_free(&r);
}

static void raw_path_query_and_params(void **state)
{
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
	struct test_resp r;
	char v[64];
	char *big = repeat('a', 20 * 1024);
	char *req = request("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n", big);
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
	struct fixture *f = *state;
	struct test_resp r;
	char v[64];
	char *big = repeat('a', 100 * 1024);
	char *req = request("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n", big);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 431);
	assert_null(test_header(&r, "X-Request-Id", v, sizeof(v)));
	test_resp_free(&r);
	free(req);
	req = request("GET /%s HTTP/1.1\r\nHost: t\r\n\r\n", big);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 414);
	test_resp_free(&r);
	free(req);
	free(big);
}

static void uri_too_long_is_414(void **state)
{
	struct fixture *f = *state;
	struct test_resp r;
	char v[64];
	char *big = repeat('q', 9 * 1024);
	char *req = request("GET /hello?%s HTTP/1.1\r\nHost: t\r\n\r\n", big);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 414);
	assert_non_null(test_header(&r, "X-Request-Id", v, sizeof(v)));
	test_resp_free(&r);
	free(req);
	free(big);
}

static void body_too_large_by_content_length(void **state)
{
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	char *body = repeat('b', 1024);
	char *req =
	    request("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n%s", body);
	assert_true(test_request(f->port, req, &r, false));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 1024);
	test_resp_free(&r);
	free(req);
	free(body);
}

static void malformed_request_is_400(void **state)
{
	struct fixture *f = *state;
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

static void port_in_use_is_reported(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
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

struct bg_request {
	pthread_t thread;
	uint16_t port;
	const char *raw;
	struct test_resp resp;
	bool ok;
	double done_ms;
	atomic_bool done;
};

static void *bg_main(void *arg)
{
	struct bg_request *b = arg;
	b->ok = test_request(b->port, b->raw, &b->resp, false);
	b->done_ms = now_ms();
	atomic_store(&b->done, true);
	return NULL;
}

static void bg_start(struct bg_request *b, uint16_t port, const char *raw)
{
	memset(b, 0, sizeof(*b));
	b->port = port;
	b->raw = raw;
	assert_int_equal(pthread_create(&b->thread, NULL, bg_main, b), 0);
}

static void bg_join(struct bg_request *b)
{
	pthread_join(b->thread, NULL);
}

/* The point of offload: on ONE connection thread, a 600 ms offloaded request does not
 * delay a concurrent fast request. */
static void offload_does_not_stall_other_requests(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
	o.threads = 1;
	start(f, &o);
	reset_counters();
	struct bg_request slow;
	double t0 = now_ms();
	bg_start(&slow, f->port, "GET /offload/1000 HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&offload_started, 1);
	struct test_resp r;
	double t1 = now_ms();
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	double fast_ms = now_ms() - t1;
	assert_int_equal(r.status, 200);
	test_resp_free(&r);
	bg_join(&slow);
	assert_true(slow.ok);
	assert_int_equal(slow.resp.status, 200);
	assert_string_equal(slow.resp.body, "done after 1000 ms");
	assert_true(slow.done_ms - t0 >= 990);
	/* Served while the offload still ran: well before it ended. */
	assert_true(fast_ms < 500);
	assert_true(t1 + fast_ms < slow.done_ms - 300);
	test_resp_free(&slow.resp);
}

static void offload_queue_full_is_503(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
	o.offload_queue = 1; /* one running + one queued, the third is refused */
	start(f, &o);
	reset_counters();
	struct bg_request a, b;
	bg_start(&a, f->port, "GET /offload/400 HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&offload_started, 1);
	bg_start(&b, f->port, "GET /offload/100 HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&offload_entered, 2);
	sleep_ms(20); /* b's handler returned: its job is queued behind a */
	struct test_resp r;
	char v[16];
	assert_true(test_request(f->port, "GET /offload/1 HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 503);
	assert_string_equal(test_header(&r, "Retry-After", v, sizeof(v)), "1");
	test_resp_free(&r);
	bg_join(&a);
	bg_join(&b);
	assert_int_equal(a.resp.status, 200);
	assert_int_equal(b.resp.status, 200);
	test_resp_free(&a.resp);
	test_resp_free(&b.resp);
}

struct bg_stop {
	pthread_t thread;
	struct qoc_http_server *srv;
	unsigned timeout_ms;
	double took_ms;
};

static void *bg_stop_main(void *arg)
{
	struct bg_stop *b = arg;
	double t0 = now_ms();
	qoc_http_server_stop(b->srv, b->timeout_ms);
	b->took_ms = now_ms() - t0;
	return NULL;
}

/* Graceful stop: no new connections at once, but a request a connection thread is busy
 * with completes (with Connection: close). */
static void stop_waits_for_in_flight_request(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
	start(f, &o);
	reset_counters();
	struct bg_request slow;
	bg_start(&slow, f->port, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&slow_entered, 1);
	struct bg_stop stop = {.srv = f->srv, .timeout_ms = 5000};
	f->srv = NULL;
	assert_int_equal(pthread_create(&stop.thread, NULL, bg_stop_main, &stop), 0);
	/* Refused while the slow one still runs (it sleeps 300 ms). */
	struct test_conn c;
	bool refused = false;
	for (int i = 0; i < 50 && !refused; i++) {
		refused = !test_connect(&c, f->port);
		if (!refused) {
			test_close(&c);
			sleep_ms(2);
		}
	}
	assert_true(refused);
	assert_false(atomic_load(&slow.done));
	pthread_join(stop.thread, NULL);
	bg_join(&slow);
	assert_true(slow.ok);
	assert_int_equal(slow.resp.status, 200);
	assert_string_equal(slow.resp.body, "slow");
	char v[16];
	assert_string_equal(test_header(&slow.resp, "Connection", v, sizeof(v)), "close");
	assert_true(stop.took_ms < 3000);
	test_resp_free(&slow.resp);
}

/* ... and for an offloaded one; with a short timeout, queued jobs are cancelled (503) while
 * the running one completes, and nothing leaks or crashes (ASan). */
static void stop_with_offloads_in_flight(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
	start(f, &o);
	reset_counters();
	struct bg_request a, b;
	bg_start(&a, f->port, "GET /offload/300 HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&offload_started, 1);
	bg_start(&b, f->port, "GET /offload/300 HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&offload_entered, 2);
	qoc_http_server_stop(f->srv, 20);
	f->srv = NULL;
	bg_join(&a);
	bg_join(&b);
	assert_int_equal(a.resp.status, 200);
	assert_int_equal(b.resp.status, 503);
	assert_int_equal(atomic_load(&offload_runs), 1);
	test_resp_free(&a.resp);
	test_resp_free(&b.resp);

	/* With time enough, both complete. */
	start(f, &o);
	reset_counters();
	bg_start(&a, f->port, "GET /offload/200 HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&offload_started, 1);
	bg_start(&b, f->port, "GET /offload/200 HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&offload_entered, 2);
	qoc_http_server_stop(f->srv, 5000);
	f->srv = NULL;
	bg_join(&a);
	bg_join(&b);
	assert_int_equal(a.resp.status, 200);
	assert_int_equal(b.resp.status, 200);
	test_resp_free(&a.resp);
	test_resp_free(&b.resp);
}

/* An idle keep-alive connection does not hold up a stop. */
static void stop_closes_idle_keep_alive(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
	start(f, &o);
	struct test_conn c;
	struct test_resp r;
	assert_true(test_connect(&c, f->port));
	assert_true(test_send_str(&c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
	assert_true(test_read(&c, &r, false));
	test_resp_free(&r);
	double t0 = now_ms();
	qoc_http_server_stop(f->srv, 5000);
	f->srv = NULL;
	assert_true(now_ms() - t0 < 1000);
	assert_true(test_peer_closed(&c, 1000));
	test_close(&c);
}

struct hammer {
	pthread_t thread;
	uint16_t port;
	int ok, refused;
};

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	static const char *const reqs[] = {
	    "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n",
	    "GET /offload/5 HTTP/1.1\r\nHost: t\r\n\r\n",
	    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi",
	    "GET /items/x?y=z HTTP/1.1\r\nHost: t\r\n\r\n",
	};
	for (int i = 0; i < 60; i++) {
		struct test_resp r;
		if (test_request(h->port, reqs[i % 4], &r, false) &&
		    (r.status == 200 || r.status == 503))
			h->ok++;
		else
			h->refused++;
		test_resp_free(&r);
	}
	return NULL;
}

/* Many clients, offloads in flight, then a stop in the middle: every answer is a clean
 * 200 or 503 or a refused connection, and ASan sees no leak or use-after-free. */
static void stop_under_load(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
	o.offload_threads = 2;
	o.offload_queue = 8;
	start(f, &o);
	struct hammer h[6];
	for (int i = 0; i < 6; i++) {
		h[i] = (struct hammer){.port = f->port};
		assert_int_equal(pthread_create(&h[i].thread, NULL, hammer_main, &h[i]), 0);
	}
	sleep_ms(150);
	qoc_http_server_stop(f->srv, 50);
	f->srv = NULL;
	int ok = 0;
	for (int i = 0; i < 6; i++) {
		pthread_join(h[i].thread, NULL);
		ok += h[i].ok;
	}
	assert_true(ok > 0);
}

/* The access log: one line, path without the query, no header values. */
static void access_log_line(void **state)
{
	struct fixture *f = *state;
	struct qoc_http_options o = small_options();
	o.access_log = true;
	char path[] = "/tmp/qoc_access_logXXXXXX";
	int log_fd = mkstemp(path);
	assert_true(log_fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(log_fd, 2);
	start(f, &o);
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
	    cmocka_unit_test_setup_teardown(get_registered_route, setup, teardown),
	    cmocka_unit_test_setup_teardown(raw_path_query_and_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(not_found_and_method_not_allowed, setup, teardown),
	    cmocka_unit_test_setup_teardown(handler_errors_become_problems, setup, teardown),
	    cmocka_unit_test_setup_teardown(head_and_keep_alive, setup, teardown),
	    cmocka_unit_test_setup_teardown(chunked_body_within_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(header_too_large_is_431, setup, teardown),
	    cmocka_unit_test_setup_teardown(beyond_libmicrohttpd_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(uri_too_long_is_414, setup, teardown),
	    cmocka_unit_test_setup_teardown(body_too_large_by_content_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(body_too_large_chunked, setup, teardown),
	    cmocka_unit_test_setup_teardown(malformed_request_is_400, setup, teardown),
	    cmocka_unit_test_setup_teardown(port_in_use_is_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(offload_does_not_stall_other_requests,
	                                    setup_router_only, teardown),
	    cmocka_unit_test_setup_teardown(offload_queue_full_is_503, setup_router_only, teardown),
	    cmocka_unit_test_setup_teardown(stop_waits_for_in_flight_request, setup_router_only,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(stop_with_offloads_in_flight, setup_router_only,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(stop_closes_idle_keep_alive, setup_router_only,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(stop_under_load, setup_router_only, teardown),
	    cmocka_unit_test_setup_teardown(access_log_line, setup_router_only, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
