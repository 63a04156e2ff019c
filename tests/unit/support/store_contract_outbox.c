/* store_contract_outbox.c - the contract for the mail outbox (see store_contract.h):
 * put is durable, due returns unsent rows by due time, mark_sent and mark_failed move a
 * row out of (or later in) the queue. Only the store headers are used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include <string.h>

#include "store/store_outbox.h"
#include "support/store_contract_priv.h"

static int64_t put(struct qoc_store *st, const char *to, int64_t at)
{
	struct qoc_outbox_row r = {
	    .to_addr = to, .subject = "Hello", .body = "line 1\nline 2\n", .created_at = at};
	int64_t id = 0;
	assert_int_equal(qoc_store_outbox_put(st, &r, &id), QOC_OK);
	assert_true(id > 0);
	return id;
}

static size_t due(struct contract_fixture *f, int64_t now, struct qoc_outbox_row **rows)
{
	size_t n = 99;
	assert_int_equal(qoc_store_outbox_due(f->st, now, QOC_OUTBOX_DUE_MAX, &f->a, rows, &n),
	                 QOC_OK);
	return n;
}

static void put_is_durable_and_due_from_created_at(void **state)
{
	struct contract_fixture *f = *state;
	int64_t id = put(f->st, "ada@example.com", 1000);
	contract_reopen(f); /* what put returned OK for was committed */
	struct qoc_outbox_row *rows;
	assert_int_equal(due(f, 999, &rows), 0);
	assert_null(rows);
	assert_int_equal(due(f, 1000, &rows), 1);
	assert_int_equal(rows[0].id, id);
	assert_string_equal(rows[0].to_addr, "ada@example.com");
	assert_string_equal(rows[0].subject, "Hello");
	assert_string_equal(rows[0].body, "line 1\nline 2\n");
	assert_int_equal(rows[0].created_at, 1000);
	assert_int_equal(rows[0].attempts, 0);
	assert_int_equal(rows[0].next_attempt_at, 1000);
	assert_int_equal(rows[0].sent_at, 0);
	assert_null(rows[0].last_error);
}

static void due_is_oldest_first_and_limited(void **state)
{
	struct contract_fixture *f = *state;
	int64_t b = put(f->st, "b@example.com", 1002);
	int64_t a = put(f->st, "a@example.com", 1001);
	put(f->st, "c@example.com", 1003);
	struct qoc_outbox_row *rows;
	size_t n;
	assert_int_equal(qoc_store_outbox_due(f->st, 5000, 2, &f->a, &rows, &n), QOC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, a);
	assert_int_equal(rows[1].id, b);
	assert_int_equal(qoc_store_outbox_due(f->st, 5000, 0, &f->a, &rows, &n), QOC_EINVAL);
	assert_int_equal(
	    qoc_store_outbox_due(f->st, 5000, QOC_OUTBOX_DUE_MAX + 1, &f->a, &rows, &n),
	    QOC_EINVAL);
}

static void sent_rows_leave_the_queue(void **state)
{
	struct contract_fixture *f = *state;
	int64_t id = put(f->st, "ada@example.com", 1000);
	assert_int_equal(qoc_store_outbox_mark_sent(f->st, id, 1010), QOC_OK);
	struct qoc_outbox_row *rows;
	assert_int_equal(due(f, 9999, &rows), 0);
	/* Marking it again, or an unknown row, finds nothing. */
	assert_int_equal(qoc_store_outbox_mark_sent(f->st, id, 1011), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_outbox_mark_failed(f->st, id, 1011, 2000, "x"), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_outbox_mark_sent(f->st, id + 1, 1011), QOC_ENOTFOUND);
}

static void failures_count_and_postpone_then_give_up(void **state)
{
	struct contract_fixture *f = *state;
	int64_t id = put(f->st, "ada@example.com", 1000);
	assert_int_equal(qoc_store_outbox_mark_failed(f->st, id, 1000, 1030, "connect refused"),
	                 QOC_OK);
	struct qoc_outbox_row *rows;
	assert_int_equal(due(f, 1029, &rows), 0);
	assert_int_equal(due(f, 1030, &rows), 1);
	assert_int_equal(rows[0].attempts, 1);
	assert_int_equal(rows[0].next_attempt_at, 1030);
	assert_string_equal(rows[0].last_error, "connect refused");

	assert_int_equal(qoc_store_outbox_mark_failed(f->st, id, 1030, 0, "gave up"), QOC_OK);
	assert_int_equal(due(f, INT64_MAX, &rows), 0); /* never due again */
	/* A given-up row can still be marked sent (a delivery that was in flight). */
	assert_int_equal(qoc_store_outbox_mark_sent(f->st, id, 1040), QOC_OK);
}

/* Issue 7: with several nodes each running a sender, a claimed row is leased to one of
 * them: not due for anyone else until the lease ends, due again then (a sender that died),
 * and mark_sent ends it for good. */
static void claimed_rows_are_leased_to_one_sender(void **state)
{
	struct contract_fixture *f = *state;
	int64_t a = put(f->st, "a@example.com", 1000);
	int64_t b = put(f->st, "b@example.com", 1001);
	struct qoc_outbox_row *rows;
	size_t n = 99;
	assert_int_equal(qoc_store_outbox_claim(f->st, 1005, 2000, 1, &f->a, &rows, &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, a); /* oldest due first */
	assert_int_equal(rows[0].next_attempt_at, 1000);
	assert_string_equal(rows[0].to_addr, "a@example.com");
	/* The next claim gets the other row only; a is leased. */
	assert_int_equal(
	    qoc_store_outbox_claim(f->st, 1006, 2000, QOC_OUTBOX_DUE_MAX, &f->a, &rows, &n),
	    QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, b);
	assert_int_equal(
	    qoc_store_outbox_claim(f->st, 1999, 3000, QOC_OUTBOX_DUE_MAX, &f->a, &rows, &n),
	    QOC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(due(f, 1999, &rows), 0);
	/* b was sent; a's sender vanished: a comes back when its lease ends. */
	assert_int_equal(qoc_store_outbox_mark_sent(f->st, b, 1500), QOC_OK);
	assert_int_equal(
	    qoc_store_outbox_claim(f->st, 2000, 3000, QOC_OUTBOX_DUE_MAX, &f->a, &rows, &n),
	    QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, a);
	assert_int_equal(rows[0].attempts, 0);
	/* A failure ends the lease with its own retry time. */
	assert_int_equal(qoc_store_outbox_mark_failed(f->st, a, 2001, 2100, "busy"), QOC_OK);
	assert_int_equal(due(f, 2100, &rows), 1);
	assert_int_equal(qoc_store_outbox_claim(f->st, 1, 1, 1, &f->a, &rows, &n), QOC_EINVAL);
	assert_int_equal(qoc_store_outbox_claim(f->st, 1, 2, 0, &f->a, &rows, &n), QOC_EINVAL);
}

enum { CLAIMERS = 6, CLAIM_ROWS = 60 };

struct claimer {
	struct qoc_store *st;
	pthread_barrier_t *start;
	int64_t ids[CLAIM_ROWS];
	size_t n;
	enum qoc_err err;
};

static void *claim_thread(void *arg)
{
	struct claimer *c = arg;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	pthread_barrier_wait(c->start);
	for (;;) {
		struct qoc_outbox_row *rows;
		size_t n = 0;
		c->err = qoc_store_outbox_claim(c->st, 5000, 9000, 3, &a, &rows, &n);
		if (c->err || n == 0)
			break;
		for (size_t i = 0; i < n && c->n < CLAIM_ROWS; i++)
			c->ids[c->n++] = rows[i].id;
	}
	qoc_arena_release(&a);
	return NULL;
}

/* Concurrent claims (one sender per node; here threads, each on its own connection where
 * the backend pools them) never hand one row to two senders, and leave none behind. */
static void concurrent_claims_hand_each_row_to_one_sender(void **state)
{
	struct contract_fixture *f = *state;
	for (int i = 0; i < CLAIM_ROWS; i++)
		put(f->st, "x@example.com", 1000 + i);
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, CLAIMERS);
	struct claimer c[CLAIMERS];
	pthread_t t[CLAIMERS];
	for (int i = 0; i < CLAIMERS; i++) {
		c[i] = (struct claimer){.st = f->st, .start = &start};
		assert_int_equal(pthread_create(&t[i], NULL, claim_thread, &c[i]), 0);
	}
	int seen[CLAIM_ROWS + 1] = {0};
	size_t total = 0;
	for (int i = 0; i < CLAIMERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].err, QOC_OK);
		for (size_t k = 0; k < c[i].n; k++) {
			assert_true(c[i].ids[k] >= 1 && c[i].ids[k] <= CLAIM_ROWS);
			seen[c[i].ids[k]]++;
		}
		total += c[i].n;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(total, CLAIM_ROWS);
	for (int id = 1; id <= CLAIM_ROWS; id++)
		assert_int_equal(seen[id], 1);
}

/* outbox_pending (version 10, for qoc_mail_outbox_pending): rows neither sent nor given
 * up, whether due now or later, leased or not. */
static void pending_counts_rows_neither_sent_nor_given_up(void **state)
{
	struct contract_fixture *f = *state;
	int64_t pending = -1;
	assert_int_equal(qoc_store_outbox_pending(f->st, &pending), QOC_OK);
	assert_int_equal(pending, 0);
	int64_t sent = put(f->st, "a@example.com", 1000);
	int64_t later = put(f->st, "b@example.com", 1000);
	int64_t gone = put(f->st, "c@example.com", 1000);
	put(f->st, "d@example.com", 1000);
	assert_int_equal(qoc_store_outbox_mark_sent(f->st, sent, 1001), QOC_OK);
	assert_int_equal(qoc_store_outbox_mark_failed(f->st, later, 1001, 9000, "retry"), QOC_OK);
	assert_int_equal(qoc_store_outbox_mark_failed(f->st, gone, 1001, 0, "gave up"), QOC_OK);
	assert_int_equal(qoc_store_outbox_pending(f->st, &pending), QOC_OK);
	assert_int_equal(pending, 2); /* later and d */
	assert_int_equal(qoc_store_outbox_pending(f->st, NULL), QOC_EINVAL);
}

static void outbox_refuses_bad_arguments(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_outbox_row r = {.to_addr = "a@b.c", .subject = "s", .body = "", .created_at = 1};
	assert_int_equal(qoc_store_outbox_put(f->st, &r, NULL), QOC_OK); /* an empty body is fine */
	r.to_addr = "";
	assert_int_equal(qoc_store_outbox_put(f->st, &r, NULL), QOC_EINVAL);
	r.to_addr = "a@b.c";
	r.subject = NULL;
	assert_int_equal(qoc_store_outbox_put(f->st, &r, NULL), QOC_EINVAL);
	r.subject = "s";
	r.created_at = 0;
	assert_int_equal(qoc_store_outbox_put(f->st, &r, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_outbox_put(f->st, NULL, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_outbox_mark_sent(f->st, 0, 1), QOC_EINVAL);
	assert_int_equal(qoc_store_outbox_mark_failed(f->st, 1, 1, -1, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_outbox_due(f->st, 1, 1, NULL, NULL, NULL), QOC_EINVAL);
}

int store_contract_outbox_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(put_is_durable_and_due_from_created_at,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(due_is_oldest_first_and_limited,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(sent_rows_leave_the_queue, contract_setup_migrated,
	                                    contract_teardown),
	    cmocka_unit_test_setup_teardown(failures_count_and_postpone_then_give_up,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(claimed_rows_are_leased_to_one_sender,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(concurrent_claims_hand_each_row_to_one_sender,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(pending_counts_rows_neither_sent_nor_given_up,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(outbox_refuses_bad_arguments, contract_setup_migrated,
	                                    contract_teardown),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
