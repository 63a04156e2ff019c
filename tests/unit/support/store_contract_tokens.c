/* store_contract_tokens.c - the contract for access and refresh tokens: issue, read,
 * rotation with reuse detection, revocation, family revocation, purge (see
 * store_contract.h). Only store.h and store_oauth.h are used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/store_contract_priv.h"

#define H(...) contract_hash(&f->a, __VA_ARGS__)

static struct contract_fixture *people(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	return f;
}

static struct qoc_token get(struct contract_fixture *f, const char *hash)
{
	struct qoc_token t;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, hash, &t), QOC_OK);
	return t;
}

static void issued_tokens_read_back(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_token t[2] = {contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_1"),
	                         contract_token(H("rt1"), QOC_TOKEN_REFRESH, "fam_1")};
	t[0].revoked_at = 77; /* ignored on issue */
	assert_int_equal(qoc_store_tokens_issue(f->st, t, 2), QOC_OK);
	struct qoc_token got = get(f, H("at1"));
	assert_string_equal(got.token_hash, H("at1"));
	assert_int_equal(got.kind, QOC_TOKEN_ACCESS);
	assert_string_equal(got.client_id, CONTRACT_APP_A);
	assert_string_equal(got.account_id, "acct_1");
	assert_string_equal(got.family_id, "fam_1");
	assert_null(got.parent_hash);
	assert_string_equal(got.scope, "openid offline_access");
	assert_string_equal(got.sid, "sid_1");
	assert_int_equal(got.auth_time, 900);
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.expires_at, 5000);
	assert_int_equal(got.revoked_at, 0);
	assert_int_equal(got.used_at, 0);
	assert_int_equal(get(f, H("rt1")).kind, QOC_TOKEN_REFRESH);

	/* client_credentials: no account, no sid, no auth_time, empty scope. */
	struct qoc_token cc = contract_token(H("cc1"), QOC_TOKEN_ACCESS, "fam_cc");
	cc.account_id = cc.sid = NULL;
	cc.auth_time = 0;
	cc.scope = "";
	assert_int_equal(qoc_store_tokens_issue(f->st, &cc, 1), QOC_OK);
	got = get(f, H("cc1"));
	assert_null(got.account_id);
	assert_null(got.sid);
	assert_int_equal(got.auth_time, 0);
	assert_string_equal(got.scope, "");
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("nope"), &got), QOC_ENOTFOUND);
}

static void issue_is_all_or_nothing(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_token t = contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_1"), got;
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_OK);
	/* The second hash is taken: the first of the pair is not kept either. */
	struct qoc_token pair[2] = {contract_token(H("at2"), QOC_TOKEN_ACCESS, "fam_2"),
	                            contract_token(H("at1"), QOC_TOKEN_REFRESH, "fam_2")};
	assert_int_equal(qoc_store_tokens_issue(f->st, pair, 2), QOC_ECONFLICT);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at2"), &got), QOC_ENOTFOUND);
	assert_int_equal(get(f, H("at1")).kind, QOC_TOKEN_ACCESS);

	struct qoc_token bad = contract_token(H("x1"), QOC_TOKEN_REFRESH, "fam_3");
	bad.account_id = NULL; /* SECURITY.md: no refresh token for client_credentials */
	assert_int_equal(qoc_store_tokens_issue(f->st, &bad, 1), QOC_EINVAL);
	bad = contract_token("qoc_at_notahash", QOC_TOKEN_ACCESS, "fam_3");
	assert_int_equal(qoc_store_tokens_issue(f->st, &bad, 1), QOC_EINVAL);
	bad = contract_token(H("x1"), QOC_TOKEN_ACCESS, NULL);
	assert_int_equal(qoc_store_tokens_issue(f->st, &bad, 1), QOC_EINVAL);
	bad = contract_token(H("x1"), 0, "fam_3");
	assert_int_equal(qoc_store_tokens_issue(f->st, &bad, 1), QOC_EINVAL);
	struct qoc_token four[4] = {contract_token(H("y1"), QOC_TOKEN_ACCESS, "f"),
	                            contract_token(H("y2"), QOC_TOKEN_ACCESS, "f"),
	                            contract_token(H("y3"), QOC_TOKEN_ACCESS, "f"),
	                            contract_token(H("y4"), QOC_TOKEN_ACCESS, "f")};
	assert_int_equal(qoc_store_tokens_issue(f->st, four, 4), QOC_EINVAL);
	assert_int_equal(qoc_store_tokens_issue(f->st, four, 0), QOC_EINVAL);
	bad = contract_token(H("x1"), QOC_TOKEN_ACCESS, "fam_3");
	bad.client_id = "qoc_client_nobody";
	assert_int_equal(qoc_store_tokens_issue(f->st, &bad, 1), QOC_ENOTFOUND);
	bad = contract_token(H("x1"), QOC_TOKEN_ACCESS, "fam_3");
	bad.account_id = "acct_nobody";
	assert_int_equal(qoc_store_tokens_issue(f->st, &bad, 1), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("x1"), &got), QOC_ENOTFOUND);
}

/* Access + refresh of family fam_1, as a code exchange issues them. */
static void issue_pair(struct contract_fixture *f)
{
	struct qoc_token t[2] = {contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_1"),
	                         contract_token(H("rt1"), QOC_TOKEN_REFRESH, "fam_1")};
	assert_int_equal(qoc_store_tokens_issue(f->st, t, 2), QOC_OK);
}

static void rotate(struct contract_fixture *f, const char *old, const char *at, const char *rt,
                   int64_t now, enum qoc_err want)
{
	struct qoc_token next[2] = {contract_token(at, QOC_TOKEN_ACCESS, "caller-fam-ignored"),
	                            contract_token(rt, QOC_TOKEN_REFRESH, "caller-fam-ignored")};
	for (int i = 0; i < 2; i++) {
		next[i].account_id = "acct_2"; /* ignored: the old token's lineage wins */
		next[i].sid = "sid_other";
		next[i].created_at = now;
		next[i].expires_at = now + 4000;
	}
	struct qoc_token old_out;
	assert_int_equal(
	    qoc_store_refresh_rotate(f->st, &f->a, old, CONTRACT_APP_A, now, next, 2, &old_out),
	    want);
	if (want == QOC_OK || want == QOC_ECONFLICT)
		assert_string_equal(old_out.token_hash, old);
}

static void rotation_keeps_the_lineage(void **state)
{
	struct contract_fixture *f = people(state);
	issue_pair(f);
	rotate(f, H("rt1"), H("at2"), H("rt2"), 2000, QOC_OK);
	struct qoc_token old = get(f, H("rt1"));
	assert_int_equal(old.used_at, 2000);
	assert_int_equal(old.revoked_at, 0);
	for (int i = 0; i < 2; i++) {
		struct qoc_token n = get(f, i ? H("rt2") : H("at2"));
		assert_int_equal(n.kind, i ? QOC_TOKEN_REFRESH : QOC_TOKEN_ACCESS);
		assert_string_equal(n.family_id, "fam_1");
		assert_string_equal(n.account_id, "acct_1");
		assert_string_equal(n.sid, "sid_1");
		assert_int_equal(n.auth_time, 900);
		assert_string_equal(n.parent_hash, H("rt1"));
		assert_int_equal(n.created_at, 2000);
		assert_int_equal(n.expires_at, 6000);
		assert_int_equal(n.revoked_at, 0);
	}
	/* The new refresh token rotates in its turn. */
	rotate(f, H("rt2"), H("at3"), H("rt3"), 2100, QOC_OK);
	assert_int_equal(get(f, H("at1")).revoked_at, 0); /* rotation alone revokes nothing */
}

/* SECURITY.md "presenting a used one revokes its whole family, access tokens included". */
static void a_reused_refresh_token_revokes_the_family(void **state)
{
	struct contract_fixture *f = people(state);
	issue_pair(f);
	struct qoc_token other = contract_token(H("at-x"), QOC_TOKEN_ACCESS, "fam_other");
	assert_int_equal(qoc_store_tokens_issue(f->st, &other, 1), QOC_OK);
	rotate(f, H("rt1"), H("at2"), H("rt2"), 2000, QOC_OK);
	rotate(f, H("rt1"), H("at3"), H("rt3"), 2500, QOC_ECONFLICT);
	const char *family[] = {H("at1"), H("rt1"), H("at2"), H("rt2")};
	for (int i = 0; i < 4; i++)
		assert_int_equal(get(f, family[i]).revoked_at, 2500);
	struct qoc_token got;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at3"), &got), QOC_ENOTFOUND);
	assert_int_equal(get(f, H("at-x")).revoked_at, 0);
	/* The winner's new refresh token is dead too. */
	rotate(f, H("rt2"), H("at4"), H("rt4"), 2600, QOC_ECONFLICT);
	assert_int_equal(get(f, H("rt2")).revoked_at, 2500);
}

static void rotation_refusals_change_nothing(void **state)
{
	struct contract_fixture *f = people(state);
	issue_pair(f);
	struct qoc_token next = contract_token(H("rt2"), QOC_TOKEN_REFRESH, "x"), got;
	/* Another client's refresh token is unknown to this client. */
	struct qoc_token b = next;
	b.client_id = CONTRACT_APP_B;
	assert_int_equal(
	    qoc_store_refresh_rotate(f->st, &f->a, H("rt1"), CONTRACT_APP_B, 2000, &b, 1, NULL),
	    QOC_ENOTFOUND);
	/* An access token is not a refresh token; an unknown one is unknown. */
	rotate(f, H("at1"), H("at2"), H("rt2"), 2000, QOC_ENOTFOUND);
	rotate(f, H("nope"), H("at2"), H("rt2"), 2000, QOC_ENOTFOUND);
	/* Expired (live while now < expires_at). */
	rotate(f, H("rt1"), H("at2"), H("rt2"), 5000, QOC_ENOTFOUND);
	/* New tokens must belong to the presenting client. */
	assert_int_equal(
	    qoc_store_refresh_rotate(f->st, &f->a, H("rt1"), CONTRACT_APP_A, 2000, &b, 1, NULL),
	    QOC_EINVAL);
	struct qoc_token raw = next;
	raw.token_hash = "qoc_rt_raw";
	assert_int_equal(
	    qoc_store_refresh_rotate(f->st, &f->a, H("rt1"), CONTRACT_APP_A, 2000, &raw, 1, NULL),
	    QOC_EINVAL);
	struct qoc_token rt = get(f, H("rt1"));
	assert_int_equal(rt.used_at, 0);
	assert_int_equal(rt.revoked_at, 0);
	assert_int_equal(get(f, H("at1")).revoked_at, 0);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("rt2"), &got), QOC_ENOTFOUND);
	/* Still usable after all that. */
	rotate(f, H("rt1"), H("at2"), H("rt2"), 4999, QOC_OK);
}

/* RFC 7009 §2.1: a client revokes only its own tokens; a refresh token takes its family. */
static void revocation_by_the_owning_client(void **state)
{
	struct contract_fixture *f = people(state);
	issue_pair(f);
	assert_int_equal(qoc_store_token_revoke(f->st, H("at1"), CONTRACT_APP_B, 2000),
	                 QOC_ENOTFOUND);
	assert_int_equal(get(f, H("at1")).revoked_at, 0);
	assert_int_equal(qoc_store_token_revoke(f->st, H("nope"), CONTRACT_APP_A, 2000),
	                 QOC_ENOTFOUND);
	/* An access token alone. */
	assert_int_equal(qoc_store_token_revoke(f->st, H("at1"), CONTRACT_APP_A, 2000), QOC_OK);
	assert_int_equal(get(f, H("at1")).revoked_at, 2000);
	assert_int_equal(get(f, H("rt1")).revoked_at, 0);
	/* Again: still OK, the first revocation time stays. */
	assert_int_equal(qoc_store_token_revoke(f->st, H("at1"), CONTRACT_APP_A, 2100), QOC_OK);
	assert_int_equal(get(f, H("at1")).revoked_at, 2000);

	/* A refresh token revokes every token of its grant. */
	rotate(f, H("rt1"), H("at2"), H("rt2"), 2200, QOC_OK);
	assert_int_equal(qoc_store_token_revoke(f->st, H("rt2"), CONTRACT_APP_A, 2300), QOC_OK);
	assert_int_equal(get(f, H("at2")).revoked_at, 2300);
	assert_int_equal(get(f, H("rt2")).revoked_at, 2300);
	assert_int_equal(get(f, H("rt1")).revoked_at, 2300);
	assert_int_equal(get(f, H("at1")).revoked_at, 2000);
	assert_int_equal(qoc_store_token_revoke(f->st, "raw", CONTRACT_APP_A, 2300), QOC_EINVAL);
}

static void family_revocation_covers_later_issues(void **state)
{
	struct contract_fixture *f = people(state);
	issue_pair(f);
	assert_int_equal(qoc_store_family_revoke(f->st, "fam_1", 3000), QOC_OK);
	assert_int_equal(get(f, H("at1")).revoked_at, 3000);
	assert_int_equal(get(f, H("rt1")).revoked_at, 3000);
	assert_int_equal(qoc_store_family_revoke(f->st, "fam_1", 3100), QOC_OK);
	assert_int_equal(get(f, H("at1")).revoked_at, 3000);
	/* A family with no token yet. */
	assert_int_equal(qoc_store_family_revoke(f->st, "fam_empty", 3200), QOC_OK);
	struct qoc_token late = contract_token(H("late"), QOC_TOKEN_ACCESS, "fam_empty");
	assert_int_equal(qoc_store_tokens_issue(f->st, &late, 1), QOC_OK);
	assert_int_equal(get(f, H("late")).revoked_at, 3200);
	assert_int_equal(qoc_store_family_revoke(f->st, "", 3200), QOC_EINVAL);
}

static void purge_drops_what_expired_a_day_ago(void **state)
{
	struct contract_fixture *f = people(state);
	const int64_t day = 86400;
	for (int i = 0; i < 5; i++) {
		struct qoc_token t = contract_token(H("old%d", i), QOC_TOKEN_ACCESS, "fam_old");
		t.expires_at = 1000 + i;
		assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_OK);
	}
	struct qoc_token fresh = contract_token(H("fresh"), QOC_TOKEN_ACCESS, "fam_new");
	fresh.expires_at = 2000;
	assert_int_equal(qoc_store_tokens_issue(f->st, &fresh, 1), QOC_OK);
	struct qoc_sso_session s = {.id_hash = H("s1"),
	                            .sid = "sid_p",
	                            .account_id = "acct_1",
	                            .auth_time = 1,
	                            .created_at = 1,
	                            .expires_at = 1000};
	assert_int_equal(qoc_store_session_create(f->st, &s), QOC_OK);

	/* Within a day of expiry nothing goes (introspection still says "inactive"). */
	size_t deleted = 99;
	assert_int_equal(qoc_store_tokens_purge_expired(f->st, 1000 + day, 100, &deleted), QOC_OK);
	assert_int_equal(deleted, 0);
	/* Bounded batches, until nothing is left. */
	assert_int_equal(qoc_store_tokens_purge_expired(f->st, 1900 + day, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 3); /* 2 tokens + the session */
	assert_int_equal(qoc_store_tokens_purge_expired(f->st, 1900 + day, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 2);
	assert_int_equal(qoc_store_tokens_purge_expired(f->st, 1900 + day, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 1);
	assert_int_equal(qoc_store_tokens_purge_expired(f->st, 1900 + day, 2, &deleted), QOC_OK);
	assert_int_equal(deleted, 0);
	struct qoc_token got;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("old4"), &got), QOC_ENOTFOUND);
	assert_int_equal(get(f, H("fresh")).expires_at, 2000);
	assert_int_equal(qoc_store_tokens_purge_expired(f->st, 1900, 0, &deleted), QOC_EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, contract_setup_migrated, contract_teardown)

int store_contract_tokens_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    T(issued_tokens_read_back),
	    T(issue_is_all_or_nothing),
	    T(rotation_keeps_the_lineage),
	    T(a_reused_refresh_token_revokes_the_family),
	    T(rotation_refusals_change_nothing),
	    T(revocation_by_the_owning_client),
	    T(family_revocation_covers_later_issues),
	    T(purge_drops_what_expired_a_day_ago),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
