/* store_contract_teams.c - the contract for accounts' personal teams, teams, memberships
 * and roles (see store_contract.h). Only store.h is used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "support/store_contract_priv.h"

static const struct qoc_audit_event ev = {
    .actor_id = "acct_actor", .action = "test.change", .ip = "192.0.2.1", .at = 1000};

static void make_account(struct qoc_store *st, const char *id, const char *email, const char *name)
{
	struct qoc_account a = {.id = id, .email = email, .name = name, .created_at = 100};
	assert_int_equal(qoc_store_account_create(st, &a), QOC_OK);
}

static void account_create_makes_a_personal_team(void **state)
{
	struct contract_fixture *f = *state;
	make_account(f->st, "acct_1", "ada@example.com", "Ada");
	bool admin = true;
	assert_int_equal(qoc_store_account_admin_exists(f->st, &admin), QOC_OK);
	assert_false(admin); /* an account, but no instance admin */
	struct qoc_account out;
	assert_int_equal(qoc_store_account_by_id(f->st, &f->a, "acct_1", &out), QOC_OK);
	assert_string_equal(out.email, "ada@example.com");
	assert_string_equal(out.personal_team_id, "team_acct_1"); /* derived: none was given */
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "ADA@example.com", &out), QOC_OK);
	assert_string_equal(out.personal_team_id, "team_acct_1");

	struct qoc_team *teams;
	size_t n;
	assert_int_equal(qoc_store_teams_of_account(f->st, &f->a, "acct_1", &teams, &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(teams[0].id, "team_acct_1");
	assert_string_equal(teams[0].name, "Ada");
	assert_true(teams[0].personal);
	assert_int_equal(teams[0].role, QOC_ROLE_ADMIN);
	assert_int_equal(teams[0].created_at, 100);

	/* The caller's id is used when given; without a name the team is named by email. */
	struct qoc_account b = {
	    .id = "acct_2", .email = "b@example.com", .personal_team_id = "team_chosen"};
	assert_int_equal(qoc_store_account_create(f->st, &b), QOC_OK);
	assert_int_equal(qoc_store_teams_of_account(f->st, &f->a, "acct_2", &teams, &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(teams[0].id, "team_chosen");
	assert_string_equal(teams[0].name, "b@example.com");
	enum qoc_role role;
	assert_int_equal(qoc_store_membership_role(f->st, "team_chosen", "acct_2", &role), QOC_OK);
	assert_int_equal(role, QOC_ROLE_ADMIN);

	assert_int_equal(qoc_store_account_by_id(f->st, &f->a, "acct_none", &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_account_by_id(f->st, &f->a, "", &out), QOC_EINVAL);

	struct qoc_account root = {
	    .id = "acct_3", .email = "root@example.com", .is_admin = true, .created_at = 100};
	assert_int_equal(qoc_store_account_create(f->st, &root), QOC_OK);
	assert_int_equal(qoc_store_account_admin_exists(f->st, &admin), QOC_OK);
	assert_true(admin);
}

/* The account and its team are one unit: a taken team id creates neither. */
static void account_with_a_taken_team_id_creates_nothing(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_account a = {
	    .id = "acct_1", .email = "a@example.com", .personal_team_id = "team_x"};
	struct qoc_account b = {
	    .id = "acct_2", .email = "b@example.com", .personal_team_id = "team_x"};
	struct qoc_account out;
	assert_int_equal(qoc_store_account_create(f->st, &a), QOC_OK);
	assert_int_equal(qoc_store_account_create(f->st, &b), QOC_ECONFLICT);
	assert_int_equal(qoc_store_account_by_id(f->st, &f->a, "acct_2", &out), QOC_ENOTFOUND);
	struct qoc_team *teams;
	size_t n = 9;
	assert_int_equal(qoc_store_teams_of_account(f->st, &f->a, "acct_2", &teams, &n), QOC_OK);
	assert_int_equal(n, 0);
	assert_null(teams);
}

static void teams_are_created_with_their_creator_as_admin(void **state)
{
	struct contract_fixture *f = *state;
	make_account(f->st, "acct_1", "zed@example.com", "Zed");
	make_account(f->st, "acct_2", "Amy@example.com", NULL);
	struct qoc_team t = {.id = "team_b", .name = "Beta", .created_at = 500};
	assert_int_equal(qoc_store_team_create(f->st, &t, "acct_1", &ev), QOC_OK);
	assert_int_equal(qoc_store_team_create(f->st, &t, "acct_1", &ev), QOC_ECONFLICT);
	struct qoc_team t2 = {.id = "team_a", .name = "Alpha", .created_at = 600};
	assert_int_equal(qoc_store_team_create(f->st, &t2, "acct_1", &ev), QOC_OK);
	struct qoc_team t3 = {.id = "team_c", .name = "C", .created_at = 1};
	assert_int_equal(qoc_store_team_create(f->st, &t3, "acct_nobody", &ev), QOC_ENOTFOUND);

	/* Personal first, then by name; each with the account's role. */
	struct qoc_team *teams;
	size_t n;
	assert_int_equal(qoc_store_teams_of_account(f->st, &f->a, "acct_1", &teams, &n), QOC_OK);
	assert_int_equal(n, 3);
	assert_string_equal(teams[0].id, "team_acct_1");
	assert_string_equal(teams[1].name, "Alpha");
	assert_string_equal(teams[2].name, "Beta");
	assert_false(teams[2].personal);
	assert_int_equal(teams[2].role, QOC_ROLE_ADMIN);
}

static void members_are_added_changed_and_removed(void **state)
{
	struct contract_fixture *f = *state;
	make_account(f->st, "acct_1", "zed@example.com", "Zed");
	make_account(f->st, "acct_2", "Amy@example.com", NULL);
	struct qoc_team t = {.id = "team_b", .name = "Beta", .created_at = 500};
	struct qoc_team t2 = {.id = "team_a", .name = "Alpha", .created_at = 600};
	assert_int_equal(qoc_store_team_create(f->st, &t, "acct_1", &ev), QOC_OK);
	assert_int_equal(qoc_store_team_create(f->st, &t2, "acct_1", &ev), QOC_OK);
	size_t n;
	assert_int_equal(qoc_store_member_add(f->st, "team_b", "acct_2", QOC_ROLE_DEVELOPER, &ev),
	                 QOC_OK);
	assert_int_equal(qoc_store_member_add(f->st, "team_b", "acct_2", QOC_ROLE_VIEWER, &ev),
	                 QOC_ECONFLICT);
	assert_int_equal(qoc_store_member_add(f->st, "team_b", "acct_x", QOC_ROLE_VIEWER, &ev),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_member_add(f->st, "team_x", "acct_2", QOC_ROLE_VIEWER, &ev),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_member_add(f->st, "team_a", "acct_2", QOC_ROLE_NONE, &ev),
	                 QOC_EINVAL);
	assert_int_equal(qoc_store_member_add(f->st, "team_a", "acct_2", (enum qoc_role)9, &ev),
	                 QOC_EINVAL);

	enum qoc_role role;
	assert_int_equal(qoc_store_membership_role(f->st, "team_b", "acct_2", &role), QOC_OK);
	assert_int_equal(role, QOC_ROLE_DEVELOPER);
	assert_int_equal(qoc_store_membership_role(f->st, "team_a", "acct_2", &role),
	                 QOC_ENOTFOUND);
	assert_int_equal(role, QOC_ROLE_NONE);

	/* Members by email (case-insensitively), with the account's email and name. */
	struct qoc_membership *m;
	assert_int_equal(qoc_store_team_members(f->st, &f->a, "team_b", &m, &n), QOC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].account_id, "acct_2");
	assert_string_equal(m[0].email, "Amy@example.com");
	assert_null(m[0].name);
	assert_int_equal(m[0].role, QOC_ROLE_DEVELOPER);
	assert_int_equal(m[0].created_at, ev.at);
	assert_string_equal(m[1].name, "Zed");
	assert_int_equal(m[1].role, QOC_ROLE_ADMIN);
	assert_int_equal(qoc_store_team_members(f->st, &f->a, "team_x", &m, &n), QOC_ENOTFOUND);

	assert_int_equal(qoc_store_member_set_role(f->st, "team_b", "acct_2", QOC_ROLE_VIEWER, &ev),
	                 QOC_OK);
	assert_int_equal(qoc_store_membership_role(f->st, "team_b", "acct_2", &role), QOC_OK);
	assert_int_equal(role, QOC_ROLE_VIEWER);
	assert_int_equal(qoc_store_member_set_role(f->st, "team_a", "acct_2", QOC_ROLE_VIEWER, &ev),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_member_remove(f->st, "team_b", "acct_2", &ev), QOC_OK);
	assert_int_equal(qoc_store_membership_role(f->st, "team_b", "acct_2", &role),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_member_remove(f->st, "team_b", "acct_2", &ev), QOC_ENOTFOUND);

	/* Every change above that succeeded was audited against its team. */
	struct qoc_audit_query q = {.team_id = "team_b"};
	struct qoc_audit_page p;
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &q, &p), QOC_OK);
	assert_int_equal(p.count, 4); /* create, add, set_role, remove */
	assert_string_equal(p.items[0].actor_id, "acct_actor");
	assert_string_equal(p.items[0].ip, "192.0.2.1");
	assert_null(p.items[0].client_id);
}

static void the_last_admin_stays(void **state)
{
	struct contract_fixture *f = *state;
	make_account(f->st, "acct_1", "one@example.com", NULL);
	make_account(f->st, "acct_2", "two@example.com", NULL);
	const char *team = "team_acct_1";
	enum qoc_role role;
	assert_int_equal(qoc_store_member_set_role(f->st, team, "acct_1", QOC_ROLE_DEVELOPER, &ev),
	                 QOC_EPERM);
	assert_int_equal(qoc_store_member_remove(f->st, team, "acct_1", &ev), QOC_EPERM);
	assert_int_equal(qoc_store_member_set_role(f->st, team, "acct_1", QOC_ROLE_ADMIN, &ev),
	                 QOC_OK); /* the role it has: not a demotion */
	assert_int_equal(qoc_store_membership_role(f->st, team, "acct_1", &role), QOC_OK);
	assert_int_equal(role, QOC_ROLE_ADMIN);

	/* With a second admin, either may go, but not both. */
	assert_int_equal(qoc_store_member_add(f->st, team, "acct_2", QOC_ROLE_ADMIN, &ev), QOC_OK);
	assert_int_equal(qoc_store_member_set_role(f->st, team, "acct_1", QOC_ROLE_VIEWER, &ev),
	                 QOC_OK);
	assert_int_equal(qoc_store_member_remove(f->st, team, "acct_2", &ev), QOC_EPERM);
	assert_int_equal(qoc_store_member_set_role(f->st, team, "acct_2", QOC_ROLE_VIEWER, &ev),
	                 QOC_EPERM);
	assert_int_equal(qoc_store_member_remove(f->st, team, "acct_1", &ev), QOC_OK);
	assert_int_equal(qoc_store_membership_role(f->st, team, "acct_2", &role), QOC_OK);
	assert_int_equal(role, QOC_ROLE_ADMIN);
}

struct demoter {
	struct qoc_store *st;
	pthread_barrier_t *start;
	const char *team, *account;
	enum qoc_err result;
};

static void *demote_thread(void *arg)
{
	struct demoter *d = arg;
	pthread_barrier_wait(d->start);
	d->result = qoc_store_member_set_role(d->st, d->team, d->account, QOC_ROLE_VIEWER, &ev);
	return NULL;
}

/* Two admins demoted at the same moment (two console users, two nodes): one may go, the
 * other must stay, whichever commits first. */
static void concurrent_demotions_keep_an_admin(void **state)
{
	struct contract_fixture *f = *state;
	make_account(f->st, "acct_1", "one@example.com", NULL);
	make_account(f->st, "acct_2", "two@example.com", NULL);
	const char *team = "team_acct_1";
	for (int round = 0; round < 10; round++) {
		assert_int_equal(qoc_store_member_set_role(f->st, team, "acct_1", QOC_ROLE_ADMIN, &ev),
		                 QOC_OK);
		if (round == 0)
			assert_int_equal(
			    qoc_store_member_add(f->st, team, "acct_2", QOC_ROLE_ADMIN, &ev), QOC_OK);
		else
			assert_int_equal(
			    qoc_store_member_set_role(f->st, team, "acct_2", QOC_ROLE_ADMIN, &ev),
			    QOC_OK);
		pthread_barrier_t start;
		assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
		struct demoter d[2] = {{f->st, &start, team, "acct_1", QOC_EDB},
		                       {f->st, &start, team, "acct_2", QOC_EDB}};
		pthread_t th[2];
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&th[i], NULL, demote_thread, &d[i]), 0);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&start);
		assert_true((d[0].result == QOC_OK && d[1].result == QOC_EPERM) ||
		            (d[0].result == QOC_EPERM && d[1].result == QOC_OK));
		enum qoc_role r1, r2;
		assert_int_equal(qoc_store_membership_role(f->st, team, "acct_1", &r1), QOC_OK);
		assert_int_equal(qoc_store_membership_role(f->st, team, "acct_2", &r2), QOC_OK);
		assert_true(r1 == QOC_ROLE_ADMIN || r2 == QOC_ROLE_ADMIN);
	}
}

static void team_calls_refuse_bad_arguments(void **state)
{
	struct contract_fixture *f = *state;
	make_account(f->st, "acct_1", "one@example.com", NULL);
	struct qoc_team t = {.id = "team_1", .name = "T"};
	struct qoc_audit_event no_actor = {.action = "x"};
	assert_int_equal(qoc_store_team_create(f->st, &t, "acct_1", NULL), QOC_EINVAL);
	assert_int_equal(qoc_store_team_create(f->st, &t, "acct_1", &no_actor), QOC_EINVAL);
	struct qoc_team unnamed = {.id = "team_1", .name = ""};
	assert_int_equal(qoc_store_team_create(f->st, &unnamed, "acct_1", &ev), QOC_EINVAL);
	assert_int_equal(qoc_store_member_remove(f->st, "", "acct_1", &ev), QOC_EINVAL);
	enum qoc_role role;
	assert_int_equal(qoc_store_membership_role(f->st, "team_1", NULL, &role), QOC_EINVAL);
	/* Nothing was created by the refused calls. */
	assert_int_equal(qoc_store_team_members(f->st, &f->a, "team_1", NULL, NULL), QOC_EINVAL);
	struct qoc_membership *m;
	size_t n;
	assert_int_equal(qoc_store_team_members(f->st, &f->a, "team_1", &m, &n), QOC_ENOTFOUND);
	assert_string_equal(qoc_role_name(QOC_ROLE_DEVELOPER), "developer");
	assert_null(qoc_role_name(QOC_ROLE_NONE));
	assert_int_equal(qoc_role_parse("viewer"), QOC_ROLE_VIEWER);
	assert_int_equal(qoc_role_parse("Admin"), QOC_ROLE_NONE);
}

int store_contract_teams_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(account_create_makes_a_personal_team,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(account_with_a_taken_team_id_creates_nothing,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(teams_are_created_with_their_creator_as_admin,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(members_are_added_changed_and_removed,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(the_last_admin_stays, contract_setup_migrated,
	                                    contract_teardown),
	    cmocka_unit_test_setup_teardown(concurrent_demotions_keep_an_admin,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(team_calls_refuse_bad_arguments,
	                                    contract_setup_migrated, contract_teardown),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
