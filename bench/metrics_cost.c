/* metrics_cost.c - what counting costs per request (docs/decisions/metrics.md "Cost").
 *
 * One "request" here is what an introspection does to the registry: the request counter
 * and latency histogram (server.c), two timed store calls (client_get, token_get, each
 * with its clock reads) and two pool waits. Run on 1 thread, then on T threads that all
 * hit the same route and operations (the worst case: every increment on a shared cache
 * line). Prints ns per request for each.
 * Usage: bench_metrics_cost [threads=2] [requests per thread=2000000]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/metrics.h"

static unsigned route;
static unsigned long per_thread;

static void *run(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; i < per_thread; i++) {
		uint64_t t0 = qoc_monotonic_ns();
		qoc_metrics_pool_wait(t0, false);
		(void)qoc_metrics_store_op(QOC_METRICS_STORE_client_get, t0, QOC_OK);
		qoc_metrics_pool_wait(t0, false);
		(void)qoc_metrics_store_op(QOC_METRICS_STORE_token_get, t0, QOC_OK);
		qoc_metrics_http_request(route, 200, qoc_monotonic_ns() - t0);
	}
	return NULL;
}

static double ns_per_request(unsigned threads)
{
	pthread_t t[64];
	uint64_t start = qoc_monotonic_ns();
	for (unsigned i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, run, NULL) != 0)
			exit(1);
	for (unsigned i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	double wall = (double)(qoc_monotonic_ns() - start);
	/* Wall time per request of one thread: what each request waits for. */
	return wall / (double)per_thread;
}

int main(int argc, char **argv)
{
	unsigned threads = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 2;
	per_thread = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000000;
	if (threads < 1 || threads > 64 || per_thread < 1)
		return 2;
	route = qoc_metrics_route_intern("/oauth2/introspect");
	run(NULL); /* warm up */
	printf("counting per request (1 request counter + histogram, 2 store ops, 2 pool waits):\n");
	printf("  1 thread:   %.1f ns\n", ns_per_request(1));
	printf("  %u threads: %.1f ns per request per thread (same route, shared cache lines)\n",
	       threads, ns_per_request(threads));
	return 0;
}
