/* Unit tests for src/console/pats.c on a real SQLite store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "console/pats.h"
#include "support/tmp_store.h"

static int64_t now_value = 1795705445;
static int64_t fake_now(void *ctx)
{
	(void)ctx;
	return now_value;
}
static const struct qoc_clock clock_ = {fake_now, NULL};

static void issue_then_authenticate(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_account acct = {.id = "acct_1", .email = "ada@example.com", .created_at = 1};
	assert_int_equal(qoc_store_account_create(t.st, &acct), QOC_OK);
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_buf tok;
	qoc_buf_init(&tok, 256);
	char id[32];
	now_value = 1795705445;
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_1", "ci", 3600, &tok, id, sizeof(id)),
	                 QOC_OK);
	assert_int_equal(tok.len, QOC_PAT_LEN);
	assert_memory_equal(tok.data, "qoc_pat_", 8);
	assert_memory_equal(id, "pat_", 4);

	struct qoc_account out;
	struct qoc_pat pat;
	assert_int_equal(qoc_pat_authenticate(t.st, &a, &clock_, tok.data, tok.len, &out, &pat),
	                 QOC_OK);
	assert_string_equal(out.id, "acct_1");
	assert_string_equal(pat.id, id);
	assert_int_equal(pat.expires_at, now_value + 3600);

	/* One character changed, a shorter form, another prefix: not found. */
	char bad[QOC_PAT_LEN + 1];
	memcpy(bad, tok.data, QOC_PAT_LEN);
	bad[QOC_PAT_LEN] = '\0';
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	assert_int_equal(qoc_pat_authenticate(t.st, &a, &clock_, bad, QOC_PAT_LEN, &out, NULL),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_pat_authenticate(t.st, &a, &clock_, tok.data, tok.len - 1, &out, NULL),
	                 QOC_ENOTFOUND);
	bad[0] = 'x';
	assert_int_equal(qoc_pat_authenticate(t.st, &a, &clock_, bad, QOC_PAT_LEN, &out, NULL),
	                 QOC_ENOTFOUND);

	/* Expired after its ttl; revoked at once. */
	now_value += 3600;
	assert_int_equal(qoc_pat_authenticate(t.st, &a, &clock_, tok.data, tok.len, &out, NULL),
	                 QOC_ENOTFOUND);
	now_value -= 10;
	assert_int_equal(qoc_store_pat_revoke(t.st, "acct_1", id, now_value), QOC_OK);
	assert_int_equal(qoc_pat_authenticate(t.st, &a, &clock_, tok.data, tok.len, &out, NULL),
	                 QOC_ENOTFOUND);

	/* Bad ttl, unknown account. */
	qoc_buf_reset(&tok);
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_1", "x", -1, &tok, id, sizeof(id)),
	                 QOC_EINVAL);
	assert_int_equal(
	    qoc_pat_issue(t.st, &clock_, "acct_1", "x", QOC_PAT_TTL_MAX + 1, &tok, id, sizeof(id)),
	    QOC_EINVAL);
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_none", "x", 0, &tok, id, sizeof(id)),
	                 QOC_ENOTFOUND);
	assert_int_equal(tok.len, 0); /* nothing of a failed token is left behind */

	qoc_buf_release_secret(&tok);
	qoc_arena_release(&a);
	tmp_store_close(&t);
}

/* Issue 13: a token cannot create a token that outlives it. */
static void a_token_cannot_outlive_its_parent(void **state)
{
	(void)state;
	assert_false(qoc_pat_outlives(1000, 0, 0)); /* a session: no parent expiry */
	assert_false(qoc_pat_outlives(1000, 3600, 0));
	assert_true(qoc_pat_outlives(1000, 0, 2000)); /* "no expiry" outlives anything */
	assert_true(qoc_pat_outlives(1000, 1001, 2000));
	assert_false(qoc_pat_outlives(1000, 1000, 2000)); /* ends with its parent */
	assert_false(qoc_pat_outlives(1000, 1, 2000));
}

static void live_tokens_are_counted(void **state)
{
	(void)state;
	struct qoc_pat p[4] = {{.expires_at = 0},
	                       {.expires_at = 2000},
	                       {.expires_at = 1000},                /* expired at now */
	                       {.expires_at = 0, .revoked_at = 5}}; /* revoked */
	assert_int_equal(qoc_pat_count_live(p, 4, 1000), 2);
	assert_int_equal(qoc_pat_count_live(p, 0, 1000), 0);
}

/* Issue 13 "at most 100 live tokens per account": the 101st is QOC_ELIMIT; revoking one
 * (or one expiring) makes room; another account is not affected. */
static void at_most_100_live_tokens(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_account a1 = {.id = "acct_1", .email = "ada@example.com", .created_at = 1};
	struct qoc_account a2 = {.id = "acct_2", .email = "bob@example.com", .created_at = 1};
	assert_int_equal(qoc_store_account_create(t.st, &a1), QOC_OK);
	assert_int_equal(qoc_store_account_create(t.st, &a2), QOC_OK);
	struct qoc_buf tok;
	qoc_buf_init(&tok, 256);
	char id[32], first[32] = "";
	now_value = 1795705445;
	for (int i = 0; i < QOC_PAT_LIVE_MAX; i++) {
		qoc_buf_reset(&tok);
		assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_1", "n", i == 0 ? 10 : 0, &tok,
		                               id, sizeof(id)),
		                 QOC_OK);
		if (i == 1)
			memcpy(first, id, sizeof(id));
	}
	qoc_buf_reset(&tok);
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_1", "n", 0, &tok, id, sizeof(id)),
	                 QOC_ELIMIT);
	assert_int_equal(tok.len, 0);
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_2", "n", 0, &tok, id, sizeof(id)),
	                 QOC_OK);
	assert_int_equal(qoc_store_pat_revoke(t.st, "acct_1", first, now_value), QOC_OK);
	qoc_buf_reset(&tok);
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_1", "n", 0, &tok, id, sizeof(id)),
	                 QOC_OK);
	qoc_buf_reset(&tok);
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_1", "n", 0, &tok, id, sizeof(id)),
	                 QOC_ELIMIT);
	now_value += 10; /* the first one (ttl 10) has expired */
	assert_int_equal(qoc_pat_issue(t.st, &clock_, "acct_1", "n", 0, &tok, id, sizeof(id)),
	                 QOC_OK);
	qoc_buf_release_secret(&tok);
	tmp_store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(issue_then_authenticate),
	    cmocka_unit_test(a_token_cannot_outlive_its_parent),
	    cmocka_unit_test(live_tokens_are_counted),
	    cmocka_unit_test(at_most_100_live_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
