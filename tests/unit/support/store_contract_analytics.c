/* store_contract_analytics.c - the contract for usage analytics (see store_contract.h and
 * the "usage analytics" block of store.h): append adds events and hour deltas in one
 * transaction and skips unknown applications; query returns the hours of a range and the
 * summed dimensions; lifetime survives purges; active users count live refresh tokens and
 * live sessions; purge honours both cut-offs; deleting the application takes it all.
 * Only the store headers are used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "store/store_analytics.h"
#include "support/store_contract_priv.h"

#define H0 (1000 * 3600LL) /* an hour */

static struct contract_fixture *people(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	return f;
}

static const struct qoc_an_dim_count dims_a[] = {
    {QOC_AN_DIM_ENDPOINT, "token", 3},
    {QOC_AN_DIM_COUNTRY, "DE", 2},
    {QOC_AN_DIM_COUNTRY, "JP", 1},
    {QOC_AN_DIM_ERROR, "invalid_client", 1},
};
static const char *const accts_a[] = {"acct_1", "acct_2"};

/* 3 requests (1 error) in hour H0 of app A. */
static struct qoc_an_hour_delta delta_a(int64_t hour)
{
	struct qoc_an_hour_delta d = {
	    .client_id = CONTRACT_APP_A,
	    .hour = hour,
	    .requests = 3,
	    .errors = 1,
	    .latency_us_sum = 6000,
	    .dims = dims_a,
	    .ndims = 4,
	    .accounts = accts_a,
	    .naccounts = 2,
	};
	d.hist[2] = 2;
	d.hist[5] = 1;
	return d;
}

static void append(struct contract_fixture *f, const struct qoc_an_hour_delta *d, size_t nd,
                   const struct qoc_an_event_row *ev, size_t ne, size_t want_skipped)
{
	struct qoc_an_batch b = {.events = ev, .nevents = ne, .hours = d, .nhours = nd};
	size_t skipped = 99;
	assert_int_equal(qoc_store_analytics_append(f->st, &b, &skipped), QOC_OK);
	assert_int_equal(skipped, want_skipped);
}

static int64_t dim(const struct qoc_an_range *r, const char *d, const char *key)
{
	for (size_t i = 0; i < r->ndims; i++)
		if (!strcmp(r->dims[i].dim, d) && !strcmp(r->dims[i].key, key))
			return r->dims[i].n;
	return -1;
}

static void append_then_query_sums_hours_and_dimensions(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_an_hour_delta d[2] = {delta_a(H0), delta_a(H0 + 3600)};
	append(f, d, 2, NULL, 0, 0);
	append(f, d, 1, NULL, 0, 0); /* H0 again: adds */
	contract_reopen(f);          /* committed */
	struct qoc_an_range r;
	assert_int_equal(qoc_store_analytics_query(f->st, &f->a, CONTRACT_APP_A, H0, H0 + 7200, &r),
	                 QOC_OK);
	assert_int_equal(r.nhours, 2);
	assert_int_equal(r.hours[0].hour, H0);
	assert_int_equal(r.hours[0].requests, 6);
	assert_int_equal(r.hours[0].errors, 2);
	assert_int_equal(r.hours[0].latency_us_sum, 12000);
	assert_int_equal(r.hours[0].hist[2], 4);
	assert_int_equal(r.hours[0].hist[5], 2);
	assert_int_equal(r.hours[0].accounts, 2); /* distinct: the same two accounts twice */
	assert_int_equal(r.hours[1].hour, H0 + 3600);
	assert_int_equal(r.hours[1].requests, 3);
	assert_int_equal(dim(&r, QOC_AN_DIM_ENDPOINT, "token"), 9);
	assert_int_equal(dim(&r, QOC_AN_DIM_COUNTRY, "DE"), 6);
	assert_int_equal(dim(&r, QOC_AN_DIM_COUNTRY, "JP"), 3);
	assert_int_equal(dim(&r, QOC_AN_DIM_ERROR, "invalid_client"), 3);
	/* within a dimension: count descending */
	for (size_t i = 1; i < r.ndims; i++)
		if (!strcmp(r.dims[i].dim, r.dims[i - 1].dim))
			assert_true(r.dims[i].n <= r.dims[i - 1].n);
	/* the range is half-open */
	assert_int_equal(
	    qoc_store_analytics_query(f->st, &f->a, CONTRACT_APP_A, H0 + 3600, H0 + 7200, &r),
	    QOC_OK);
	assert_int_equal(r.nhours, 1);
	assert_int_equal(dim(&r, QOC_AN_DIM_ENDPOINT, "token"), 3);
	/* another application sees nothing */
	assert_int_equal(qoc_store_analytics_query(f->st, &f->a, CONTRACT_APP_B, 0, H0 * 2, &r),
	                 QOC_OK);
	assert_int_equal(r.nhours, 0);
	assert_int_equal(r.ndims, 0);
	int64_t n = -1;
	assert_int_equal(qoc_store_analytics_lifetime(f->st, CONTRACT_APP_A, &n), QOC_OK);
	assert_int_equal(n, 9);
	assert_int_equal(qoc_store_analytics_lifetime(f->st, CONTRACT_APP_B, &n), QOC_OK);
	assert_int_equal(n, 0);
}

static void unknown_applications_are_skipped_not_errors(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_an_event_row ev[2] = {
	    {.at = H0,
	     .client_id = "qoc_client_nobody",
	     .endpoint = "token",
	     .status = 401,
	     .error = "invalid_client",
	     .latency_us = 10,
	     .country = "ZZ"},
	    {.at = H0,
	     .client_id = CONTRACT_APP_A,
	     .endpoint = "token",
	     .status = 200,
	     .latency_us = 10,
	     .account_id = "acct_1",
	     .country = "DE"},
	};
	struct qoc_an_hour_delta d[2] = {delta_a(H0), delta_a(H0)};
	d[0].client_id = "qoc_client_nobody";
	append(f, d, 2, ev, 2, 1);
	struct qoc_an_range r;
	assert_int_equal(qoc_store_analytics_query(f->st, &f->a, CONTRACT_APP_A, H0, H0 + 3600, &r),
	                 QOC_OK);
	assert_int_equal(r.nhours, 1);
	assert_int_equal(r.hours[0].requests, 3);
	int64_t n;
	assert_int_equal(qoc_store_analytics_lifetime(f->st, "qoc_client_nobody", &n), QOC_OK);
	assert_int_equal(n, 0);
}

static void active_users_are_live_refresh_tokens_and_sessions(void **state)
{
	struct contract_fixture *f = people(state);
	int64_t n = -1;
	assert_int_equal(qoc_store_analytics_active_users(f->st, CONTRACT_APP_A, 2000, &n), QOC_OK);
	assert_int_equal(n, 0);
	/* acct_1: a refresh token live until 5000 (and an access token of the same account) */
	struct qoc_token t[2] = {
	    contract_token(contract_hash(&f->a, "rt1"), QOC_TOKEN_REFRESH, "fam1"),
	    contract_token(contract_hash(&f->a, "at1"), QOC_TOKEN_ACCESS, "fam1")};
	t[0].sid = t[1].sid = NULL;
	assert_int_equal(qoc_store_tokens_issue(f->st, t, 2), QOC_OK);
	assert_int_equal(qoc_store_analytics_active_users(f->st, CONTRACT_APP_A, 2000, &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(qoc_store_analytics_active_users(f->st, CONTRACT_APP_A, 5000, &n), QOC_OK);
	assert_int_equal(n, 0); /* expired */
	assert_int_equal(qoc_store_analytics_active_users(f->st, CONTRACT_APP_B, 2000, &n), QOC_OK);
	assert_int_equal(n, 0); /* another application's */
	/* acct_2: only an access token, but issued in a session that is still live */
	struct qoc_sso_session s = {.id_hash = contract_hash(&f->a, "sess2"),
	                            .sid = "sid_2",
	                            .account_id = "acct_2",
	                            .auth_time = 900,
	                            .created_at = 900,
	                            .expires_at = 3000};
	assert_int_equal(qoc_store_session_create(f->st, &s), QOC_OK);
	struct qoc_token at2 =
	    contract_token(contract_hash(&f->a, "at2"), QOC_TOKEN_ACCESS, "fam2");
	at2.account_id = "acct_2";
	at2.sid = "sid_2";
	assert_int_equal(qoc_store_tokens_issue(f->st, &at2, 1), QOC_OK);
	assert_int_equal(qoc_store_analytics_active_users(f->st, CONTRACT_APP_A, 2000, &n), QOC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(qoc_store_analytics_active_users(f->st, CONTRACT_APP_A, 3000, &n), QOC_OK);
	assert_int_equal(n, 1); /* the session ended */
	/* a revoked refresh token no longer counts */
	assert_int_equal(qoc_store_token_revoke(f->st, t[0].token_hash, CONTRACT_APP_A, 2100),
	                 QOC_OK);
	assert_int_equal(qoc_store_analytics_active_users(f->st, CONTRACT_APP_A, 2200, &n), QOC_OK);
	assert_int_equal(n, 1); /* acct_2's session token is still there */
}

static void purge_honours_both_cutoffs_and_keeps_the_lifetime(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_an_event_row ev[2] = {
	    {.at = H0 + 10,
	     .client_id = CONTRACT_APP_A,
	     .endpoint = "token",
	     .status = 200,
	     .latency_us = 10,
	     .country = "DE"},
	    {.at = H0 + 7300,
	     .client_id = CONTRACT_APP_A,
	     .endpoint = "token",
	     .status = 200,
	     .latency_us = 10,
	     .country = "DE"},
	};
	struct qoc_an_hour_delta d[2] = {delta_a(H0), delta_a(H0 + 7200)};
	append(f, d, 2, ev, 2, 0);
	size_t deleted = 0;
	/* events before H0 + 3600 (one), rollups before H0 + 3600 (one hour with its 4 dims
	 * and 2 accounts) */
	assert_int_equal(qoc_store_analytics_purge(f->st, H0 + 3600, H0 + 3600, 1000, &deleted),
	                 QOC_OK);
	assert_int_equal(deleted, 1 + 1 + 4 + 2);
	assert_int_equal(qoc_store_analytics_purge(f->st, H0 + 3600, H0 + 3600, 1000, &deleted),
	                 QOC_OK);
	assert_int_equal(deleted, 0);
	struct qoc_an_range r;
	assert_int_equal(qoc_store_analytics_query(f->st, &f->a, CONTRACT_APP_A, 0, H0 * 2, &r),
	                 QOC_OK);
	assert_int_equal(r.nhours, 1);
	assert_int_equal(r.hours[0].hour, H0 + 7200);
	assert_int_equal(dim(&r, QOC_AN_DIM_ENDPOINT, "token"), 3);
	int64_t n;
	assert_int_equal(qoc_store_analytics_lifetime(f->st, CONTRACT_APP_A, &n), QOC_OK);
	assert_int_equal(n, 6);
	/* the limit bounds each table's deletions */
	assert_int_equal(qoc_store_analytics_purge(f->st, H0 * 2, H0 * 2, 1, &deleted), QOC_OK);
	assert_int_equal(deleted, 4); /* one row of each of the four tables */
}

/* Many events in one append (backends may insert them several rows a statement): every
 * one is stored, those of an unknown application in between are skipped. */
static void many_events_in_one_append(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_an_event_row ev[101];
	for (int i = 0; i < 101; i++)
		ev[i] = (struct qoc_an_event_row){
		    .at = H0 + i, .client_id = i % 10 == 9 ? "qoc_client_nobody" : CONTRACT_APP_A,
		    .endpoint = "token", .status = 200, .latency_us = i, .country = "DE"};
	append(f, NULL, 0, ev, 101, 10);
	size_t deleted = 0;
	assert_int_equal(qoc_store_analytics_purge(f->st, H0 + 1000, 0, 1000, &deleted), QOC_OK);
	assert_int_equal(deleted, 91);
}

static void deleting_the_application_deletes_its_analytics(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_an_event_row ev = {.at = H0,
	                              .client_id = CONTRACT_APP_A,
	                              .endpoint = "token",
	                              .status = 200,
	                              .latency_us = 10,
	                              .country = "DE"};
	struct qoc_an_hour_delta d = delta_a(H0);
	append(f, &d, 1, &ev, 1, 0);
	struct qoc_audit_event del = {.actor_id = "acct_1", .action = "app.delete", .at = 2};
	assert_int_equal(qoc_store_app_delete(f->st, CONTRACT_APP_A, &del), QOC_OK);
	struct qoc_an_range r;
	assert_int_equal(qoc_store_analytics_query(f->st, &f->a, CONTRACT_APP_A, 0, H0 * 2, &r),
	                 QOC_OK);
	assert_int_equal(r.nhours, 0);
	assert_int_equal(r.ndims, 0);
	int64_t n = -1;
	assert_int_equal(qoc_store_analytics_lifetime(f->st, CONTRACT_APP_A, &n), QOC_OK);
	assert_int_equal(n, 0);
	size_t deleted = 1;
	/* nothing left to purge: the raw event went too */
	assert_int_equal(qoc_store_analytics_purge(f->st, H0 * 2, H0 * 2, 100, &deleted), QOC_OK);
	assert_int_equal(deleted, 0);
}

static void analytics_refuse_bad_arguments(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_an_hour_delta d = delta_a(H0 + 1); /* not on the hour */
	struct qoc_an_batch b = {.hours = &d, .nhours = 1};
	assert_int_equal(qoc_store_analytics_append(f->st, &b, NULL), QOC_EINVAL);
	d = delta_a(H0);
	d.client_id = NULL;
	assert_int_equal(qoc_store_analytics_append(f->st, &b, NULL), QOC_EINVAL);
	b.nhours = QOC_AN_BATCH_MAX + 1;
	assert_int_equal(qoc_store_analytics_append(f->st, &b, NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_analytics_append(f->st, NULL, NULL), QOC_EINVAL);
	struct qoc_an_batch empty = {0};
	assert_int_equal(qoc_store_analytics_append(f->st, &empty, NULL), QOC_OK);
	struct qoc_an_range r;
	int64_t n;
	assert_int_equal(qoc_store_analytics_query(f->st, &f->a, NULL, 0, 1, &r), QOC_EINVAL);
	assert_int_equal(qoc_store_analytics_lifetime(f->st, "", &n), QOC_EINVAL);
	assert_int_equal(qoc_store_analytics_active_users(f->st, NULL, 0, &n), QOC_EINVAL);
	assert_int_equal(qoc_store_analytics_purge(f->st, 0, 0, 0, NULL), QOC_EINVAL);
}

int store_contract_analytics_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(append_then_query_sums_hours_and_dimensions,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(unknown_applications_are_skipped_not_errors,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(active_users_are_live_refresh_tokens_and_sessions,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(purge_honours_both_cutoffs_and_keeps_the_lifetime,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(many_events_in_one_append, contract_setup_migrated,
	                                    contract_teardown),
	    cmocka_unit_test_setup_teardown(deleting_the_application_deletes_its_analytics,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(analytics_refuse_bad_arguments, contract_setup_migrated,
	                                    contract_teardown),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
