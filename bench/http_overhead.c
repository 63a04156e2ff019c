/* http_overhead.c - what the qoc HTTP layer costs over a bare libmicrohttpd hello world.
 *
 * Not built by CMake. Build against a release build of the library and drive with wrk:
 *   cmake -S . -B build/rel -DCMAKE_BUILD_TYPE=Release -DQOC_TESTS=OFF && cmake --build build/rel -j2
 *   cc -O2 -Isrc bench/http_overhead.c build/rel/libqoclib.a -o build/rel/http_overhead \
 *      $(pkg-config --libs libmicrohttpd jansson libcrypto libsodium sqlite3) -lpthread -lm
 *   build/rel/http_overhead mhd 18080 &   wrk -t2 -c64 -d10s http://127.0.0.1:18080/hello
 *   build/rel/http_overhead qoc 18081 &   wrk -t2 -c64 -d10s http://127.0.0.1:18081/hello
 * Both use the same libmicrohttpd flags and thread count; the qoc side has 40 routes
 * registered, so /hello is matched among them. Environment: MEM sets the bare server's
 * memory limit (default 32768, libmicrohttpd's own); HDR / URI the qoc header and URI
 * limits; LOG=1 turns the qoc access log on. Compare CPU time per request (perf stat -e
 * task-clock -p PID during the run, divided by wrk's request count) rather than req/s
 * alone: wrk shares the two cores.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/router.h"
#include "http/server.h"

static enum MHD_Result bare(void *cls, struct MHD_Connection *c, const char *url,
			    const char *method, const char *version, const char *upload,
			    size_t *upload_size, void **req_cls)
{
	static int first;
	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (*req_cls == NULL) { /* answer from the second call, as MHD's examples do */
		*req_cls = &first;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	struct MHD_Response *r =
		MHD_create_response_from_buffer(5, (void *)"hello", MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "text/plain");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static enum qoc_err hello(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)ctx;
	return qoc_http_resp_body(resp, 200, "text/plain", "hello", 5);
}

/* Waits for SIGINT or SIGTERM, blocked in every thread (threads inherit the mask). */
static void wait_for_signal(const sigset_t *set)
{
	int sig;
	sigwait(set, &sig);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s mhd|qoc PORT [THREADS]\n", argv[0]);
		return 2;
	}
	unsigned port = (unsigned)strtoul(argv[2], NULL, 10);
	unsigned threads = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 2;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (strcmp(argv[1], "mhd") == 0) {
		struct MHD_Daemon *d = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME,
			(uint16_t)port, NULL, NULL, bare, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			(size_t)(getenv("MEM") ? strtoul(getenv("MEM"), NULL, 10) : 32768),
			MHD_OPTION_END);
		if (!d)
			return 1;
		wait_for_signal(&set);
		MHD_stop_daemon(d);
		return 0;
	}
	struct qoc_router *r = qoc_router_new();
	char pat[64];
	for (int i = 0; i < 20; i++) {
		snprintf(pat, sizeof(pat), "/api/v1/thing%d/{id}", i);
		qoc_router_add(r, "GET", pat, hello, NULL);
		snprintf(pat, sizeof(pat), "/api/v1/thing%d", i);
		qoc_router_add(r, "POST", pat, hello, NULL);
	}
	qoc_router_add(r, "GET", "/hello", hello, NULL);
	struct qoc_http_options o = { .port = (uint16_t)port, .threads = threads };
	if (getenv("HDR")) /* header / URI limits: they size libmicrohttpd's memory pool */
		o.max_header_bytes = strtoul(getenv("HDR"), NULL, 10);
	if (getenv("URI"))
		o.max_uri_bytes = strtoul(getenv("URI"), NULL, 10);
	o.access_log = getenv("LOG") != NULL; /* one stderr line per request */
	struct qoc_http_server *srv;
	if (qoc_http_server_start(&o, r, &srv))
		return 1;
	wait_for_signal(&set);
	qoc_http_server_stop(srv, 1000);
	qoc_router_free(r);
	return 0;
}
