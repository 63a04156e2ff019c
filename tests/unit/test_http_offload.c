/* Tests for the offload pool and graceful stop of src/http/server.c, on the real server:
 * an offloaded request does not hold a connection thread, a full queue is a 503, a stop
 * refuses new connections at once, waits for requests in flight, cancels queued work and
 * leaks nothing (ASan), even under load. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "support/http_fixture.h"

/* The point of offload: on ONE connection thread, a 1 s offloaded request does not
 * delay a concurrent fast request. */
static void offload_does_not_stall_other_requests(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	o.threads = 1;
	test_start(f, &o);
	test_reset_counters();
	struct test_bg_request slow;
	double t0 = test_now_ms();
	test_bg_start(&slow, f->port, "GET /offload/1000 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_offload_started, 1);
	struct test_resp r;
	double t1 = test_now_ms();
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	double fast_ms = test_now_ms() - t1;
	assert_int_equal(r.status, 200);
	test_resp_free(&r);
	test_bg_join(&slow);
	assert_true(slow.ok);
	assert_int_equal(slow.resp.status, 200);
	assert_string_equal(slow.resp.body, "done after 1000 ms");
	assert_true(slow.done_ms - t0 >= 990);
	/* Served while the offload still ran: well before it ended. */
	assert_true(fast_ms < 500);
	assert_true(t1 + fast_ms < slow.done_ms - 300);
	test_resp_free(&slow.resp);
}

/* One running + one queued on a pool of one thread and a queue of one: the third is
 * refused with 503 and Retry-After. prefix: "/offload/" (CPU pool) or "/wait/". */
static void queue_full_is_503(struct test_fixture *f, struct qoc_http_options *o,
                              const char *prefix)
{
	char a_req[96], b_req[96], c_req[96];
	snprintf(a_req, sizeof(a_req), "GET %s400 HTTP/1.1\r\nHost: t\r\n\r\n", prefix);
	snprintf(b_req, sizeof(b_req), "GET %s100 HTTP/1.1\r\nHost: t\r\n\r\n", prefix);
	snprintf(c_req, sizeof(c_req), "GET %s1 HTTP/1.1\r\nHost: t\r\n\r\n", prefix);
	test_start(f, o);
	test_reset_counters();
	struct test_bg_request a, b;
	test_bg_start(&a, f->port, a_req);
	test_wait_for(&test_offload_started, 1);
	test_bg_start(&b, f->port, b_req);
	test_wait_for(&test_offload_entered, 2);
	test_sleep_ms(20); /* b's handler returned: its job is queued behind a */
	struct test_resp r;
	char v[16];
	assert_true(test_request(f->port, c_req, &r, false));
	assert_int_equal(r.status, 503);
	assert_string_equal(test_header(&r, "Retry-After", v, sizeof(v)), "1");
	test_resp_free(&r);
	test_bg_join(&a);
	test_bg_join(&b);
	assert_int_equal(a.resp.status, 200);
	assert_int_equal(b.resp.status, 200);
	test_resp_free(&a.resp);
	test_resp_free(&b.resp);
}

static void offload_queue_full_is_503(void **state)
{
	struct qoc_http_options o = test_small_options();
	o.offload_queue = 1; /* offload_threads is 1 */
	queue_full_is_503(*state, &o, "/offload/");
}

/* The wait pool: on one connection thread and one CPU offload thread, four requests that
 * wait 400 ms each (a commit) all wait at once, and a CPU offload is not queued behind
 * them. */
static void waits_run_together_beside_cpu_offloads(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	o.threads = 1;
	test_start(f, &o);
	test_reset_counters();
	struct test_bg_request w[4], cpu;
	double t0 = test_now_ms();
	for (size_t i = 0; i < 4; i++)
		test_bg_start(&w[i], f->port, "GET /wait/400 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_offload_started, 4);
	test_bg_start(&cpu, f->port, "GET /offload/10 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_bg_join(&cpu);
	assert_int_equal(cpu.resp.status, 200);
	assert_string_equal(cpu.resp.body, "done after 10 ms");
	assert_true(cpu.done_ms - t0 < 300); /* while the four still wait */
	test_resp_free(&cpu.resp);
	for (size_t i = 0; i < 4; i++) {
		test_bg_join(&w[i]);
		assert_true(w[i].ok);
		assert_int_equal(w[i].resp.status, 200);
		assert_string_equal(w[i].resp.body, "done after 400 ms");
		/* together: one wait's time, not four */
		assert_true(w[i].done_ms - t0 < 1200);
		test_resp_free(&w[i].resp);
	}
}

/* The same for the wait pool, with its own bounds. */
static void wait_queue_full_is_503(void **state)
{
	struct qoc_http_options o = test_small_options();
	o.wait_threads = 1;
	o.wait_queue = 1;
	queue_full_is_503(*state, &o, "/wait/");
}

/* A QOC_ROUTE_WAITS handler runs on the wait pool: four that block 400 ms each (a commit)
 * block together, and the one connection thread answers /hello meanwhile. */
static void waiting_route_runs_on_the_wait_pool(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	o.threads = 1;
	test_start(f, &o);
	test_reset_counters();
	struct test_bg_request w[4];
	double t0 = test_now_ms();
	for (size_t i = 0; i < 4; i++)
		test_bg_start(&w[i], f->port, "GET /blocking/400 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_offload_started, 4);
	struct test_resp r;
	assert_true(test_request(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 200);
	assert_true(test_now_ms() - t0 < 300);
	test_resp_free(&r);
	for (size_t i = 0; i < 4; i++) {
		test_bg_join(&w[i]);
		assert_true(w[i].ok);
		assert_int_equal(w[i].resp.status, 200);
		assert_string_equal(w[i].resp.body, "blocked");
		assert_true(w[i].done_ms - t0 < 1200);
		test_resp_free(&w[i].resp);
	}
}

/* ... and one that offloads CPU work from there is resumed there (the sign-in form). */
static void waiting_route_can_offload(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	test_start(f, &o);
	test_reset_counters();
	struct test_resp r;
	assert_true(
	    test_request(f->port, "GET /blocking/50?cpu HTTP/1.1\r\nHost: t\r\n\r\n", &r, false));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "done after 50 ms");
	test_resp_free(&r);
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
	double t0 = test_now_ms();
	qoc_http_server_stop(b->srv, b->timeout_ms);
	b->took_ms = test_now_ms() - t0;
	return NULL;
}

/* Graceful stop: no new connections at once, but a request a connection thread is busy
 * with completes (with Connection: close). */
static void stop_waits_for_in_flight_request(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	test_start(f, &o);
	test_reset_counters();
	struct test_bg_request slow;
	test_bg_start(&slow, f->port, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_slow_entered, 1);
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
			test_sleep_ms(2);
		}
	}
	assert_true(refused);
	assert_false(atomic_load(&slow.done));
	pthread_join(stop.thread, NULL);
	test_bg_join(&slow);
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
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	test_start(f, &o);
	test_reset_counters();
	struct test_bg_request a, b;
	test_bg_start(&a, f->port, "GET /offload/300 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_offload_started, 1);
	test_bg_start(&b, f->port, "GET /offload/300 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_offload_entered, 2);
	qoc_http_server_stop(f->srv, 20);
	f->srv = NULL;
	test_bg_join(&a);
	test_bg_join(&b);
	assert_int_equal(a.resp.status, 200);
	assert_int_equal(b.resp.status, 503);
	assert_int_equal(atomic_load(&test_offload_runs), 1);
	test_resp_free(&a.resp);
	test_resp_free(&b.resp);

	/* With time enough, both complete. */
	test_start(f, &o);
	test_reset_counters();
	test_bg_start(&a, f->port, "GET /offload/200 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_offload_started, 1);
	test_bg_start(&b, f->port, "GET /offload/200 HTTP/1.1\r\nHost: t\r\n\r\n");
	test_wait_for(&test_offload_entered, 2);
	qoc_http_server_stop(f->srv, 5000);
	f->srv = NULL;
	test_bg_join(&a);
	test_bg_join(&b);
	assert_int_equal(a.resp.status, 200);
	assert_int_equal(b.resp.status, 200);
	test_resp_free(&a.resp);
	test_resp_free(&b.resp);
}

/* An idle keep-alive connection does not hold up a stop. */
static void stop_closes_idle_keep_alive(void **state)
{
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	test_start(f, &o);
	struct test_conn c;
	struct test_resp r;
	assert_true(test_connect(&c, f->port));
	assert_true(test_send_str(&c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
	assert_true(test_read(&c, &r, false));
	test_resp_free(&r);
	double t0 = test_now_ms();
	qoc_http_server_stop(f->srv, 5000);
	f->srv = NULL;
	assert_true(test_now_ms() - t0 < 1000);
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
	struct test_fixture *f = *state;
	struct qoc_http_options o = test_small_options();
	o.offload_threads = 2;
	o.offload_queue = 8;
	test_start(f, &o);
	struct hammer h[6];
	for (int i = 0; i < 6; i++) {
		h[i] = (struct hammer){.port = f->port};
		assert_int_equal(pthread_create(&h[i].thread, NULL, hammer_main, &h[i]), 0);
	}
	test_sleep_ms(150);
	qoc_http_server_stop(f->srv, 50);
	f->srv = NULL;
	int ok = 0;
	for (int i = 0; i < 6; i++) {
		pthread_join(h[i].thread, NULL);
		ok += h[i].ok;
	}
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(offload_does_not_stall_other_requests,
	                                    test_setup_router_only, test_teardown),
	    cmocka_unit_test_setup_teardown(offload_queue_full_is_503, test_setup_router_only,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(waits_run_together_beside_cpu_offloads,
	                                    test_setup_router_only, test_teardown),
	    cmocka_unit_test_setup_teardown(wait_queue_full_is_503, test_setup_router_only,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(waiting_route_runs_on_the_wait_pool,
	                                    test_setup_router_only, test_teardown),
	    cmocka_unit_test_setup_teardown(waiting_route_can_offload, test_setup_router_only,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(stop_waits_for_in_flight_request,
	                                    test_setup_router_only, test_teardown),
	    cmocka_unit_test_setup_teardown(stop_with_offloads_in_flight, test_setup_router_only,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(stop_closes_idle_keep_alive, test_setup_router_only,
	                                    test_teardown),
	    cmocka_unit_test_setup_teardown(stop_under_load, test_setup_router_only, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
