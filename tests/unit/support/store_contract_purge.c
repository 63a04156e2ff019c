/* store_contract_purge.c - the contract of the state purge and of the bounded pending
 * requests (issue 13 section 4; store.h "state purge", store_oauth.h authreq addr and
 * keep_*), on every backend. Only store.h, store_oauth.h and store_purge.h are used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store/store_purge.h"
#include "support/store_contract_priv.h"

#define H(...) contract_hash(&f->a, __VA_ARGS__)
#define DAY QOC_STORE_PURGE_GRACE_SECONDS

static struct contract_fixture *people(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	return f;
}

static struct qoc_auth_request authreq(struct contract_fixture *f, const char *handle,
                                       const char *browser, const char *addr, int64_t at)
{
	return (struct qoc_auth_request){
	    .handle_hash = H("%s", handle),
	    .browser_hash = H("%s", browser),
	    .client_id = CONTRACT_APP_A,
	    .params = "{\"redirect_uri\":\"https://app.example.com/cb\"}",
	    .created_at = at,
	    .expires_at = at + 600,
	    .addr = addr,
	};
}

static bool authreq_exists(struct contract_fixture *f, const char *handle, const char *browser,
                           int64_t now)
{
	struct qoc_auth_request out;
	enum qoc_err err =
	    qoc_store_authreq_get(f->st, &f->a, H("%s", handle), H("%s", browser), now, &out);
	assert_true(err == QOC_OK || err == QOC_ENOTFOUND);
	return err == QOC_OK;
}

/* attack: an anonymous GET /authorize flood fills the disk. A pending request expires in
 * minutes; the purge deletes it at its expiry, in batches of at most `limit`. */
static void authreq_purge_deletes_the_expired_in_batches(void **state)
{
	struct contract_fixture *f = people(state);
	for (int i = 0; i < 5; i++) {
		char h[16];
		snprintf(h, sizeof(h), "old%d", i);
		struct qoc_auth_request r = authreq(f, h, "b1", NULL, 100); /* expires at 700 */
		assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	}
	struct qoc_auth_request live = authreq(f, "live", "b1", "192.0.2.1", 500); /* 1100 */
	assert_int_equal(qoc_store_authreq_create(f->st, &live), QOC_OK);
	size_t deleted = 99;
	assert_int_equal(qoc_store_authreq_purge(f->st, 699, 100, &deleted), QOC_OK);
	assert_int_equal(deleted, 0); /* not yet expired */
	assert_int_equal(qoc_store_authreq_purge(f->st, 700, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 2);
	assert_int_equal(qoc_store_authreq_purge(f->st, 700, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 2);
	assert_int_equal(qoc_store_authreq_purge(f->st, 700, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 1);
	assert_int_equal(qoc_store_authreq_purge(f->st, 700, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 0);
	assert_true(authreq_exists(f, "live", "b1", 700));
	struct qoc_auth_request out;
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("live"), H("b1"), 700, &out),
	                 QOC_OK);
	assert_string_equal(out.addr, "192.0.2.1");
	assert_int_equal(qoc_store_authreq_purge(f->st, 700, 0, &deleted), QOC_EINVAL);
}

/* Codes, tokens, sessions and revoked families go a day after they expired (were
 * revoked): within the day a replayed code or refresh token is still seen as a reuse. */
static void each_kind_goes_a_day_after_it_died(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = {.code_hash = H("code1"),
	                          .client_id = CONTRACT_APP_A,
	                          .account_id = "acct_1",
	                          .redirect_uri = "https://app.example.com/cb",
	                          .scope = "openid",
	                          .auth_time = 990,
	                          .family_id = "fam_c",
	                          .created_at = 1000,
	                          .expires_at = 1060};
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	struct qoc_token t = contract_token(H("tok1"), QOC_TOKEN_ACCESS, "fam_t"); /* 5000 */
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_OK);
	struct qoc_sso_session s = {.id_hash = H("sess1"),
	                            .sid = "sid_purge",
	                            .account_id = "acct_1",
	                            .auth_time = 1,
	                            .created_at = 1,
	                            .expires_at = 2000};
	assert_int_equal(qoc_store_session_create(f->st, &s), QOC_OK);
	assert_int_equal(qoc_store_family_revoke(f->st, "fam_gone", 3000), QOC_OK);

	size_t n = 99;
	/* A day minus a second after each death: nothing. */
	assert_int_equal(qoc_store_codes_purge(f->st, 1060 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(qoc_store_tokens_purge(f->st, 5000 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(qoc_store_sessions_purge(f->st, 2000 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(qoc_store_families_purge(f->st, 3000 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 0);
	/* Past it: one each, and only its own kind. */
	assert_int_equal(qoc_store_codes_purge(f->st, 1061 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 1);
	struct qoc_token got;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("tok1"), &got), QOC_OK);
	assert_int_equal(qoc_store_tokens_purge(f->st, 5001 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("tok1"), &got), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_sessions_purge(f->st, 2001 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(qoc_store_families_purge(f->st, 3001 + DAY, 10, &n), QOC_OK);
	assert_int_equal(n, 1);
	/* A new token in the family purged is born live again (the mark is gone). */
	struct qoc_token t2 = contract_token(H("tok2"), QOC_TOKEN_ACCESS, "fam_gone");
	assert_int_equal(qoc_store_tokens_issue(f->st, &t2, 1), QOC_OK);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("tok2"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 0);
	/* Refusals. */
	assert_int_equal(qoc_store_codes_purge(f->st, 1, 0, &n), QOC_EINVAL);
	assert_int_equal(qoc_store_tokens_purge(f->st, 1, (size_t)INT32_MAX + 1, &n), QOC_EINVAL);
	assert_int_equal(qoc_store_sessions_purge(f->st, 1, 0, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_families_purge(f->st, 1, 0, NULL), QOC_EINVAL);
}

/* attack: one address (or one browser) starts pending requests without end. Each create
 * keeps the newest keep_per_browser of its browser and keep_per_addr of its address; the
 * oldest beyond go at once. Another browser at another address keeps all of its own. */
static void authreq_create_evicts_the_oldest_beyond_the_bounds(void **state)
{
	struct contract_fixture *f = people(state);
	/* The victim's request, first of all, from elsewhere. */
	struct qoc_auth_request v = authreq(f, "victim", "bv", "198.51.100.7", 100);
	v.keep_per_browser = 3;
	v.keep_per_addr = 4;
	assert_int_equal(qoc_store_authreq_create(f->st, &v), QOC_OK);
	/* One browser at the attacker's address: 6 requests, keeps 3. */
	for (int i = 0; i < 6; i++) {
		char h[16];
		snprintf(h, sizeof(h), "a%d", i);
		struct qoc_auth_request r = authreq(f, h, "b1", "203.0.113.9", 101 + i);
		r.keep_per_browser = 3;
		r.keep_per_addr = 4;
		assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	}
	for (int i = 0; i < 6; i++) {
		char h[16];
		snprintf(h, sizeof(h), "a%d", i);
		assert_int_equal(authreq_exists(f, h, "b1", 200), i >= 3);
	}
	/* New browsers at the same address (no cookie kept): the address keeps 4 in all. */
	for (int i = 0; i < 3; i++) {
		char h[16], b[16];
		snprintf(h, sizeof(h), "n%d", i);
		snprintf(b, sizeof(b), "fresh%d", i);
		struct qoc_auth_request r = authreq(f, h, b, "203.0.113.9", 110 + i);
		r.keep_per_browser = 3;
		r.keep_per_addr = 4;
		assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	}
	assert_false(authreq_exists(f, "a3", "b1", 200));
	assert_false(authreq_exists(f, "a4", "b1", 200));
	assert_true(authreq_exists(f, "a5", "b1", 200));
	assert_true(authreq_exists(f, "n0", "fresh0", 200));
	assert_true(authreq_exists(f, "n2", "fresh2", 200));
	/* The victim elsewhere is untouched. */
	assert_true(authreq_exists(f, "victim", "bv", 200));
	/* Equal created_at: the later insert counts as newer. */
	for (int i = 0; i < 3; i++) {
		char h[16];
		snprintf(h, sizeof(h), "same%d", i);
		struct qoc_auth_request r = authreq(f, h, "b2", NULL, 300);
		r.keep_per_browser = 2;
		assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	}
	assert_false(authreq_exists(f, "same0", "b2", 300));
	assert_true(authreq_exists(f, "same1", "b2", 300));
	assert_true(authreq_exists(f, "same2", "b2", 300));
	/* Bounds of 0: none (the rows above without an address are not counted either). */
	struct qoc_auth_request r = authreq(f, "x", "b1", "x", 120);
	char longaddr[QOC_STORE_ADDR_MAX + 2];
	memset(longaddr, '1', sizeof(longaddr) - 1);
	longaddr[sizeof(longaddr) - 1] = '\0';
	r.addr = longaddr;
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, contract_setup_migrated, contract_teardown)

int store_contract_purge_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    T(authreq_purge_deletes_the_expired_in_batches),
	    T(each_kind_goes_a_day_after_it_died),
	    T(authreq_create_evicts_the_oldest_beyond_the_bounds),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
