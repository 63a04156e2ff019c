/* analytics_query.c - the 30-day analytics query over 10 million events (issue 6 "Speed":
 * the query at hourly granularity < 50 ms).
 *
 * Loads EVENTS synthetic events of one application spread evenly over DAYS days into a
 * fresh SQLite store, through the real write path of the capture writer: batches of 4096
 * events folded into hourly deltas (analytics/fold.c) and appended (analytics_append).
 * By default the batches carry the hourly deltas only, not the raw event rows: the query
 * reads only rollups, so raw rows change nothing but the file size, and inserting 10 M
 * of them would only lengthen the set-up (RAW=1 includes them). Then times the API's
 * work for `?from=<30 days ago>&to=<now>&granularity=hour` RUNS times: the store reads
 * (hourly rows, dimension sums, lifetime, active users), the report math (720 buckets,
 * percentiles) and the JSON encoding. Prints min / median / p95 / max.
 *
 * Usage: bench_analytics_query [EVENTS [DAYS [RUNS [RAW]]]] (defaults 10000000 30 30 0)
 * Build: cmake -DQOC_BENCH=ON -DCMAKE_BUILD_TYPE=Release ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/event.h"
#include "analytics/export.h"
#include "analytics/fold.h"
#include "analytics/report.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"
#include "store/store_analytics.h"

#define CLIENT_ID "qoc_client_benchbenchbenchbenchbe"
#define BATCH 4096
#define NOW 1795651200LL /* 2026-11-26 00:00 UTC: the end of the range */

static const char *const countries[] = {"US", "DE", "JP", "GB", "FR", "BR", "IN", "CA", "NL",
                                        "SE", "ES", "IT", "PL", "AU", "KR", "MX", "CH", "ZZ"};
static const char *const errors[] = {"invalid_client", "invalid_grant", "invalid_token",
                                     "unsupported_grant_type"};

static uint64_t rng = 88172645463325252ULL;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

static void die(const char *what, enum qoc_err err)
{
	fprintf(stderr, "bench_analytics_query: %s: %s\n", what, qoc_strerror(err));
	exit(1);
}

static void make_app(struct qoc_store *st)
{
	static const unsigned char blob[32] = {1};
	struct qoc_account acct = {
	    .id = "acct_bench", .email = "bench@example.com", .created_at = 1};
	enum qoc_err err = qoc_store_account_create(st, &acct);
	if (err)
		die("account_create", err);
	struct qoc_app app = {.client_id = CLIENT_ID,
	                      .team_id = "team_acct_bench",
	                      .owner_id = "acct_bench",
	                      .name = "bench",
	                      .type = "service",
	                      .status = "active",
	                      .access_token_lifetime = 3600,
	                      .refresh_token_lifetime = 86400,
	                      .id_token_lifetime = 3600,
	                      .token_format = "opaque",
	                      .id_token_signed_response_alg = "RS256",
	                      .secret_hash = blob,
	                      .secret_hash_len = sizeof(blob),
	                      .secret_sealed = blob,
	                      .secret_sealed_len = sizeof(blob),
	                      .secret_created_at = 1,
	                      .created_at = 1,
	                      .updated_at = 1};
	struct qoc_audit_event ev = {.actor_id = "acct_bench", .action = "app.create", .at = 1};
	if ((err = qoc_store_app_create(st, &app, &ev)))
		die("app_create", err);
}

static void fill(struct qoc_analytics_event *e, int64_t at)
{
	memset(e, 0, sizeof(*e));
	e->at = at;
	memcpy(e->client_id, CLIENT_ID, sizeof(CLIENT_ID));
	uint32_t r = next();
	e->endpoint = (uint8_t)(r % 100 < 70   ? QOC_EP_TOKEN
	                        : r % 100 < 80 ? QOC_EP_INTROSPECT
	                        : r % 100 < 90 ? QOC_EP_USERINFO
	                                       : r % QOC_EP_COUNT);
	e->latency_us = 300 + next() % 4000 + (next() % 100 == 0 ? next() % 200000 : 0);
	e->status = 200;
	if (next() % 100 < 5) {
		const char *err = errors[next() % 4];
		memcpy(e->error, err, strlen(err) + 1);
		e->status = 400;
	}
	const char *cc = countries[(next() % 18 + next() % 18) / 2]; /* a bell over the list */
	memcpy(e->country, cc, 3);
	if (next() % 10 == 0) /* a tenth of the requests carry one of 2000 accounts */
		snprintf(e->account_id, sizeof(e->account_id), "acct_%04u", next() % 2000);
}

static void load(struct qoc_store *st, long events, int days, bool raw)
{
	static struct qoc_analytics_event batch[BATCH];
	int64_t span = (int64_t)days * 86400, start = NOW - span;
	uint64_t t0 = qoc_monotonic_ns();
	for (long done = 0; done < events;) {
		size_t n = events - done < BATCH ? (size_t)(events - done) : BATCH;
		for (size_t i = 0; i < n; i++) /* evenly over the span, in time order */
			fill(&batch[i],
			     start + (int64_t)((double)(done + (long)i) / events * span));
		struct qoc_arena a;
		struct qoc_an_batch b;
		qoc_arena_init(&a, 64u << 20);
		enum qoc_err err = qoc_an_fold(batch, n, &a, &b);
		if (!raw)
			b.nevents = 0;
		if (err || (err = qoc_store_analytics_append(st, &b, NULL)))
			die("append", err);
		qoc_arena_release(&a);
		done += (long)n;
	}
	printf("  loaded %ld events over %d days (%s) in %.1f s\n", events, days,
	       raw ? "raw rows + rollups" : "rollups", (qoc_monotonic_ns() - t0) / 1e9);
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	long events = argc > 1 ? atol(argv[1]) : 10000000;
	int days = argc > 2 ? atoi(argv[2]) : 30;
	int runs = argc > 3 ? atoi(argv[3]) : 30;
	bool raw = argc > 4 && atoi(argv[4]) != 0;
	if (events < 1 || days < 1 || days > 400 || runs < 1 || runs > 10000) {
		fprintf(stderr, "usage: bench_analytics_query [EVENTS [DAYS [RUNS [RAW]]]]\n");
		return 2;
	}
	qoc_log_set_level(QOC_LOG_WARN);
	char dir[] = "/tmp/qoc-bench-analytics-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char url[128];
	snprintf(url, sizeof(url), "sqlite:%s/qoc.db", dir);
	struct qoc_store_options o = {.url = url, .sync = QOC_SYNC_NORMAL};
	struct qoc_store *st;
	enum qoc_err err = qoc_store_open(&o, &st);
	if (err || (err = qoc_store_migrate(st, NULL)))
		die("open", err);
	make_app(st);
	load(st, events, days, raw);

	int64_t from = NOW - (int64_t)days * 86400, to = NOW;
	if ((err = qoc_an_align_range(&from, &to, QOC_AN_HOUR)))
		die("range", err);
	double *ms = calloc((size_t)runs, sizeof(*ms));
	size_t json_len = 0;
	int64_t total = 0;
	for (int i = 0; i < runs; i++) {
		struct qoc_arena a;
		struct qoc_an_report r;
		struct qoc_buf b;
		qoc_arena_init(&a, 0);
		qoc_buf_init(&b, 8u << 20);
		uint64_t t0 = qoc_monotonic_ns();
		if ((err = qoc_an_report_load(st, &a, CLIENT_ID, from, to, QOC_AN_HOUR, NOW, &r)) ||
		    (err = qoc_an_export_json(&r, &b)))
			die("query", err);
		ms[i] = (qoc_monotonic_ns() - t0) / 1e6;
		json_len = b.len;
		total = r.total_requests;
		if (r.nseries != (size_t)days * 24)
			die("series length", QOC_EINVAL);
		qoc_buf_release(&b);
		qoc_arena_release(&a);
	}
	if (total != events) {
		fprintf(stderr, "bench_analytics_query: the report counts %lld of %ld events\n",
		        (long long)total, events);
		return 1;
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp);
	printf("  30-day query, hourly (%d buckets, %zu bytes of JSON, total_requests %lld), %d "
	       "runs:\n"
	       "    min %.2f ms  median %.2f ms  p95 %.2f ms  max %.2f ms   (target < 50 ms)\n",
	       days * 24, json_len, (long long)total, runs, ms[0], ms[runs / 2],
	       ms[(int)(runs * 0.95) < runs ? (int)(runs * 0.95) : runs - 1], ms[runs - 1]);
	free(ms);
	qoc_store_close(st);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
