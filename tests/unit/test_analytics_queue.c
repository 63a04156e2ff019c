/* Unit tests for analytics/analytics.c on a real (temporary SQLite) store: events reach
 * the rollups in batches, a full queue drops and counts instead of waiting, the writer
 * thread flushes on its interval, stop drains what is queued, events of an unknown
 * application are counted as skipped. The clock is pinned. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analytics/analytics.h"
#include "store/store_analytics.h"
#include "support/tmp_store.h"

#define T0 1795651200LL /* 2026-11-26 00:00:00 UTC */
#define APP "qoc_client_aaaaaaaaaaaaaaaaaaaaaaaa"

static int64_t pinned_now(void *ctx)
{
	(void)ctx;
	return T0 + 600;
}
static const struct qoc_clock pinned = {pinned_now, NULL};

struct fx {
	struct tmp_store t;
	struct qoc_analytics *an;
};

static const unsigned char blob[32] = {1};

static void make_app(struct qoc_store *st)
{
	static const char *redirects[] = {"https://app.example/cb"};
	struct qoc_account acct = {.id = "acct_1", .email = "one@example.com", .created_at = 1};
	assert_int_equal(qoc_store_account_create(st, &acct), QOC_OK);
	struct qoc_app app = {.client_id = APP,
	                      .team_id = "team_acct_1",
	                      .owner_id = "acct_1",
	                      .name = "A",
	                      .type = "web",
	                      .status = "active",
	                      .redirect_uris = {redirects, 1},
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
	struct qoc_audit_event ev = {.actor_id = "acct_1", .action = "app.create", .at = 1};
	assert_int_equal(qoc_store_app_create(st, &app, &ev), QOC_OK);
}

static struct fx *open_fx(size_t queue_size, unsigned flush_ms)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	tmp_store_open(&f->t);
	make_app(f->t.st);
	struct qoc_analytics_options o = {.store = f->t.st,
	                                  .clock = &pinned,
	                                  .queue_size = queue_size,
	                                  .flush_ms = flush_ms,
	                                  .retention_days = 30};
	assert_int_equal(qoc_analytics_new(&o, &f->an), QOC_OK);
	return f;
}

static void close_fx(struct fx *f)
{
	qoc_analytics_free(f->an);
	tmp_store_close(&f->t);
	free(f);
}

static struct qoc_analytics_event event(const char *client, const char *addr, const char *err)
{
	struct qoc_analytics_event e = {.at = T0 + 100,
	                                .latency_us = 1500,
	                                .endpoint = QOC_EP_TOKEN,
	                                .status = err[0] ? 401 : 200};
	qoc_an_copy(e.client_id, sizeof(e.client_id), client);
	qoc_an_copy(e.addr, sizeof(e.addr), addr);
	qoc_an_copy(e.error, sizeof(e.error), err);
	return e;
}

static int64_t stored_requests(struct fx *f)
{
	struct qoc_arena a;
	struct qoc_an_range r;
	qoc_arena_init(&a, 0);
	assert_int_equal(qoc_store_analytics_query(f->t.st, &a, APP, T0, T0 + 3600, &r), QOC_OK);
	int64_t n = r.nhours ? r.hours[0].requests : 0;
	qoc_arena_release(&a);
	return n;
}

static void flush_writes_batches_into_the_rollups(void **state)
{
	(void)state;
	struct fx *f = open_fx(4096, 1000);
	struct qoc_analytics_event ok = event(APP, "127.0.0.1", "");
	struct qoc_analytics_event bad = event(APP, "127.0.0.1", "invalid_client");
	/* more than one write batch */
	for (int i = 0; i < QOC_AN_WRITE_BATCH + 10; i++)
		assert_true(qoc_analytics_record(f->an, i % 2 ? &bad : &ok));
	struct qoc_analytics_stats st;
	qoc_analytics_stats(f->an, &st);
	assert_int_equal(st.queued, QOC_AN_WRITE_BATCH + 10);
	assert_int_equal(stored_requests(f), 0); /* nothing is written on the request path */
	assert_int_equal(qoc_analytics_flush(f->an), QOC_OK);
	assert_int_equal(stored_requests(f), QOC_AN_WRITE_BATCH + 10);
	qoc_analytics_stats(f->an, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.captured, QOC_AN_WRITE_BATCH + 10);
	assert_int_equal(st.written, QOC_AN_WRITE_BATCH + 10);
	assert_int_equal(st.dropped, 0);
	close_fx(f);
}

static void a_full_queue_drops_and_counts(void **state)
{
	(void)state;
	struct fx *f = open_fx(16, 1000);
	struct qoc_analytics_event ok = event(APP, "127.0.0.1", "");
	for (int i = 0; i < 16; i++)
		assert_true(qoc_analytics_record(f->an, &ok));
	for (int i = 0; i < 5; i++)
		assert_false(qoc_analytics_record(f->an, &ok)); /* refused at once, never waits */
	struct qoc_analytics_stats st;
	qoc_analytics_stats(f->an, &st);
	assert_int_equal(st.captured, 16);
	assert_int_equal(st.dropped, 5);
	assert_int_equal(qoc_analytics_flush(f->an), QOC_OK);
	assert_int_equal(stored_requests(f), 16);
	assert_true(qoc_analytics_record(f->an, &ok)); /* room again */
	assert_false(qoc_analytics_record(NULL, &ok)); /* capture off: nothing */
	close_fx(f);
}

static void the_writer_flushes_on_its_interval_and_stop_drains(void **state)
{
	(void)state;
	struct fx *f = open_fx(1024, 20);
	assert_int_equal(qoc_analytics_start(f->an), QOC_OK);
	struct qoc_analytics_event ok = event(APP, "127.0.0.1", "");
	assert_true(qoc_analytics_record(f->an, &ok));
	struct qoc_analytics_stats st;
	for (int i = 0; i < 500; i++) { /* up to 5 s on a loaded machine; 20 ms normally */
		qoc_analytics_stats(f->an, &st);
		if (st.written == 1)
			break;
		usleep(10000);
	}
	assert_int_equal(st.written, 1);
	for (int i = 0; i < 7; i++)
		assert_true(qoc_analytics_record(f->an, &ok));
	qoc_analytics_stop(f->an); /* writes the 7 still queued */
	assert_int_equal(stored_requests(f), 8);
	assert_false(qoc_analytics_record(f->an, &ok)); /* stopped */
	close_fx(f);
}

static void unknown_applications_are_skipped(void **state)
{
	(void)state;
	struct fx *f = open_fx(64, 1000);
	struct qoc_analytics_event ghost = event("qoc_client_nobody", "8.8.8.8", "invalid_client");
	struct qoc_analytics_event ok = event(APP, "8.8.8.8", "");
	assert_true(qoc_analytics_record(f->an, &ghost));
	assert_true(qoc_analytics_record(f->an, &ok));
	assert_int_equal(qoc_analytics_flush(f->an), QOC_OK);
	struct qoc_analytics_stats st;
	qoc_analytics_stats(f->an, &st);
	assert_int_equal(st.written, 1);
	assert_int_equal(st.skipped, 1);
	/* without a geo database every country is ZZ */
	struct qoc_arena a;
	struct qoc_an_range r;
	qoc_arena_init(&a, 0);
	assert_int_equal(qoc_store_analytics_query(f->t.st, &a, APP, T0, T0 + 3600, &r), QOC_OK);
	bool zz = false;
	for (size_t i = 0; i < r.ndims; i++)
		zz |= !strcmp(r.dims[i].dim, QOC_AN_DIM_COUNTRY) && !strcmp(r.dims[i].key, "ZZ") &&
		      r.dims[i].n == 1;
	assert_true(zz);
	qoc_arena_release(&a);
	close_fx(f);
}

static int64_t movable_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* Stores 5 events captured at T0 + 100 with the writer's clock at now, then starts and
 * stops the writer (it purges on its first round). Returns the raw events a full purge
 * still finds afterwards (so: those the writer kept). */
static size_t events_left_after_writer(int64_t now, bool run_writer, int64_t *rollup_requests)
{
	struct fx *f = open_fx(64, 10);
	int64_t t = now;
	struct qoc_clock clock = {movable_now, &t};
	struct qoc_analytics_options o = {.store = f->t.st,
	                                  .clock = &clock,
	                                  .queue_size = 64,
	                                  .flush_ms = 10,
	                                  .retention_days = 30};
	struct qoc_analytics *an;
	assert_int_equal(qoc_analytics_new(&o, &an), QOC_OK);
	struct qoc_analytics_event ok = event(APP, "127.0.0.1", "");
	for (int i = 0; i < 5; i++)
		assert_true(qoc_analytics_record(an, &ok));
	assert_int_equal(qoc_analytics_flush(an), QOC_OK);
	if (run_writer) {
		assert_int_equal(qoc_analytics_start(an), QOC_OK);
		usleep(100000);
	}
	qoc_analytics_free(an);
	*rollup_requests = stored_requests(f);
	size_t deleted = 0; /* raw events only: rollups_before 0 keeps every rollup */
	assert_int_equal(qoc_store_analytics_purge(f->t.st, INT64_MAX, 0, 1000, &deleted), QOC_OK);
	close_fx(f);
	return deleted;
}

static void the_writer_purges_raw_events_past_retention_and_keeps_rollups(void **state)
{
	(void)state;
	int64_t req;
	/* control: without the writer the 5 raw events are there */
	assert_int_equal(events_left_after_writer(T0 + 31 * 86400LL, false, &req), 5);
	assert_int_equal(req, 5);
	/* 29 days later: within the retention, kept */
	assert_int_equal(events_left_after_writer(T0 + 29 * 86400LL, true, &req), 5);
	/* 31 days later: the raw events are gone, the hourly rollup stays (13 months) */
	assert_int_equal(events_left_after_writer(T0 + 31 * 86400LL, true, &req), 0);
	assert_int_equal(req, 5);
	/* 14 months later: the rollup is gone too */
	assert_int_equal(events_left_after_writer(T0 + 14 * 31 * 86400LL, true, &req), 0);
	assert_int_equal(req, 0);
}

static void bad_options_are_refused(void **state)
{
	(void)state;
	struct qoc_analytics *an = NULL;
	struct qoc_analytics_options o = {
	    .clock = &pinned, .queue_size = 1, .flush_ms = 1, .retention_days = 1};
	assert_int_equal(qoc_analytics_new(&o, &an), QOC_EINVAL); /* no store */
	assert_null(an);
	qoc_analytics_free(NULL);
	qoc_analytics_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(flush_writes_batches_into_the_rollups),
	    cmocka_unit_test(a_full_queue_drops_and_counts),
	    cmocka_unit_test(the_writer_flushes_on_its_interval_and_stop_drains),
	    cmocka_unit_test(unknown_applications_are_skipped),
	    cmocka_unit_test(the_writer_purges_raw_events_past_retention_and_keeps_rollups),
	    cmocka_unit_test(bad_options_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
