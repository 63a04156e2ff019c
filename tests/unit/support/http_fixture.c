/* http_fixture.c - see http_fixture.h. */
#define _GNU_SOURCE /* vasprintf */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "support/http_fixture.h"

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

void test_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

double test_now_ms(void)
{
	return (double)qoc_monotonic_ns() / 1e6;
}

/* Counters the tests wait on instead of guessing with sleeps (CI machines are slow). */
atomic_int test_slow_entered, test_offload_entered, test_offload_started, test_offload_runs;

void test_wait_for(atomic_int *counter, int value)
{
	for (int i = 0; i < 1000 && atomic_load(counter) < value; i++)
		test_sleep_ms(5);
	assert_true(atomic_load(counter) >= value);
}

void test_reset_counters(void)
{
	atomic_store(&test_slow_entered, 0);
	atomic_store(&test_offload_entered, 0);
	atomic_store(&test_offload_started, 0);
	atomic_store(&test_offload_runs, 0);
}

/* Blocks its connection thread: for graceful stop. */
static enum qoc_err h_slow(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)ctx;
	atomic_fetch_add(&test_slow_entered, 1);
	test_sleep_ms(300);
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
	atomic_fetch_add(&test_offload_started, 1);
	test_sleep_ms(w->ms);
	if (w->ran)
		atomic_fetch_add(w->ran, 1);
	snprintf(w->result, sizeof(w->result), "done after %u ms", w->ms);
}

/* The argon2id pattern: first call offloads (to the CPU pool, or with `wait` to the wait
 * pool), the resumed call answers. */
static enum qoc_err offload_and_answer(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                       bool wait)
{
	if (req->resumed) {
		struct work *w = qoc_http_offload_arg(req);
		return qoc_http_resp_body(resp, 200, "text/plain", w->result, strlen(w->result));
	}
	atomic_fetch_add(&test_offload_entered, 1);
	struct work *w = qoc_arena_calloc(req->arena, 1, sizeof(*w));
	if (!w)
		return QOC_ENOMEM;
	w->ms = (unsigned)strtoul(qoc_http_param(req, "ms"), NULL, 10);
	w->ran = &test_offload_runs;
	enum qoc_err err =
	    wait ? qoc_http_offload_wait(req, slow_work, w) : qoc_http_offload(req, slow_work, w);
	return err ? err : QOC_EPENDING;
}

static enum qoc_err h_offload(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	return offload_and_answer(req, resp, false);
}

/* The same on the wait pool (a durable write waiting for its commit). */
static enum qoc_err h_wait(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	return offload_and_answer(req, resp, true);
}

/* A QOC_ROUTE_WAITS handler that blocks (a commit) and, with ?cpu, also offloads CPU work
 * like the sign-in form: it is called on the wait pool, first and resumed. */
static enum qoc_err h_blocking(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	if (req->resumed) {
		struct work *w = qoc_http_offload_arg(req);
		return qoc_http_resp_body(resp, 200, "text/plain", w->result, strlen(w->result));
	}
	atomic_fetch_add(&test_offload_entered, 1);
	unsigned ms = (unsigned)strtoul(qoc_http_param(req, "ms"), NULL, 10);
	if (strcmp(req->query, "cpu") == 0) {
		struct work *w = qoc_arena_calloc(req->arena, 1, sizeof(*w));
		if (!w)
			return QOC_ENOMEM;
		w->ms = ms;
		enum qoc_err err = qoc_http_offload(req, slow_work, w);
		return err ? err : QOC_EPENDING;
	}
	atomic_fetch_add(&test_offload_started, 1);
	test_sleep_ms(ms);
	return qoc_http_resp_body(resp, 200, "text/plain", "blocked", 7);
}

static enum qoc_err h_pending_without_offload(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                              void *ctx)
{
	(void)req, (void)resp, (void)ctx;
	return QOC_EPENDING;
}

/* ---- fixture ---- */

struct qoc_router *test_make_router(void)
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
	assert_int_equal(qoc_router_add(r, "GET", "/wait/{ms}", h_wait, NULL), QOC_OK);
	assert_int_equal(
	    qoc_router_add_flags(r, "GET", "/blocking/{ms}", h_blocking, NULL, QOC_ROUTE_WAITS),
	    QOC_OK);
	assert_int_equal(qoc_router_add(r, "GET", "/pending", h_pending_without_offload, NULL),
	                 QOC_OK);
	return r;
}

/* Starts on a free port, retrying when another process took it in between. */
void test_start(struct test_fixture *f, struct qoc_http_options *o)
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

struct qoc_http_options test_small_options(void)
{
	return (struct qoc_http_options){.threads = 2,
	                                 .offload_threads = 1,
	                                 .offload_queue = 4,
	                                 .wait_threads = 4,
	                                 .wait_queue = 4,
	                                 .max_body_bytes = 1024,
	                                 .connection_timeout_s = 5};
}

int test_setup(void **state)
{
	static struct test_fixture f;
	memset(&f, 0, sizeof(f));
	f.router = test_make_router();
	struct qoc_http_options o = test_small_options();
	test_start(&f, &o);
	*state = &f;
	return 0;
}

int test_setup_router_only(void **state)
{
	static struct test_fixture f;
	memset(&f, 0, sizeof(f));
	f.router = test_make_router();
	*state = &f;
	return 0;
}

int test_teardown(void **state)
{
	struct test_fixture *f = *state;
	qoc_http_server_stop(f->srv, 1000);
	qoc_router_free(f->router);
	return 0;
}

/* A heap-formatted raw request. */
char *test_format(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

char *test_repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

bool test_is_request_id(const char *s)
{
	if (strlen(s) != 16)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static void *bg_main(void *arg)
{
	struct test_bg_request *b = arg;
	b->ok = test_request(b->port, b->raw, &b->resp, false);
	b->done_ms = test_now_ms();
	atomic_store(&b->done, true);
	return NULL;
}

void test_bg_start(struct test_bg_request *b, uint16_t port, const char *raw)
{
	memset(b, 0, sizeof(*b));
	b->port = port;
	b->raw = raw;
	assert_int_equal(pthread_create(&b->thread, NULL, bg_main, b), 0);
}

void test_bg_join(struct test_bg_request *b)
{
	pthread_join(b->thread, NULL);
}
