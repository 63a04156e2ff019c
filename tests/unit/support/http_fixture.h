/* http_fixture.h - a real qoc HTTP server for tests: handlers, start/stop, helpers.
 *
 * test_make_router registers the routes the server tests use:
 *   GET /hello            "hello" (text/plain)
 *   POST /echo            echoes the body
 *   GET /items/{id}       JSON of what the handler saw (raw path, raw query, id, route, ...)
 *   GET /fail /oom /nothing /pending   handlers that fail in each way the server handles
 *   GET /slow             sleeps 300 ms on its connection thread
 *   GET /offload/{ms}     offloads a {ms} ms sleep, answers "done after {ms} ms"
 * The counters let tests wait for a state instead of guessing with sleeps.
 */
#ifndef QOC_TEST_HTTP_FIXTURE_H
#define QOC_TEST_HTTP_FIXTURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "http/router.h"
#include "http/server.h"
#include "support/http_client.h"

struct test_fixture {
	struct qoc_router *router;
	struct qoc_http_server *srv; /* NULL when stopped */
	uint16_t port;
};

extern atomic_int test_slow_entered, test_offload_entered, test_offload_started, test_offload_runs;

void test_sleep_ms(unsigned ms);
double test_now_ms(void);
/* Waits (up to 5 s, then fails the test) until *counter >= value. */
void test_wait_for(atomic_int *counter, int value);
void test_reset_counters(void);

struct qoc_router *test_make_router(void);
/* Small limits: 2 threads, 1 offload thread, queue 4, 1 KiB bodies, 5 s timeout. */
struct qoc_http_options test_small_options(void);
/* Starts f->router on a free port (retrying on EADDRINUSE); sets f->srv and f->port. */
void test_start(struct test_fixture *f, struct qoc_http_options *o);
/* cmocka setups: router + server with test_small_options, or the router only. */
int test_setup(void **state);
int test_setup_router_only(void **state);
int test_teardown(void **state);

/* Heap strings (free them): printf-formatted, and c repeated n times. */
char *test_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *test_repeat(char c, size_t n);
bool test_is_request_id(const char *s);

/* One request on its own thread. */
struct test_bg_request {
	pthread_t thread;
	uint16_t port;
	const char *raw;
	struct test_resp resp;
	bool ok;
	double done_ms;
	atomic_bool done;
};
void test_bg_start(struct test_bg_request *b, uint16_t port, const char *raw);
void test_bg_join(struct test_bg_request *b);

#endif
