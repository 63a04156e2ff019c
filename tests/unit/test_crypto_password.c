/* Unit tests for src/crypto/password: argon2id hashing and the concurrency limiter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/password.h"

static void hash_and_verify(void **state)
{
	(void)state;
	char h[QOC_PASSWORD_HASH_SIZE], h2[QOC_PASSWORD_HASH_SIZE];
	const char *pw = "correct horse battery staple";
	assert_int_equal(qoc_password_hash(pw, strlen(pw), h), QOC_OK);
	/* OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
	assert_memory_equal(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31);
	assert_true(qoc_password_verify(h, pw, strlen(pw)));
	assert_false(qoc_password_verify(h, pw, strlen(pw) - 1));
	assert_false(qoc_password_verify(h, "Correct horse battery staple", strlen(pw)));
	assert_false(qoc_password_verify(h, "", 0));
	assert_false(qoc_password_needs_rehash(h));

	/* A fresh salt each time. */
	assert_int_equal(qoc_password_hash(pw, strlen(pw), h2), QOC_OK);
	assert_string_not_equal(h, h2);
	assert_true(qoc_password_verify(h2, pw, strlen(pw)));

	/* Passwords are bytes: NULs and the empty password hash fine. */
	assert_int_equal(qoc_password_hash("a\0b", 3, h), QOC_OK);
	assert_true(qoc_password_verify(h, "a\0b", 3));
	assert_false(qoc_password_verify(h, "a\0c", 3));
	assert_int_equal(qoc_password_hash("", 0, h), QOC_OK);
	assert_true(qoc_password_verify(h, "", 0));
}

static void over_long_and_malformed_inputs(void **state)
{
	(void)state;
	static char big[QOC_PASSWORD_MAX_LEN + 1];
	char h[QOC_PASSWORD_HASH_SIZE];
	memset(big, 'x', sizeof(big));
	assert_int_equal(qoc_password_hash(big, sizeof(big), h), QOC_EINVAL);
	assert_int_equal(qoc_password_hash(big, QOC_PASSWORD_MAX_LEN, h), QOC_OK);
	assert_true(qoc_password_verify(h, big, QOC_PASSWORD_MAX_LEN));
	assert_false(qoc_password_verify(h, big, sizeof(big)));

	assert_false(qoc_password_verify("", "x", 1));
	assert_false(qoc_password_verify("$argon2id$v=19$m=19456,t=2,p=1$bad", "x", 1));
	assert_false(qoc_password_verify(NULL, "x", 1));
	static char unterminated[QOC_PASSWORD_HASH_SIZE + 8];
	memset(unterminated, 'a', sizeof(unterminated) - 1);
	assert_false(qoc_password_verify(unterminated, "x", 1));
	assert_true(qoc_password_needs_rehash(unterminated));
	assert_true(qoc_password_needs_rehash("garbage"));
	assert_true(qoc_password_needs_rehash(""));
}

static void needs_rehash_on_other_algorithm_or_parameters(void **state)
{
	(void)state;
	char h[crypto_pwhash_STRBYTES];
	const char *pw = "pw";
	assert_true(sodium_init() >= 0);
	assert_int_equal(
	    crypto_pwhash_str_alg(h, pw, 2, 3, QOC_PASSWORD_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13),
	    0);
	assert_true(qoc_password_needs_rehash(h));  /* t=3 */
	assert_true(qoc_password_verify(h, pw, 2)); /* still verifies */
	assert_int_equal(crypto_pwhash_str_alg(h, pw, 2, 2, 8u << 20, crypto_pwhash_ALG_ARGON2ID13),
	                 0);
	assert_true(qoc_password_needs_rehash(h)); /* m=8 MiB */
	/* argon2i (its minimum t is 3) */
	assert_int_equal(
	    crypto_pwhash_str_alg(h, pw, 2, 3, QOC_PASSWORD_MEMLIMIT, crypto_pwhash_ALG_ARGON2I13),
	    0);
	assert_true(qoc_password_needs_rehash(h));
	assert_true(qoc_password_verify(h, pw, 2));
}

static double seconds_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* SECURITY.md "Passwords": same answer and same time for an unknown account. The work is
 * identical, so the best of five alternating runs of each must be within a factor of two
 * (scheduling noise only ever adds time; the best run is the cost of the work). */
static void dummy_verify_costs_a_real_verify(void **state)
{
	(void)state;
	char stored[QOC_PASSWORD_HASH_SIZE];
	double real = 1e9, dummy = 1e9;
	assert_int_equal(qoc_password_hash("right", 5, stored), QOC_OK);
	for (int i = 0; i < 5; i++) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_false(qoc_password_verify(stored, "wrong", 5));
		double s = seconds_since(&t);
		real = s < real ? s : real;
		clock_gettime(CLOCK_MONOTONIC, &t);
		qoc_password_dummy_verify("wrong", 5);
		s = seconds_since(&t);
		dummy = s < dummy ? s : dummy;
	}
	if (dummy < real / 2 || dummy > real * 2)
		fail_msg("dummy verify %.1f ms, real verify %.1f ms", dummy * 1e3, real * 1e3);
}

static unsigned waiting_of(struct qoc_pwlimit *l)
{
	pthread_mutex_lock(&l->lock);
	unsigned n = l->waiting;
	pthread_mutex_unlock(&l->lock);
	return n;
}

struct waiter {
	struct qoc_pwlimit *l;
	enum qoc_err err;
	atomic_bool entered;
};

static void *wait_then_leave(void *arg)
{
	struct waiter *w = arg;
	w->err = qoc_pwlimit_enter(w->l);
	if (w->err == QOC_OK) {
		atomic_store(&w->entered, true);
		qoc_pwlimit_leave(w->l);
	}
	return NULL;
}

/* One slot, one waiting place: the third caller is turned away at once. */
static void limiter_full_waiting_room_is_busy(void **state)
{
	(void)state;
	struct qoc_pwlimit l;
	assert_int_equal(qoc_pwlimit_init(&l, 1, 1), QOC_OK);
	assert_int_equal(qoc_pwlimit_enter(&l), QOC_OK);

	struct waiter w = {.l = &l};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, wait_then_leave, &w), 0);
	for (int i = 0; i < 5000 && waiting_of(&l) == 0; i++)
		usleep(1000);
	assert_int_equal(waiting_of(&l), 1);
	assert_false(atomic_load(&w.entered));

	assert_int_equal(qoc_pwlimit_enter(&l), QOC_EBUSY);

	qoc_pwlimit_leave(&l);
	pthread_join(th, NULL);
	assert_int_equal(w.err, QOC_OK);
	assert_true(atomic_load(&w.entered));
	assert_int_equal(l.active, 0);
	assert_int_equal(l.waiting, 0);
	qoc_pwlimit_release(&l);
}

static void limiter_without_waiting_room(void **state)
{
	(void)state;
	struct qoc_pwlimit l;
	assert_int_equal(qoc_pwlimit_init(&l, 0, 4), QOC_EINVAL);
	assert_int_equal(qoc_pwlimit_init(&l, 2, 0), QOC_OK);
	assert_int_equal(qoc_pwlimit_enter(&l), QOC_OK);
	assert_int_equal(qoc_pwlimit_enter(&l), QOC_OK);
	assert_int_equal(qoc_pwlimit_enter(&l), QOC_EBUSY);
	qoc_pwlimit_leave(&l);
	assert_int_equal(qoc_pwlimit_enter(&l), QOC_OK);
	qoc_pwlimit_leave(&l);
	qoc_pwlimit_leave(&l);
	qoc_pwlimit_release(&l);
}

struct worker {
	struct qoc_pwlimit *l;
	atomic_int *inside;
	atomic_int *most;
	int busy;
};

static void *hash_worker(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 3; i++) {
		if (qoc_pwlimit_enter(w->l) != QOC_OK) {
			w->busy++;
			continue;
		}
		int now = atomic_fetch_add(w->inside, 1) + 1;
		int m = atomic_load(w->most);
		while (now > m && !atomic_compare_exchange_weak(w->most, &m, now))
			;
		qoc_password_dummy_verify("pw", 2);
		atomic_fetch_sub(w->inside, 1);
		qoc_pwlimit_leave(w->l);
	}
	return NULL;
}

/* Never more than max_active hashes at once; with enough waiting room nobody is refused. */
static void limiter_bounds_concurrent_hashes(void **state)
{
	(void)state;
	enum { THREADS = 6 };
	struct qoc_pwlimit l;
	atomic_int inside = 0, most = 0;
	struct worker w[THREADS];
	pthread_t th[THREADS];
	assert_int_equal(qoc_pwlimit_init(&l, 2, THREADS), QOC_OK);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){&l, &inside, &most, 0};
		assert_int_equal(pthread_create(&th[i], NULL, hash_worker, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].busy, 0);
	}
	assert_true(atomic_load(&most) <= 2);
	assert_true(atomic_load(&most) >= 1);
	qoc_pwlimit_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hash_and_verify),
	    cmocka_unit_test(over_long_and_malformed_inputs),
	    cmocka_unit_test(needs_rehash_on_other_algorithm_or_parameters),
	    cmocka_unit_test(dummy_verify_costs_a_real_verify),
	    cmocka_unit_test(limiter_full_waiting_room_is_busy),
	    cmocka_unit_test(limiter_without_waiting_room),
	    cmocka_unit_test(limiter_bounds_concurrent_hashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
