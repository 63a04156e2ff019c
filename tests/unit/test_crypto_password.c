/* Unit tests for src/crypto/password: argon2id hashing and the concurrency limiter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
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

/* Every argon2id verification password.c makes goes through libsodium's
 * crypto_pwhash_str_verify; the test links with -Wl,--wrap=crypto_pwhash_str_verify
 * (CMakeLists.txt) to see each call: the encoded string it verifies against (which fixes
 * the work: algorithm, m, t, p, salt and hash lengths) and the password length. */
int __real_crypto_pwhash_str_verify(const char *str, const char *const passwd,
                                    unsigned long long passwdlen);
int __wrap_crypto_pwhash_str_verify(const char *str, const char *const passwd,
                                    unsigned long long passwdlen);

struct pwhash_call {
	char encoded[QOC_PASSWORD_HASH_SIZE];
	unsigned long long pwlen;
	int result;
};
static atomic_int pwhash_calls;
static atomic_bool pwhash_capture; /* set only by single-threaded tests */
static struct pwhash_call pwhash_last;

int __wrap_crypto_pwhash_str_verify(const char *str, const char *const passwd,
                                    unsigned long long passwdlen)
{
	int r = __real_crypto_pwhash_str_verify(str, passwd, passwdlen);
	atomic_fetch_add(&pwhash_calls, 1);
	if (atomic_load(&pwhash_capture)) {
		snprintf(pwhash_last.encoded, sizeof pwhash_last.encoded, "%s", str);
		pwhash_last.pwlen = passwdlen;
		pwhash_last.result = r;
	}
	return r;
}

/* The work an argon2id verification does is fixed by the encoded string without its salt
 * and hash bytes: "$argon2id$v=19$m=..,t=..,p=..$" plus the two base64 lengths. */
struct pwhash_work {
	char params[64];
	size_t salt_len, hash_len;
};

static struct pwhash_work work_of(const char *encoded)
{
	struct pwhash_work w = {{0}, 0, 0};
	const char *p = encoded;
	for (int dollars = 0; *p && dollars < 4; p++)
		dollars += *p == '$';
	assert_true(p - encoded < (ptrdiff_t)sizeof w.params);
	memcpy(w.params, encoded, (size_t)(p - encoded));
	const char *sep = strchr(p, '$');
	assert_non_null(sep);
	w.salt_len = (size_t)(sep - p);
	w.hash_len = strlen(sep + 1);
	return w;
}

static struct pwhash_call one_verify(bool dummy, const char *stored, const char *pw)
{
	atomic_store(&pwhash_calls, 0);
	atomic_store(&pwhash_capture, true);
	if (dummy)
		qoc_password_dummy_verify(pw, strlen(pw));
	else
		assert_false(qoc_password_verify(stored, pw, strlen(pw)));
	atomic_store(&pwhash_capture, false);
	assert_int_equal(atomic_load(&pwhash_calls), 1);
	return pwhash_last;
}

/* SECURITY.md "Passwords" (attack: account enumeration by timing): an unknown account
 * costs what a wrong password costs. Proven by what is computed, never by the clock: the
 * dummy makes exactly one argon2id verification, as a real one does, with the same
 * algorithm and parameters (the current ones, the ones qoc_password_hash writes), the same
 * salt and hash lengths and the caller's password, and libsodium ran it to the end (a
 * refusal of the encoding itself would return before hashing and be cheap). The wall-time
 * figure is in make bench (bench/password_verify.c). */
static void dummy_verify_does_the_work_of_a_real_verify(void **state)
{
	(void)state;
	char stored[QOC_PASSWORD_HASH_SIZE];
	assert_int_equal(qoc_password_hash("right", 5, stored), QOC_OK);
	struct pwhash_call real = one_verify(false, stored, "wrong password");
	struct pwhash_call dummy = one_verify(true, NULL, "wrong password");
	struct pwhash_work rw = work_of(real.encoded), dw = work_of(dummy.encoded);
	assert_string_equal(dw.params, rw.params);
	assert_string_equal(dw.params, "$argon2id$v=19$m=19456,t=2,p=1$");
	assert_int_equal(dw.salt_len, rw.salt_len);
	assert_int_equal(dw.hash_len, rw.hash_len);
	assert_int_equal(dummy.pwlen, real.pwlen);
	assert_int_equal(real.result, -1);
	assert_int_equal(dummy.result, -1);
	/* ...and the dummy's hash is well-formed at today's parameters: libsodium parsed and
	 * computed it (a malformed one is "needs rehash" and would verify nothing). */
	assert_false(qoc_password_needs_rehash(dummy.encoded));
	/* The password length is the caller's, whatever it is (argon2id hashes it once). */
	static char big[QOC_PASSWORD_MAX_LEN];
	memset(big, 'x', sizeof big - 1);
	dummy = one_verify(true, NULL, big);
	assert_int_equal(dummy.pwlen, sizeof big - 1);
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
	    cmocka_unit_test(dummy_verify_does_the_work_of_a_real_verify),
	    cmocka_unit_test(limiter_full_waiting_room_is_busy),
	    cmocka_unit_test(limiter_without_waiting_room),
	    cmocka_unit_test(limiter_bounds_concurrent_hashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
