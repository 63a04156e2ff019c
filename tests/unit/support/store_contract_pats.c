/* store_contract_pats.c - the contract for personal access tokens (see store_contract.h).
 * Only store.h is used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/store_contract_priv.h"

#define H(...) contract_hash(&f->a, __VA_ARGS__)

static void people(struct qoc_store *st)
{
	struct qoc_account a1 = {.id = "acct_1", .email = "one@example.com", .created_at = 100};
	struct qoc_account a2 = {.id = "acct_2", .email = "two@example.com", .created_at = 100};
	assert_int_equal(qoc_store_account_create(st, &a1), QOC_OK);
	assert_int_equal(qoc_store_account_create(st, &a2), QOC_OK);
}

static void pat_create_then_find_by_hash(void **state)
{
	struct contract_fixture *f = *state;
	people(f->st);
	struct qoc_pat p = {.id = "pat_1",
	                    .account_id = "acct_1",
	                    .name = "ci",
	                    .token_hash = H("one"),
	                    .created_at = 1000,
	                    .expires_at = 2000};
	assert_int_equal(qoc_store_pat_create(f->st, &p), QOC_OK);
	struct qoc_pat out;
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("one"), 1500, &out), QOC_OK);
	assert_string_equal(out.id, "pat_1");
	assert_string_equal(out.account_id, "acct_1");
	assert_string_equal(out.name, "ci");
	assert_int_equal(out.created_at, 1000);
	assert_int_equal(out.expires_at, 2000);
	assert_int_equal(out.last_used_at, 0);
	assert_int_equal(out.revoked_at, 0);
	/* Expired at expires_at, unknown hashes are not found. */
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("one"), 2000, &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("two"), 1500, &out), QOC_ENOTFOUND);
	/* No expiry: live for ever. A NULL name reads as "". */
	struct qoc_pat q = {
	    .id = "pat_2", .account_id = "acct_1", .token_hash = H("two"), .created_at = 1000};
	assert_int_equal(qoc_store_pat_create(f->st, &q), QOC_OK);
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("two"), INT64_MAX / 2, &out), QOC_OK);
	assert_string_equal(out.name, "");
	assert_int_equal(out.expires_at, 0);
	contract_reopen(f);
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("two"), 1500, &out), QOC_OK);
}

static void pat_create_refuses_bad_input(void **state)
{
	struct contract_fixture *f = *state;
	people(f->st);
	struct qoc_pat p = {
	    .id = "pat_1", .account_id = "acct_1", .token_hash = H("one"), .created_at = 1000};
	assert_int_equal(qoc_store_pat_create(f->st, &p), QOC_OK);
	struct qoc_pat dup_id = p, dup_hash = p, raw = p, noacct = p, exp = p;
	dup_id.token_hash = H("other");
	assert_int_equal(qoc_store_pat_create(f->st, &dup_id), QOC_ECONFLICT);
	dup_hash.id = "pat_2";
	assert_int_equal(qoc_store_pat_create(f->st, &dup_hash), QOC_ECONFLICT);
	raw.id = "pat_3";
	raw.token_hash = "qoc_pat_raw_token_never_stored";
	assert_int_equal(qoc_store_pat_create(f->st, &raw), QOC_EINVAL);
	noacct.id = "pat_4";
	noacct.account_id = "acct_none";
	noacct.token_hash = H("four");
	assert_int_equal(qoc_store_pat_create(f->st, &noacct), QOC_ENOTFOUND);
	exp.id = "pat_5";
	exp.token_hash = H("five");
	exp.expires_at = 1000;
	assert_int_equal(qoc_store_pat_create(f->st, &exp), QOC_EINVAL);
	assert_int_equal(qoc_store_pat_create(f->st, NULL), QOC_EINVAL);
	struct qoc_pat *list;
	size_t n;
	assert_int_equal(qoc_store_pat_list(f->st, &f->a, "acct_1", &list, &n), QOC_OK);
	assert_int_equal(n, 1);
}

static void pat_list_and_revoke_per_account(void **state)
{
	struct contract_fixture *f = *state;
	people(f->st);
	const char *ids[] = {"pat_a", "pat_b", "pat_c"};
	for (int i = 0; i < 3; i++) {
		struct qoc_pat p = {.id = ids[i],
		                    .account_id = i == 2 ? "acct_2" : "acct_1",
		                    .name = ids[i],
		                    .token_hash = H("t%d", i),
		                    .created_at = 1000 + i};
		assert_int_equal(qoc_store_pat_create(f->st, &p), QOC_OK);
	}
	struct qoc_pat *list;
	size_t n;
	assert_int_equal(qoc_store_pat_list(f->st, &f->a, "acct_1", &list, &n), QOC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, "pat_b"); /* newest first */
	assert_string_equal(list[1].id, "pat_a");
	assert_int_equal(qoc_store_pat_list(f->st, &f->a, "acct_none", &list, &n), QOC_OK);
	assert_int_equal(n, 0);

	/* Another account's token is not found and stays live. */
	assert_int_equal(qoc_store_pat_revoke(f->st, "acct_1", "pat_c", 1500), QOC_ENOTFOUND);
	struct qoc_pat out;
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("t2"), 1500, &out), QOC_OK);

	assert_int_equal(qoc_store_pat_revoke(f->st, "acct_1", "pat_a", 1500), QOC_OK);
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("t0"), 1600, &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_pat_revoke(f->st, "acct_1", "pat_a", 1700), QOC_OK);
	assert_int_equal(qoc_store_pat_list(f->st, &f->a, "acct_1", &list, &n), QOC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].id, "pat_a");
	assert_int_equal(list[1].revoked_at, 1500); /* the first revocation stays */
	assert_int_equal(list[0].revoked_at, 0);
	assert_int_equal(qoc_store_pat_revoke(f->st, "acct_1", "pat_none", 1500), QOC_ENOTFOUND);
}

static void pat_touch_keeps_the_latest_use(void **state)
{
	struct contract_fixture *f = *state;
	people(f->st);
	struct qoc_pat p = {
	    .id = "pat_1", .account_id = "acct_1", .token_hash = H("one"), .created_at = 1000};
	assert_int_equal(qoc_store_pat_create(f->st, &p), QOC_OK);
	assert_int_equal(qoc_store_pat_touch(f->st, "pat_1", 1200), QOC_OK);
	assert_int_equal(qoc_store_pat_touch(f->st, "pat_1", 1100), QOC_OK);
	assert_int_equal(qoc_store_pat_touch(f->st, "pat_gone", 1100), QOC_OK);
	struct qoc_pat out;
	assert_int_equal(qoc_store_pat_find(f->st, &f->a, H("one"), 1300, &out), QOC_OK);
	assert_int_equal(out.last_used_at, 1200);
}

int store_contract_pats_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(pat_create_then_find_by_hash, contract_setup_migrated,
	                                    contract_teardown),
	    cmocka_unit_test_setup_teardown(pat_create_refuses_bad_input, contract_setup_migrated,
	                                    contract_teardown),
	    cmocka_unit_test_setup_teardown(pat_list_and_revoke_per_account,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(pat_touch_keeps_the_latest_use, contract_setup_migrated,
	                                    contract_teardown),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
