/* store_contract_oauth_race.c - the protocol's atomic steps under parallel callers, and the
 * durability of concurrent writes (group commit where the backend has it). See
 * store_contract.h. Threads only record results; the main thread asserts (cmocka's asserts
 * must not fire off the main thread). Only store.h and store_oauth.h are used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "support/store_contract_priv.h"

#define H(...) contract_hash(&f->a, __VA_ARGS__)
#define RACERS 16

/* contract_hash("<prefix><i>x<j>"), made off the main thread (contract_hash asserts). */
static void thread_hash(char out[44], const char *prefix, int i, int j)
{
	char label[44];
	int n = snprintf(label, sizeof(label), "%s%dx%d", prefix, i, j);
	memset(out, 'Q', 43);
	out[43] = '\0';
	memcpy(out, label, (size_t)n);
	out[n] = '-';
}

struct racer {
	struct qoc_store *st;
	pthread_barrier_t *start;
	const char *key; /* the code, refresh token or handle they all present */
	const char *browser;
	int id;
	enum qoc_err result;
	char family[64]; /* what the row said (code_consume, refresh_rotate) */
};

static void run_racers(struct racer *r, void *(*fn)(void *))
{
	pthread_t th[RACERS];
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, RACERS), 0);
	for (int i = 0; i < RACERS; i++) {
		r[i].start = &start;
		r[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, fn, &r[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
}

static void count(const struct racer *r, int *ok, int *conflict)
{
	*ok = *conflict = 0;
	for (int i = 0; i < RACERS; i++) {
		if (r[i].result != QOC_OK && r[i].result != QOC_ECONFLICT)
			fail_msg("racer %d: %s", i, qoc_strerror(r[i].result));
		*ok += r[i].result == QOC_OK;
		*conflict += r[i].result == QOC_ECONFLICT;
	}
}

static void *consume_thread(void *arg)
{
	struct racer *r = arg;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_auth_code out;
	pthread_barrier_wait(r->start);
	r->result = qoc_store_code_consume(r->st, &a, r->key, CONTRACT_APP_A, 1010, &out);
	if (r->result == QOC_OK || r->result == QOC_ECONFLICT)
		snprintf(r->family, sizeof(r->family), "%s", out.family_id);
	qoc_arena_release(&a);
	return NULL;
}

/* SECURITY.md "A code is consumed atomically (one winner among any number of parallel
 * redemptions)". */
static void parallel_redemptions_of_a_code_have_one_winner(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	struct qoc_auth_code c = {.code_hash = H("c1"),
	                          .client_id = CONTRACT_APP_A,
	                          .account_id = "acct_1",
	                          .redirect_uri = "https://app.example.com/cb",
	                          .scope = "openid",
	                          .auth_time = 1,
	                          .family_id = "fam_race",
	                          .created_at = 1000,
	                          .expires_at = 1060};
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	struct racer r[RACERS];
	for (int i = 0; i < RACERS; i++)
		r[i] = (struct racer){.st = f->st, .key = c.code_hash};
	run_racers(r, consume_thread);
	int ok, conflict;
	count(r, &ok, &conflict);
	assert_int_equal(ok, 1);
	assert_int_equal(conflict, RACERS - 1);
	for (int i = 0; i < RACERS; i++) /* the losers got the row, to revoke its family */
		assert_string_equal(r[i].family, "fam_race");
}

static void *rotate_thread(void *arg)
{
	struct racer *r = arg;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	char at[44], rt[44];
	thread_hash(at, "at-new-", r->id, 0);
	thread_hash(rt, "rt-new-", r->id, 0);
	struct qoc_token next[2] = {contract_token(at, QOC_TOKEN_ACCESS, "x"),
	                            contract_token(rt, QOC_TOKEN_REFRESH, "x")};
	struct qoc_token old;
	pthread_barrier_wait(r->start);
	r->result =
	    qoc_store_refresh_rotate(r->st, &a, r->key, CONTRACT_APP_A, 2000, next, 2, &old);
	if (r->result == QOC_OK || r->result == QOC_ECONFLICT)
		snprintf(r->family, sizeof(r->family), "%s", old.family_id);
	qoc_arena_release(&a);
	return NULL;
}

/* SECURITY.md "of parallel refreshes exactly one wins"; the others present a used token,
 * which revokes the family - the winner's new tokens included. */
static void parallel_rotations_have_one_winner_then_revoke(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	struct qoc_token t[2] = {contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_1"),
	                         contract_token(H("rt1"), QOC_TOKEN_REFRESH, "fam_1")};
	assert_int_equal(qoc_store_tokens_issue(f->st, t, 2), QOC_OK);
	struct racer r[RACERS];
	for (int i = 0; i < RACERS; i++)
		r[i] = (struct racer){.st = f->st, .key = H("rt1")};
	run_racers(r, rotate_thread);
	int ok, conflict, winner = -1;
	count(r, &ok, &conflict);
	assert_int_equal(ok, 1);
	assert_int_equal(conflict, RACERS - 1);
	for (int i = 0; i < RACERS; i++) {
		assert_string_equal(r[i].family, "fam_1");
		if (r[i].result == QOC_OK)
			winner = i;
	}
	char at[44], rt[44];
	thread_hash(at, "at-new-", winner, 0);
	thread_hash(rt, "rt-new-", winner, 0);
	const char *family[] = {H("at1"), H("rt1"), at, rt};
	for (int i = 0; i < 4; i++) {
		struct qoc_token got;
		assert_int_equal(qoc_store_token_get(f->st, &f->a, family[i], &got), QOC_OK);
		assert_int_equal(got.revoked_at, 2000);
	}
	/* Only the winner inserted anything. */
	for (int i = 0; i < RACERS; i++) {
		struct qoc_token got;
		thread_hash(at, "at-new-", i, 0);
		assert_int_equal(qoc_store_token_get(f->st, &f->a, at, &got),
		                 i == winner ? QOC_OK : QOC_ENOTFOUND);
	}
}

static void *take_thread(void *arg)
{
	struct racer *r = arg;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_auth_request out;
	pthread_barrier_wait(r->start);
	r->result = qoc_store_authreq_take(r->st, &a, r->key, r->browser, 200, &out);
	if (r->result == QOC_ENOTFOUND)
		r->result = QOC_ECONFLICT; /* counted as "lost" below */
	qoc_arena_release(&a);
	return NULL;
}

/* A consent form submitted many times at once issues one code. */
static void parallel_takes_of_a_request_have_one_winner(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	struct qoc_auth_request req = {.handle_hash = H("h1"),
	                               .browser_hash = H("browser"),
	                               .client_id = CONTRACT_APP_A,
	                               .params = "{}",
	                               .created_at = 100,
	                               .expires_at = 700};
	assert_int_equal(qoc_store_authreq_create(f->st, &req), QOC_OK);
	struct racer r[RACERS];
	for (int i = 0; i < RACERS; i++)
		r[i] = (struct racer){.st = f->st, .key = req.handle_hash, .browser = H("browser")};
	run_racers(r, take_thread);
	int ok, lost;
	count(r, &ok, &lost);
	assert_int_equal(ok, 1);
	assert_int_equal(lost, RACERS - 1);
}

/* --- many writers at once (group commit) --- */

#define WRITERS 64
#define WRITES 50
#define DUPLICATE_AT 25 /* each writer's write number 25 reuses a taken hash */

struct writer {
	struct qoc_store *st;
	pthread_barrier_t *start;
	int id;
	bool with_duplicates;
	enum qoc_err results[WRITES];
};

static void *issue_thread(void *arg)
{
	struct writer *w = arg;
	pthread_barrier_wait(w->start);
	for (int j = 0; j < WRITES; j++) {
		char h[44];
		if (w->with_duplicates && j == DUPLICATE_AT)
			thread_hash(h, "taken", 0, 0);
		else
			thread_hash(h, "w", w->id, j);
		struct qoc_token t = contract_token(h, QOC_TOKEN_ACCESS, "fam_w");
		w->results[j] = qoc_store_tokens_issue(w->st, &t, 1);
	}
	return NULL;
}

static void run_writers(struct qoc_store *st, struct writer *w, bool with_duplicates)
{
	pthread_t th[WRITERS];
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, WRITERS), 0);
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){
		    .st = st, .start = &start, .id = i, .with_duplicates = with_duplicates};
		assert_int_equal(pthread_create(&th[i], NULL, issue_thread, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
}

/* Every write that answered OK is there after the store is closed and opened again. */
static void concurrent_issues_are_all_durable(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	static struct writer w[WRITERS];
	run_writers(f->st, w, false);
	for (int i = 0; i < WRITERS; i++)
		for (int j = 0; j < WRITES; j++)
			if (w[i].results[j] != QOC_OK)
				fail_msg("writer %d write %d: %s", i, j,
				         qoc_strerror(w[i].results[j]));
	contract_reopen(f);
	for (int i = 0; i < WRITERS; i++) {
		for (int j = 0; j < WRITES; j++) {
			struct qoc_token got;
			assert_int_equal(qoc_store_token_get(f->st, &f->a, H("w%dx%d", i, j), &got),
			                 QOC_OK);
			assert_string_equal(got.family_id, "fam_w");
		}
		qoc_arena_release(&f->a);
	}
}

/* A unique violation among concurrent writes fails its own caller only. */
static void a_conflict_among_concurrent_issues_fails_only_its_caller(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	char taken[44];
	thread_hash(taken, "taken", 0, 0);
	struct qoc_token t = contract_token(taken, QOC_TOKEN_ACCESS, "fam_taken");
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_OK);
	static struct writer w[WRITERS];
	run_writers(f->st, w, true);
	for (int i = 0; i < WRITERS; i++) {
		for (int j = 0; j < WRITES; j++) {
			enum qoc_err want = j == DUPLICATE_AT ? QOC_ECONFLICT : QOC_OK;
			if (w[i].results[j] != want)
				fail_msg("writer %d write %d: %s", i, j,
				         qoc_strerror(w[i].results[j]));
		}
	}
	contract_reopen(f);
	for (int i = 0; i < WRITERS; i++) {
		for (int j = 0; j < WRITES; j++) {
			if (j == DUPLICATE_AT)
				continue;
			struct qoc_token got;
			assert_int_equal(qoc_store_token_get(f->st, &f->a, H("w%dx%d", i, j), &got),
			                 QOC_OK);
		}
		qoc_arena_release(&f->a);
	}
	struct qoc_token got;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, taken, &got), QOC_OK);
	assert_string_equal(got.family_id, "fam_taken");
}

/* A family revocation racing issues into the family (a reused code while the winner of
 * the exchange issues its tokens, on another node): whichever commits first, no token
 * of the family is left live (store.h family_revoke: later issues are born revoked). */
enum { FAMILY_ROUNDS = 20, FAMILY_ISSUERS = 6 };

struct family_racer {
	struct qoc_store *st;
	pthread_barrier_t *start;
	int id; /* 0 revokes, the others issue */
	int round;
	enum qoc_err result;
};

static void *family_thread(void *arg)
{
	struct family_racer *r = arg;
	char fam[32];
	snprintf(fam, sizeof(fam), "fam_race_%d", r->round);
	pthread_barrier_wait(r->start);
	if (r->id == 0) {
		r->result = qoc_store_family_revoke(r->st, fam, 1500);
	} else {
		char h[44];
		thread_hash(h, "fr", r->round, r->id);
		struct qoc_token t = contract_token(h, QOC_TOKEN_ACCESS, fam);
		r->result = qoc_store_tokens_issue(r->st, &t, 1);
	}
	return NULL;
}

static void a_family_revocation_racing_issues_leaves_no_live_token(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	for (int round = 0; round < FAMILY_ROUNDS; round++) {
		struct family_racer r[FAMILY_ISSUERS + 1];
		pthread_t th[FAMILY_ISSUERS + 1];
		pthread_barrier_t start;
		assert_int_equal(pthread_barrier_init(&start, NULL, FAMILY_ISSUERS + 1), 0);
		for (int i = 0; i <= FAMILY_ISSUERS; i++) {
			r[i] = (struct family_racer){
			    .st = f->st, .start = &start, .id = i, .round = round};
			assert_int_equal(pthread_create(&th[i], NULL, family_thread, &r[i]), 0);
		}
		for (int i = 0; i <= FAMILY_ISSUERS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&start);
		for (int i = 0; i <= FAMILY_ISSUERS; i++)
			if (r[i].result != QOC_OK)
				fail_msg("round %d thread %d: %s", round, i,
				         qoc_strerror(r[i].result));
		for (int i = 1; i <= FAMILY_ISSUERS; i++) {
			struct qoc_token got;
			assert_int_equal(
			    qoc_store_token_get(f->st, &f->a, H("fr%dx%d", round, i), &got),
			    QOC_OK);
			if (got.revoked_at == 0)
				fail_msg("round %d: token %d of the revoked family is live", round,
				         i);
		}
		qoc_arena_release(&f->a);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, contract_setup_migrated, contract_teardown)

int store_contract_oauth_race_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    T(parallel_redemptions_of_a_code_have_one_winner),
	    T(parallel_rotations_have_one_winner_then_revoke),
	    T(parallel_takes_of_a_request_have_one_winner),
	    T(concurrent_issues_are_all_durable),
	    T(a_conflict_among_concurrent_issues_fails_only_its_caller),
	    T(a_family_revocation_racing_issues_leaves_no_live_token),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
