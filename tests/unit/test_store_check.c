/* The shared store checks and encodings (store/store_check.h, store/store_codec.h) on
 * their own, without a database: the store contract suite runs them through both
 * backends; these cases pin the edges each backend used to hold in its own copy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "store/store_check.h"
#include "store/store_codec.h"

#define HASH "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ" /* 43 base64url characters */

static const unsigned char secret[] = {1, 2, 3};

static struct qoc_app confidential_app(void)
{
	return (struct qoc_app){.client_id = "c1",
	                        .team_id = "t1",
	                        .owner_id = "a1",
	                        .name = "App",
	                        .type = "web",
	                        .status = "active",
	                        .token_format = "opaque",
	                        .id_token_signed_response_alg = "EdDSA",
	                        .access_token_lifetime = 1,
	                        .refresh_token_lifetime = 1,
	                        .id_token_lifetime = 1,
	                        .secret_hash = secret,
	                        .secret_hash_len = sizeof(secret),
	                        .secret_sealed = secret,
	                        .secret_sealed_len = sizeof(secret),
	                        .secret_created_at = 1};
}

static void app_checks(void **state)
{
	(void)state;
	struct qoc_app app = confidential_app();
	assert_true(qoc_store_app_create_ok(&app));
	app.status = "deleted";
	assert_false(qoc_store_app_settings_ok(&app));
	app = confidential_app();
	app.token_format = "paseto";
	assert_false(qoc_store_app_create_ok(&app));
	app = confidential_app();
	app.type = "spa"; /* a public client: no secret, PKCE required */
	assert_false(qoc_store_app_create_ok(&app));
	app.secret_hash = app.secret_sealed = NULL;
	app.secret_created_at = 0;
	assert_false(qoc_store_app_create_ok(&app));
	app.pkce_required = true;
	assert_true(qoc_store_app_create_ok(&app));
	assert_true(qoc_store_app_is_public("mobile"));
	assert_false(qoc_store_app_is_public("service"));
	assert_true(qoc_store_app_status_ok("suspended"));
	assert_false(qoc_store_app_status_ok(NULL));
}

static void token_checks(void **state)
{
	(void)state;
	struct qoc_token t = {.token_hash = HASH,
	                      .kind = QOC_TOKEN_REFRESH,
	                      .client_id = "c1",
	                      .scope = "",
	                      .family_id = "f1"};
	assert_true(qoc_store_token_base_ok(&t));
	assert_false(qoc_store_token_ok(&t)); /* a refresh token names its account */
	t.account_id = "a1";
	assert_true(qoc_store_token_ok(&t));
	t.parent_hash = "raw-secret";
	assert_false(qoc_store_token_ok(&t));
	assert_string_equal(qoc_store_token_kind_name(QOC_TOKEN_ACCESS), "access");
	assert_int_equal(qoc_store_token_kind_parse("refresh"), QOC_TOKEN_REFRESH);
	assert_int_equal(qoc_store_token_kind_parse("access"), QOC_TOKEN_ACCESS);
}

static void audit_and_outbox_checks(void **state)
{
	(void)state;
	struct qoc_audit_query q = {.team_id = "t1"};
	assert_true(qoc_store_audit_query_ok(&q));
	assert_int_equal(qoc_store_audit_page_limit(&q), 50);
	q.client_id = "c1"; /* both */
	assert_false(qoc_store_audit_query_ok(&q));
	q = (struct qoc_audit_query){.client_id = "", .team_id = "t1"};
	assert_false(qoc_store_audit_query_ok(&q));
	q = (struct qoc_audit_query){.team_id = "t1", .limit = QOC_AUDIT_LIST_MAX_LIMIT + 1};
	assert_false(qoc_store_audit_query_ok(&q));
	struct qoc_audit_event ev = {.actor_id = "a1", .action = ""};
	assert_false(qoc_store_audit_event_ok(&ev));
	assert_false(qoc_store_outbox_limit_ok(0));
	assert_true(qoc_store_outbox_limit_ok(QOC_OUTBOX_DUE_MAX));
	assert_false(qoc_store_outbox_limit_ok(QOC_OUTBOX_DUE_MAX + 1));
}

static void an_batch_checks(void **state)
{
	(void)state;
	struct qoc_an_hour_delta h = {.client_id = "c1", .hour = 7200};
	struct qoc_an_batch b = {.hours = &h, .nhours = 1};
	assert_true(qoc_store_an_batch_ok(&b));
	h.hour = 7201; /* not on the hour */
	assert_false(qoc_store_an_batch_ok(&b));
	assert_false(qoc_store_an_batch_ok(NULL));
}

static void migrations_newest(void **state)
{
	(void)state;
	const struct qoc_migration good[] = {{1, "a", ""}, {3, "b", ""}, {0, NULL, NULL}};
	const struct qoc_migration twice[] = {{1, "a", ""}, {1, "b", ""}, {0, NULL, NULL}};
	assert_int_equal(qoc_store_migrations_newest(good), 3);
	assert_int_equal(qoc_store_migrations_newest(twice), -1);
}

static void encodings(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_account acct = {.id = "a1", .email = "Ann@Example.org", .name = ""};
	struct qoc_store_account_enc e;
	assert_true(qoc_store_account_create_ok(&acct));
	assert_int_equal(qoc_store_account_encode(&a, &acct, &e), QOC_OK);
	assert_string_equal(e.team_id, "team_a1");
	assert_string_equal(e.team_name, "Ann@Example.org"); /* no name: the email */
	acct.personal_team_id = "";
	assert_false(qoc_store_account_create_ok(&acct));

	struct qoc_app app = confidential_app();
	const char *uris[] = {"https://a/cb"};
	app.redirect_uris = (struct qoc_str_list){uris, 1};
	struct qoc_store_app_enc ae;
	assert_int_equal(qoc_store_app_encode(&a, &app, &ae), QOC_OK);
	assert_string_equal(ae.redirect, "[\"https://a/cb\"]");
	assert_string_equal(ae.grants, "[]");
	qoc_arena_release(&a);
}

static void app_list_prepare(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_store_app_list l;
	struct qoc_app_query q = {.sort = QOC_APP_SORT_NAME};
	assert_int_equal(qoc_store_app_list_prepare(&a, &q, &l), QOC_OK);
	assert_true(l.no_team);
	assert_int_equal(l.limit, QOC_APP_LIST_DEFAULT_LIMIT);

	const char *teams[] = {"t1", "t2"};
	q = (struct qoc_app_query){.team_ids = teams, .team_count = 2, .q = "App"};
	assert_int_equal(qoc_store_app_list_prepare(&a, &q, &l), QOC_OK);
	assert_int_equal(l.scope, QOC_STORE_SCOPE_MANY);
	assert_string_equal(l.teams, "[\"t1\",\"t2\"]");
	assert_non_null(l.q_norm);

	/* A cursor is only good for the order it was made in. */
	struct qoc_app last = {.client_id = "c9", .name = "Zed", .created_at = 5};
	const char *cur;
	assert_int_equal(qoc_store_app_list_next_cursor(&a, &q, &last, &cur), QOC_OK);
	q.cursor = cur;
	assert_int_equal(qoc_store_app_list_prepare(&a, &q, &l), QOC_OK);
	assert_true(l.has_cursor);
	assert_string_equal(l.cur.client_id, "c9");
	q.desc = true;
	assert_int_equal(qoc_store_app_list_prepare(&a, &q, &l), QOC_EINVAL);

	q = (struct qoc_app_query){.all_teams = true, .limit = QOC_APP_LIST_MAX_LIMIT + 1};
	assert_int_equal(qoc_store_app_list_prepare(&a, &q, &l), QOC_EINVAL);
	qoc_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(app_checks),
	    cmocka_unit_test(token_checks),
	    cmocka_unit_test(audit_and_outbox_checks),
	    cmocka_unit_test(an_batch_checks),
	    cmocka_unit_test(migrations_newest),
	    cmocka_unit_test(encodings),
	    cmocka_unit_test(app_list_prepare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
