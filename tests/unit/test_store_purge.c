/* Unit tests for src/store/purge.c, the background purge of expired protocol state
 * (issue 13 section 4: "in small batches so it never holds the SQLite write lock for
 * long; on PostgreSQL one node does it at a time"). Time and the pause between batches
 * are injected: nothing here sleeps on the real clock. The steps are fakes, except in
 * the last two tests, which run the real table on a real SQLite store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/purge.h"
#include "store/store_oauth.h"
#include "store/store_purge.h"
#include "support/tmp_store.h"

#define T0 ((int64_t)1800000000)

static int64_t fixed_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* A fake kind: `left` dead rows; each call deletes min(limit, left). */
struct fake_kind {
	size_t left;
	unsigned calls;
	int64_t last_now;
	size_t last_limit;
	enum qoc_err fail_with; /* returned from the first call when set */
};
static struct fake_kind kinds[3];
static unsigned pauses;
static unsigned pause_ms_seen;
static int pause_stop_after = -1; /* the pause that answers "stop", -1: never */

static enum qoc_err fake(struct fake_kind *k, int64_t now, size_t limit, size_t *deleted)
{
	k->calls++;
	k->last_now = now;
	k->last_limit = limit;
	*deleted = 0;
	if (k->fail_with)
		return k->fail_with;
	size_t n = k->left < limit ? k->left : limit;
	k->left -= n;
	*deleted = n;
	return QOC_OK;
}
static enum qoc_err fake0(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	(void)st;
	return fake(&kinds[0], now, limit, deleted);
}
static enum qoc_err fake1(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	(void)st;
	return fake(&kinds[1], now, limit, deleted);
}
static enum qoc_err fake2(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	(void)st;
	return fake(&kinds[2], now, limit, deleted);
}
static const struct qoc_purge_step fake_steps[] = {
    {"first", fake0}, {"second", fake1}, {"third", fake2}};

static bool count_pause(void *ctx, unsigned ms)
{
	(void)ctx;
	pause_ms_seen = ms;
	return (int)pauses++ != pause_stop_after;
}

static int reset(void **state)
{
	(void)state;
	memset(kinds, 0, sizeof(kinds));
	pauses = 0;
	pause_ms_seen = 0;
	pause_stop_after = -1;
	return 0;
}

static int64_t now_value = T0;
static const struct qoc_clock clock_fixed = {fixed_now, &now_value};

static struct qoc_purge_options fake_options(size_t batch, unsigned max_batches)
{
	return (struct qoc_purge_options){.store = (struct qoc_store *)&kinds, /* never read */
	                                  .clock = &clock_fixed,
	                                  .batch = batch,
	                                  .pause_ms = 7,
	                                  .max_batches = max_batches,
	                                  .steps = fake_steps,
	                                  .nsteps = 3,
	                                  .pause = count_pause};
}

/* Small batches, a pause between every two (the write lock is free in between), each
 * kind until a short batch; the injected time is what every step is asked about. */
static void a_round_runs_each_kind_in_paused_batches(void **state)
{
	(void)state;
	kinds[0].left = 25;
	kinds[2].left = 10;
	struct qoc_purge_options o = fake_options(10, 0);
	struct qoc_purge_report r;
	assert_int_equal(qoc_purge_round(&o, &r), QOC_OK);
	assert_int_equal(kinds[0].calls, 3); /* 10, 10, 5 */
	assert_int_equal(kinds[1].calls, 1); /* nothing dead */
	assert_int_equal(kinds[2].calls, 2); /* 10, then 0: a full batch asks again */
	assert_int_equal(kinds[0].last_limit, 10);
	assert_int_equal(kinds[0].last_now, T0);
	assert_int_equal(kinds[2].last_now, T0);
	assert_int_equal(pauses, 3 + 1 + 2 - 1); /* between every two batches of the round */
	assert_int_equal(pause_ms_seen, 7);
	assert_int_equal(r.at, T0);
	assert_int_equal(r.nkinds, 3);
	assert_string_equal(r.kinds[0].kind, "first");
	assert_int_equal(r.kinds[0].deleted, 25);
	assert_int_equal(r.kinds[1].deleted, 0);
	assert_int_equal(r.kinds[2].deleted, 10);
	assert_false(r.skipped);
	assert_false(r.stopped);
	assert_int_equal(r.err, QOC_OK);
}

/* A backlog bigger than max_batches x batch is left for the next round: a round is
 * bounded in work whatever an attacker made. */
static void a_round_is_bounded_and_the_next_goes_on(void **state)
{
	(void)state;
	kinds[0].left = 1000;
	struct qoc_purge_options o = fake_options(10, 5);
	struct qoc_purge_report r;
	assert_int_equal(qoc_purge_round(&o, &r), QOC_OK);
	assert_int_equal(r.kinds[0].deleted, 50);
	assert_int_equal(kinds[0].calls, 5);
	now_value = T0 + 60;
	assert_int_equal(qoc_purge_round(&o, &r), QOC_OK);
	assert_int_equal(r.kinds[0].deleted, 50);
	assert_int_equal(r.at, T0 + 60);
	assert_int_equal(kinds[0].last_now, T0 + 60);
	assert_int_equal(kinds[0].left, 900);
	now_value = T0;
}

/* One kind failing (the store is locked) is reported, and the other kinds still run. */
static void a_failing_kind_is_reported_and_the_rest_still_run(void **state)
{
	(void)state;
	kinds[0].fail_with = QOC_EBUSY;
	kinds[1].left = 3;
	struct qoc_purge_options o = fake_options(10, 0);
	struct qoc_purge_report r;
	assert_int_equal(qoc_purge_round(&o, &r), QOC_EBUSY);
	assert_int_equal(r.err, QOC_EBUSY);
	assert_int_equal(r.kinds[0].err, QOC_EBUSY);
	assert_int_equal(r.kinds[1].err, QOC_OK);
	assert_int_equal(r.kinds[1].deleted, 3);
	assert_int_equal(kinds[2].calls, 1);
}

/* PostgreSQL: another node holds the purge (QOC_ECONFLICT). This node's round ends there,
 * marked skipped, not failed: one node purges at a time. */
static void another_node_purging_skips_the_round(void **state)
{
	(void)state;
	kinds[0].left = 5;
	kinds[1].fail_with = QOC_ECONFLICT;
	kinds[2].left = 5;
	struct qoc_purge_options o = fake_options(10, 0);
	struct qoc_purge_report r;
	assert_int_equal(qoc_purge_round(&o, &r), QOC_OK);
	assert_true(r.skipped);
	assert_int_equal(r.err, QOC_OK);
	assert_int_equal(r.kinds[0].deleted, 5);
	assert_int_equal(kinds[2].calls, 0);
	assert_int_equal(r.nkinds, 3); /* still listed, with 0 */
	assert_int_equal(r.kinds[2].deleted, 0);
}

/* A stop during the pause ends the round before the next batch. */
static void a_stop_ends_the_round_between_batches(void **state)
{
	(void)state;
	kinds[0].left = 100;
	pause_stop_after = 1; /* the second pause says stop */
	struct qoc_purge_options o = fake_options(10, 0);
	struct qoc_purge_report r;
	assert_int_equal(qoc_purge_round(&o, &r), QOC_OK);
	assert_true(r.stopped);
	assert_int_equal(kinds[0].calls, 2);
	assert_int_equal(kinds[1].calls, 0);
}

static void bad_options_are_refused(void **state)
{
	(void)state;
	struct qoc_purge_options o = fake_options(10, 0);
	o.clock = NULL;
	assert_int_equal(qoc_purge_round(&o, NULL), QOC_EINVAL);
	o = fake_options(10, 0);
	o.nsteps = QOC_PURGE_STEPS_MAX + 1;
	assert_int_equal(qoc_purge_round(&o, NULL), QOC_EINVAL);
	struct qoc_purger *p = (void *)1;
	o = fake_options(10, 0);
	o.interval_s = 0;
	o.pause = NULL;
	assert_int_equal(qoc_purger_start(&o, &p), QOC_EINVAL);
	assert_null(p);
	o.interval_s = 60;
	o.pause = count_pause; /* the thread brings its own */
	assert_int_equal(qoc_purger_start(&o, &p), QOC_EINVAL);
	qoc_purger_stop(NULL);
	struct qoc_purge_report r;
	qoc_purger_last(NULL, &r);
	assert_int_equal(r.at, 0);
}

/* The thread: a first round at once; stop interrupts the wait for the next one and joins.
 * (The test waits for the round's step, not for any duration.) */
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_cv = PTHREAD_COND_INITIALIZER;
static unsigned seen_calls;
static enum qoc_err signalling(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted)
{
	(void)st;
	(void)now;
	(void)limit;
	*deleted = 2;
	pthread_mutex_lock(&seen_mu);
	seen_calls++;
	pthread_cond_broadcast(&seen_cv);
	pthread_mutex_unlock(&seen_mu);
	return QOC_OK;
}

static void the_thread_runs_a_round_at_start_and_stop_joins_it(void **state)
{
	(void)state;
	static const struct qoc_purge_step steps[] = {{"only", signalling}};
	struct qoc_purge_options o = {.store = (struct qoc_store *)&kinds,
	                              .clock = &clock_fixed,
	                              .interval_s = 86400,
	                              .steps = steps,
	                              .nsteps = 1};
	struct qoc_purger *p = NULL;
	assert_int_equal(qoc_purger_start(&o, &p), QOC_OK);
	assert_int_equal(qoc_purger_interval(p), 86400);
	struct qoc_purge_report r;
	pthread_mutex_lock(&seen_mu);
	while (seen_calls == 0)
		pthread_cond_wait(&seen_cv, &seen_mu);
	pthread_mutex_unlock(&seen_mu);
	/* The report is published right after the round: wait for it the same way. */
	do {
		qoc_purger_last(p, &r);
	} while (r.rounds == 0 && sched_yield() == 0);
	assert_int_equal(r.rounds, 1);
	assert_int_equal(r.at, T0);
	assert_int_equal(r.kinds[0].deleted, 2);
	qoc_purger_stop(p); /* returns although the next round is a day away */
	assert_int_equal(seen_calls, 1);
}

/* The real table on a real SQLite store: every kind of expired state is a step (names
 * unique: the /readyz keys), and a round deletes what died (revoked families a day old). */
static void the_real_steps_purge_a_sqlite_store(void **state)
{
	(void)state;
	assert_true(qoc_purge_step_count <= QOC_PURGE_STEPS_MAX);
	for (size_t i = 0; i < qoc_purge_step_count; i++)
		for (size_t j = i + 1; j < qoc_purge_step_count; j++)
			assert_true(strcmp(qoc_purge_steps[i].kind, qoc_purge_steps[j].kind) != 0);
	struct tmp_store t;
	tmp_store_open(&t);
	for (int i = 0; i < 5; i++) {
		char fam[16];
		snprintf(fam, sizeof(fam), "fam_%d", i);
		assert_int_equal(
		    qoc_store_family_revoke(t.st, fam, T0 - QOC_STORE_PURGE_GRACE_SECONDS - 1),
		    QOC_OK);
	}
	assert_int_equal(qoc_store_family_revoke(t.st, "fam_recent", T0), QOC_OK);
	struct qoc_purge_options o = {
	    .store = t.st, .clock = &clock_fixed, .batch = 2, .pause = count_pause};
	struct qoc_purge_report r;
	assert_int_equal(qoc_purge_round(&o, &r), QOC_OK);
	assert_int_equal(r.nkinds, qoc_purge_step_count);
	uint64_t total = 0;
	for (size_t i = 0; i < r.nkinds; i++) {
		assert_int_equal(r.kinds[i].err, QOC_OK);
		if (strcmp(r.kinds[i].kind, "revoked_families") == 0)
			assert_int_equal(r.kinds[i].deleted, 5);
		total += r.kinds[i].deleted;
	}
	assert_int_equal(total, 5);
	/* Again: nothing left but the recent one. */
	assert_int_equal(qoc_purge_round(&o, &r), QOC_OK);
	for (size_t i = 0; i < r.nkinds; i++)
		assert_int_equal(r.kinds[i].deleted, 0);
	tmp_store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(a_round_runs_each_kind_in_paused_batches, reset),
	    cmocka_unit_test_setup(a_round_is_bounded_and_the_next_goes_on, reset),
	    cmocka_unit_test_setup(a_failing_kind_is_reported_and_the_rest_still_run, reset),
	    cmocka_unit_test_setup(another_node_purging_skips_the_round, reset),
	    cmocka_unit_test_setup(a_stop_ends_the_round_between_batches, reset),
	    cmocka_unit_test_setup(bad_options_are_refused, reset),
	    cmocka_unit_test_setup(the_thread_runs_a_round_at_start_and_stop_joins_it, reset),
	    cmocka_unit_test_setup(the_real_steps_purge_a_sqlite_store, reset),
	};
	return cmocka_run_group_tests_name("store_purge", tests, NULL, NULL);
}
