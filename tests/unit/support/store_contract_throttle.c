/* store_contract_throttle.c - the contract for throttle budgets (see the "throttles" block
 * in store.h and login/throttle.h): reservations are atomic and bounded by the budget,
 * failures lock with a doubling lock, a quiet window forgets, reservations expire, and
 * the purge deletes only rows that remember nothing. Only the store headers are used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "store/store_throttle.h"
#include "support/store_contract_priv.h"

static const struct qoc_store_throttle_params P = {
    .max_failures = 3, .window = 900, .lock_base = 30, .lock_max = 100, .pending_ttl = 60};

static bool reserve(struct qoc_store *st, const char *key, int64_t now, int64_t *failures,
                    int64_t *locked_until)
{
	bool granted = false;
	assert_int_equal(
	    qoc_store_throttle_reserve(st, key, &P, now, &granted, failures, locked_until), QOC_OK);
	return granted;
}

static int64_t tfail(struct qoc_store *st, const char *key, int64_t now, bool reserved)
{
	int64_t until = -1;
	assert_int_equal(qoc_store_throttle_fail(st, key, &P, now, reserved, &until), QOC_OK);
	return until;
}

/* attack: many parallel wrong passwords; only the budget's attempts run. */
static void reservations_stop_at_the_budget(void **state)
{
	struct contract_fixture *f = *state;
	int64_t failures = -1;
	assert_true(reserve(f->st, "t:a", 1000, &failures, NULL));
	assert_int_equal(failures, 0);
	assert_true(reserve(f->st, "t:a", 1000, NULL, NULL));
	assert_true(reserve(f->st, "t:a", 1000, NULL, NULL));
	assert_false(reserve(f->st, "t:a", 1000, NULL, NULL)); /* 3 in flight: the budget */
	assert_true(reserve(f->st, "t:b", 1000, NULL, NULL));  /* another key is its own */
	/* A right attempt gives its reservation back. */
	assert_int_equal(qoc_store_throttle_cancel(f->st, "t:a", 1001), QOC_OK);
	assert_true(reserve(f->st, "t:a", 1001, NULL, NULL));
	contract_reopen(f); /* reservations are durable like any write */
	assert_false(reserve(f->st, "t:a", 1001, NULL, NULL));
	/* A node that died mid-attempt: its reservations stop counting after pending_ttl. */
	assert_true(reserve(f->st, "t:a", 1001 + 61, NULL, NULL));
}

static void failures_lock_and_the_lock_doubles(void **state)
{
	struct contract_fixture *f = *state;
	int64_t failures = -1, until = -1;
	assert_int_equal(tfail(f->st, "t:a", 1000, false), 0);
	assert_int_equal(tfail(f->st, "t:a", 1001, false), 0);
	assert_true(reserve(f->st, "t:a", 1002, &failures, NULL));
	assert_int_equal(failures, 2);
	assert_int_equal(tfail(f->st, "t:a", 1002, true), 1032); /* the 3rd: 30 s */
	assert_false(reserve(f->st, "t:a", 1031, NULL, &until));
	assert_int_equal(until, 1032);
	/* After the lock, one attempt at a time; its failure locks twice as long. */
	assert_true(reserve(f->st, "t:a", 1032, NULL, NULL));
	assert_false(reserve(f->st, "t:a", 1032, NULL, NULL));
	assert_int_equal(tfail(f->st, "t:a", 1033, true), 1093);
	assert_int_equal(tfail(f->st, "t:a", 1093, false), 1193); /* 120 capped at 100 */
	/* A quiet window after the lock forgets everything. */
	assert_true(reserve(f->st, "t:a", 1193 + 900, &failures, NULL));
	assert_int_equal(failures, 0);
	assert_int_equal(tfail(f->st, "t:a", 2100, true), 0);
}

static void forget_and_cancel_of_unknown_keys(void **state)
{
	struct contract_fixture *f = *state;
	assert_int_equal(qoc_store_throttle_cancel(f->st, "t:none", 1), QOC_OK);
	assert_int_equal(qoc_store_throttle_forget(f->st, "t:none"), QOC_OK);
	tfail(f->st, "t:a", 1000, false);
	tfail(f->st, "t:a", 1000, false);
	assert_int_equal(tfail(f->st, "t:a", 1000, false), 1030);
	assert_int_equal(qoc_store_throttle_forget(f->st, "t:a"), QOC_OK);
	assert_true(reserve(f->st, "t:a", 1001, NULL, NULL));
}

static void purge_deletes_only_rows_that_remember_nothing(void **state)
{
	struct contract_fixture *f = *state;
	size_t deleted = 99;
	tfail(f->st, "t:old", 1000, false);                          /* quiet from 1900 */
	tfail(f->st, "t:new", 1500, false);                          /* quiet from 2400 */
	assert_true(reserve(f->st, "t:inflight", 1000, NULL, NULL)); /* expires at 1060 */
	assert_int_equal(qoc_store_throttle_purge(f->st, 1899, 100, &deleted), QOC_OK);
	assert_int_equal(deleted, 1); /* t:inflight */
	assert_int_equal(qoc_store_throttle_purge(f->st, 1900, 100, &deleted), QOC_OK);
	assert_int_equal(deleted, 1); /* t:old */
	assert_int_equal(qoc_store_throttle_purge(f->st, 1900, 100, &deleted), QOC_OK);
	assert_int_equal(deleted, 0);
	int64_t failures = -1;
	assert_true(reserve(f->st, "t:new", 1900, &failures, NULL));
	assert_int_equal(failures, 1); /* still remembered */
	/* Batches: at most limit rows per call. */
	tfail(f->st, "t:x1", 1, false);
	tfail(f->st, "t:x2", 1, false);
	tfail(f->st, "t:x3", 1, false);
	assert_int_equal(qoc_store_throttle_purge(f->st, 2000, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 2);
	assert_int_equal(qoc_store_throttle_purge(f->st, 2000, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 1);
}

struct race {
	struct qoc_store *st;
	int granted;
};

static void *race_main(void *arg)
{
	struct race *r = arg;
	for (int i = 0; i < 5; i++) {
		bool g = false;
		if (qoc_store_throttle_reserve(r->st, "t:race", &P, 1000, &g, NULL, NULL) ==
		        QOC_OK &&
		    g)
			r->granted++;
	}
	return NULL;
}

/* attack: parallel attempts on several nodes; together they get the budget, no more. */
static void concurrent_reservations_share_one_budget(void **state)
{
	struct contract_fixture *f = *state;
	pthread_t th[4];
	struct race r[4];
	for (int i = 0; i < 4; i++) {
		r[i] = (struct race){.st = f->st};
		assert_int_equal(pthread_create(&th[i], NULL, race_main, &r[i]), 0);
	}
	int total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += r[i].granted;
	}
	assert_int_equal(total, 3);
}

static void throttle_refuses_bad_arguments(void **state)
{
	struct contract_fixture *f = *state;
	bool g = true;
	char longkey[QOC_STORE_THROTTLE_KEY_MAX + 2];
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	struct qoc_store_throttle_params bad = P;
	bad.max_failures = 0;
	assert_int_equal(qoc_store_throttle_reserve(f->st, "", &P, 1, &g, NULL, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_throttle_reserve(f->st, longkey, &P, 1, &g, NULL, NULL),
	                 QOC_EINVAL);
	assert_int_equal(qoc_store_throttle_reserve(f->st, "k", &bad, 1, &g, NULL, NULL),
	                 QOC_EINVAL);
	assert_int_equal(qoc_store_throttle_fail(f->st, "k", NULL, 1, false, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_throttle_cancel(f->st, NULL, 1), QOC_EINVAL);
	assert_int_equal(qoc_store_throttle_forget(f->st, ""), QOC_EINVAL);
	assert_int_equal(qoc_store_throttle_purge(f->st, 1, 0, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_throttle_purge(f->st, 1, QOC_STORE_THROTTLE_PURGE_MAX + 1, NULL),
	                 QOC_EINVAL);
}

int store_contract_throttle_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(reservations_stop_at_the_budget,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(failures_lock_and_the_lock_doubles,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(forget_and_cancel_of_unknown_keys,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(purge_deletes_only_rows_that_remember_nothing,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(concurrent_reservations_share_one_budget,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(throttle_refuses_bad_arguments, contract_setup_migrated,
	                                    contract_teardown),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
