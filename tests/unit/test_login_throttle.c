/* Unit tests for src/login/throttle.c: sign-in throttling per account and per address.
 * "SECURITY.md Passwords" is the "Passwords" rule of /work/shared/SECURITY.md ("login
 * throttled per account and per address"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "login/throttle.h"

#define T0 ((int64_t)1700000000)

static struct qoc_throttle *account_table(void)
{
	const struct qoc_throttle_params p = QOC_THROTTLE_ACCOUNT_PARAMS;
	struct qoc_throttle *t = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &p);
	assert_non_null(t);
	return t;
}

static void fail_n(struct qoc_throttle *t, const char *key, int n, int64_t now)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(qoc_throttle_fail(t, key, now), QOC_OK);
}

/* SECURITY.md Passwords: login throttled per account - locked after 5 failures. */
static void locks_after_max_failures(void **state)
{
	(void)state;
	struct qoc_throttle *t = account_table();
	int64_t retry = -1;
	const char *k = "acct:alice@example.com";
	assert_true(qoc_throttle_check(t, k, T0, &retry));
	assert_int_equal(retry, 0);
	fail_n(t, k, 4, T0);
	assert_true(qoc_throttle_check(t, k, T0, &retry));
	fail_n(t, k, 1, T0 + 1);
	assert_false(qoc_throttle_check(t, k, T0 + 1, &retry));
	assert_int_equal(retry, 30);
	assert_false(qoc_throttle_check(t, k, T0 + 30, &retry));
	assert_int_equal(retry, 1);
	assert_true(qoc_throttle_check(t, k, T0 + 31, &retry)); /* the lock ends */
	assert_int_equal(retry, 0);
	/* Checking is not a failure: 4 failures and any number of checks stay allowed. */
	fail_n(t, "acct:x", 4, T0);
	for (int i = 0; i < 100; i++)
		assert_true(qoc_throttle_check(t, "acct:x", T0, NULL));
	qoc_throttle_free(t);
}

/* SECURITY.md Passwords: exponential back-off 30 s, 60 s, ... capped at 15 min. */
static void retry_after_grows_and_is_capped(void **state)
{
	(void)state;
	struct qoc_throttle *t = account_table();
	const char *k = "acct:bob@example.com";
	int64_t now = T0, retry = 0;
	fail_n(t, k, 5, now);
	const int64_t want[] = {30, 60, 120, 240, 480, 900, 900, 900};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_false(qoc_throttle_check(t, k, now, &retry));
		assert_int_equal(retry, want[i]);
		now += retry; /* wait out the lock, then fail once more */
		assert_true(qoc_throttle_check(t, k, now, &retry));
		fail_n(t, k, 1, now);
	}
	/* The last failure locked it for 900 s. When that lock ends the back-off is still
	 * remembered: one more failure locks it again at once. */
	now += 900;
	assert_false(qoc_throttle_check(t, k, now - 1, NULL));
	assert_true(qoc_throttle_check(t, k, now, &retry));
	assert_int_equal(qoc_throttle_fail(t, k, now), QOC_OK);
	assert_false(qoc_throttle_check(t, k, now, &retry));
	assert_int_equal(retry, 900);
	/* 15 minutes of quiet after the lock ends forget the key. */
	now += 900 + 899;
	assert_true(qoc_throttle_check(t, k, now, NULL));
	assert_int_equal(qoc_throttle_count(t), 1);
	now += 1;
	assert_true(qoc_throttle_check(t, k, now, &retry));
	assert_int_equal(qoc_throttle_count(t), 0);
	fail_n(t, k, 4, now);
	assert_true(qoc_throttle_check(t, k, now, NULL)); /* counting from zero again */
	fail_n(t, k, 1, now);
	assert_false(qoc_throttle_check(t, k, now, &retry));
	assert_int_equal(retry, 30); /* and the back-off too */
	qoc_throttle_free(t);
}

/* Failures spread out by less than the window keep counting (it slides with them). */
static void window_slides_with_failures(void **state)
{
	(void)state;
	struct qoc_throttle *t = account_table();
	const char *k = "acct:slow@example.com";
	for (int i = 0; i < 4; i++)
		fail_n(t, k, 1, T0 + i * 899);
	assert_true(qoc_throttle_check(t, k, T0 + 4 * 899, NULL));
	fail_n(t, k, 1, T0 + 4 * 899);
	assert_false(qoc_throttle_check(t, k, T0 + 4 * 899, NULL));
	/* A gap of a full window forgets the count. */
	fail_n(t, "acct:gap", 4, T0);
	fail_n(t, "acct:gap", 1, T0 + 900);
	assert_true(qoc_throttle_check(t, "acct:gap", T0 + 900, NULL));
	qoc_throttle_free(t);
}

/* SECURITY.md Passwords: a successful sign-in resets the account key. */
static void success_resets(void **state)
{
	(void)state;
	struct qoc_throttle *t = account_table();
	const char *k = "acct:carol@example.com";
	fail_n(t, k, 5, T0);
	assert_false(qoc_throttle_check(t, k, T0, NULL));
	qoc_throttle_success(t, k);
	assert_true(qoc_throttle_check(t, k, T0, NULL));
	assert_int_equal(qoc_throttle_count(t), 0);
	fail_n(t, k, 4, T0);
	assert_true(qoc_throttle_check(t, k, T0, NULL)); /* the count started over */
	qoc_throttle_success(t, "acct:never-seen");      /* harmless */
	qoc_throttle_free(t);
}

/* The hot path's shortcut (client authentication skips building keys while no table holds
 * an entry): idle exactly while nothing is counted, so a lock is never skipped. */
static void idle_while_nothing_is_counted(void **state)
{
	(void)state;
	struct qoc_throttle *t = account_table();
	assert_true(qoc_throttle_idle(t));
	assert_int_equal(qoc_throttle_fail(t, "ip:127.0.0.2", T0), QOC_OK);
	assert_false(qoc_throttle_idle(t));
	fail_n(t, "ip:127.0.0.2", 4, T0);
	assert_false(qoc_throttle_check(t, "ip:127.0.0.2", T0, NULL)); /* locked, not idle */
	qoc_throttle_success(t, "ip:127.0.0.2");
	assert_true(qoc_throttle_idle(t));
	qoc_throttle_free(t);
}

/* SECURITY.md Passwords: throttled per address, independently of accounts (20 failures). */
static void per_address_is_independent(void **state)
{
	(void)state;
	struct qoc_throttle *accounts = account_table();
	const struct qoc_throttle_params ap = QOC_THROTTLE_ADDRESS_PARAMS;
	struct qoc_throttle *addresses = qoc_throttle_new(1024, &ap);
	assert_non_null(addresses);
	char acct[64];
	/* One address guessing 20 different accounts, 1 try each: no account locks, the
	 * address does. */
	for (int i = 0; i < 20; i++) {
		snprintf(acct, sizeof acct, "acct:user%d@example.com", i);
		assert_true(qoc_throttle_check(addresses, "ip:192.0.2.7", T0, NULL));
		assert_true(qoc_throttle_check(accounts, acct, T0, NULL));
		fail_n(addresses, "ip:192.0.2.7", 1, T0);
		fail_n(accounts, acct, 1, T0);
	}
	int64_t retry = 0;
	assert_false(qoc_throttle_check(addresses, "ip:192.0.2.7", T0, &retry));
	assert_int_equal(retry, 30);
	assert_true(qoc_throttle_check(addresses, "ip:192.0.2.8", T0, NULL));
	assert_true(qoc_throttle_check(addresses, "ip:2001:db8::1", T0, NULL));
	for (int i = 0; i < 20; i++) {
		snprintf(acct, sizeof acct, "acct:user%d@example.com", i);
		assert_true(qoc_throttle_check(accounts, acct, T0, NULL));
	}
	/* 19 failures from one address are not enough. */
	fail_n(addresses, "ip:198.51.100.1", 19, T0);
	assert_true(qoc_throttle_check(addresses, "ip:198.51.100.1", T0, NULL));
	/* Keys differing only in their prefix are different keys. */
	fail_n(accounts, "acct:192.0.2.9", 5, T0);
	assert_true(qoc_throttle_check(accounts, "ip:192.0.2.9", T0, NULL));
	qoc_throttle_free(accounts);
	qoc_throttle_free(addresses);
}

/* The table never holds more than its capacity, whatever the number of keys. */
static void capacity_bound_holds(void **state)
{
	(void)state;
	struct qoc_throttle *t = account_table();
	char key[64];
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "acct:spray%d@example.com", i);
		assert_int_equal(qoc_throttle_fail(t, key, T0 + i / 1000), QOC_OK);
		assert_true(qoc_throttle_count(t) <= QOC_THROTTLE_DEFAULT_CAP);
	}
	assert_int_equal(qoc_throttle_count(t), QOC_THROTTLE_DEFAULT_CAP);
	/* The most recent keys are still counted; the oldest were evicted. */
	snprintf(key, sizeof key, "acct:spray%d@example.com", 99999);
	fail_n(t, key, 4, T0 + 100);
	assert_false(qoc_throttle_check(t, key, T0 + 100, NULL));
	qoc_throttle_free(t);
}

/* Flooding a full table with fresh keys does not unlock a locked account. */
static void eviction_spares_locked_keys(void **state)
{
	(void)state;
	const struct qoc_throttle_params p = QOC_THROTTLE_ACCOUNT_PARAMS;
	struct qoc_throttle *t = qoc_throttle_new(64, &p);
	assert_non_null(t);
	fail_n(t, "acct:victim@example.com", 5, T0);
	char key[64];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "acct:junk%d", i);
		fail_n(t, key, 1, T0 + 1);
	}
	assert_int_equal(qoc_throttle_count(t), 64);
	assert_false(qoc_throttle_check(t, "acct:victim@example.com", T0 + 1, NULL));
	qoc_throttle_free(t);
}

static void rejects_bad_parameters(void **state)
{
	(void)state;
	struct qoc_throttle_params p = QOC_THROTTLE_ACCOUNT_PARAMS;
	assert_null(qoc_throttle_new(0, &p));
	assert_null(qoc_throttle_new((size_t)QOC_THROTTLE_MAX_CAP + 1, &p));
	assert_null(qoc_throttle_new(16, NULL));
	p.max_failures = 0;
	assert_null(qoc_throttle_new(16, &p));
	p = QOC_THROTTLE_ACCOUNT_PARAMS;
	p.lock_max = p.lock_base - 1;
	assert_null(qoc_throttle_new(16, &p));
	p = QOC_THROTTLE_ACCOUNT_PARAMS;
	p.window = 0;
	assert_null(qoc_throttle_new(16, &p));
	qoc_throttle_free(NULL);
	/* A capacity of one works. */
	p = QOC_THROTTLE_ACCOUNT_PARAMS;
	struct qoc_throttle *t = qoc_throttle_new(1, &p);
	assert_non_null(t);
	fail_n(t, "a", 1, T0);
	fail_n(t, "b", 1, T0);
	assert_int_equal(qoc_throttle_count(t), 1);
	qoc_throttle_free(t);
}

struct worker {
	struct qoc_throttle *t;
	int id;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char key[64];
	for (int i = 0; i < 20000; i++) {
		/* Shared keys (contention on the same entries) and private ones (eviction). */
		if (i % 2)
			snprintf(key, sizeof key, "acct:shared%d", i % 7);
		else
			snprintf(key, sizeof key, "ip:thread%d-%d", w->id, i);
		int64_t retry;
		if (qoc_throttle_check(w->t, key, T0, &retry))
			qoc_throttle_fail(w->t, key, T0);
		else if (i % 3 == 0)
			qoc_throttle_success(w->t, key);
	}
	return NULL;
}

/* 8 threads at once: no lost structure (ASan/UBSan watch), the bound holds. */
static void thread_safe(void **state)
{
	(void)state;
	const struct qoc_throttle_params p = QOC_THROTTLE_ACCOUNT_PARAMS;
	struct qoc_throttle *t = qoc_throttle_new(4096, &p);
	assert_non_null(t);
	pthread_t th[8];
	struct worker w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){t, i};
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	assert_true(qoc_throttle_count(t) <= 4096);
	/* Still consistent: a fresh key locks after 5 and unlocks on success. */
	fail_n(t, "acct:after", 5, T0);
	assert_false(qoc_throttle_check(t, "acct:after", T0, NULL));
	qoc_throttle_success(t, "acct:after");
	assert_true(qoc_throttle_check(t, "acct:after", T0, NULL));
	qoc_throttle_free(t);
}

/* attack: 100 parallel wrong passwords for one account. Reserved before the argon2id
 * work, only the budget's attempts run; the rest wait (Retry-After) without a check. */
static void reservations_bound_parallel_attempts(void **state)
{
	(void)state;
	const struct qoc_throttle_params p = QOC_THROTTLE_PAIR_PARAMS;
	struct qoc_throttle *t = qoc_throttle_new(64, &p);
	const char *k = "acct:bob@example.com|ip:127.0.0.2";
	int granted = 0;
	int64_t retry = -1, failures = -1;
	for (int i = 0; i < 100; i++) {
		if (qoc_throttle_reserve(t, k, T0, &retry, &failures))
			granted++;
		else
			assert_int_equal(retry, 1); /* only in-flight attempts fill the budget */
	}
	assert_int_equal(granted, 5);
	assert_int_equal(failures, 0);
	/* A right password gives its reservation back: one more may run. */
	qoc_throttle_cancel(t, k, T0);
	assert_true(qoc_throttle_reserve(t, k, T0, NULL, NULL));
	for (int i = 0; i < 5; i++)
		assert_int_equal(qoc_throttle_fail_reserved(t, k, T0), QOC_OK);
	assert_false(qoc_throttle_reserve(t, k, T0 + 1, &retry, &failures));
	assert_int_equal(retry, 29); /* locked 30 s from the 5th failure */
	assert_int_equal(failures, 5);
	/* After the lock: one attempt at a time, and its failure locks twice as long. */
	assert_true(qoc_throttle_reserve(t, k, T0 + 30, NULL, NULL));
	assert_false(qoc_throttle_reserve(t, k, T0 + 30, &retry, NULL));
	assert_int_equal(retry, 1);
	assert_int_equal(qoc_throttle_fail_reserved(t, k, T0 + 30), QOC_OK);
	assert_false(qoc_throttle_reserve(t, k, T0 + 31, &retry, NULL));
	assert_int_equal(retry, 59);
	qoc_throttle_free(t);
}

/* A reservation that is never settled (a node died mid-check) stops counting. */
static void unsettled_reservations_expire(void **state)
{
	(void)state;
	const struct qoc_throttle_params p = QOC_THROTTLE_PAIR_PARAMS;
	struct qoc_throttle *t = qoc_throttle_new(64, &p);
	for (int i = 0; i < 5; i++)
		assert_true(qoc_throttle_reserve(t, "k", T0, NULL, NULL));
	assert_false(qoc_throttle_reserve(t, "k", T0 + QOC_THROTTLE_PENDING_TTL - 1, NULL, NULL));
	assert_true(qoc_throttle_reserve(t, "k", T0 + QOC_THROTTLE_PENDING_TTL, NULL, NULL));
	/* A check does not forget a key with reservations in flight. */
	assert_true(qoc_throttle_check(t, "k", T0 + QOC_THROTTLE_PENDING_TTL, NULL));
	assert_int_equal(qoc_throttle_count(t), 1);
	qoc_throttle_free(t);
}

struct reserver {
	struct qoc_throttle *t;
	int granted;
};

static void *reserve_work(void *arg)
{
	struct reserver *r = arg;
	for (int i = 0; i < 50; i++)
		if (qoc_throttle_reserve(r->t, "acct:x", T0, NULL, NULL))
			r->granted++;
	return NULL;
}

/* attack: parallel guesses from many threads at once still get the budget, no more. */
static void concurrent_reservations_hold_the_budget(void **state)
{
	(void)state;
	const struct qoc_throttle_params p = QOC_THROTTLE_PAIR_PARAMS;
	struct qoc_throttle *t = qoc_throttle_new(64, &p);
	pthread_t th[8];
	struct reserver r[8];
	int total = 0;
	for (int i = 0; i < 8; i++) {
		r[i] = (struct reserver){.t = t};
		assert_int_equal(pthread_create(&th[i], NULL, reserve_work, &r[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		total += r[i].granted;
	}
	assert_int_equal(total, 5);
	qoc_throttle_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(locks_after_max_failures),
	    cmocka_unit_test(retry_after_grows_and_is_capped),
	    cmocka_unit_test(window_slides_with_failures),
	    cmocka_unit_test(success_resets),
	    cmocka_unit_test(idle_while_nothing_is_counted),
	    cmocka_unit_test(per_address_is_independent),
	    cmocka_unit_test(capacity_bound_holds),
	    cmocka_unit_test(eviction_spares_locked_keys),
	    cmocka_unit_test(rejects_bad_parameters),
	    cmocka_unit_test(thread_safe),
	    cmocka_unit_test(reservations_bound_parallel_attempts),
	    cmocka_unit_test(unsettled_reservations_expire),
	    cmocka_unit_test(concurrent_reservations_hold_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
