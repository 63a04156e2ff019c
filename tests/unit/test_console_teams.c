/* Unit tests for src/console/teams.c and the team half of src/console/access.c (issue 4,
 * "Who can do what") on a real SQLite store: each rule from the refused side and the
 * allowed side. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "console/teams.h"
#include "support/console_fixture.h"

/* A team made by its admin, with a developer and a viewer in it. */
struct fx {
	struct console_fx f;
	struct qoc_console_actor admin, dev, viewer, outsider;
	struct qoc_team team;
};

static int setup(void **state)
{
	static struct fx x;
	struct qoc_console_problem p;
	console_fx_open(&x.f);
	x.admin = console_fx_account(&x.f, "admin@example.com", NULL, false);
	x.dev = console_fx_account(&x.f, "dev@example.com", NULL, false);
	x.viewer = console_fx_account(&x.f, "viewer@example.com", NULL, false);
	x.outsider = console_fx_account(&x.f, "out@example.com", NULL, false);
	assert_int_equal(qoc_console_team_create(&x.f.c, &x.f.a, &x.admin, "Acme", &x.team, &p),
	                 QOC_OK);
	console_fx_member(&x.f, x.team.id, &x.dev, QOC_ROLE_DEVELOPER);
	console_fx_member(&x.f, x.team.id, &x.viewer, QOC_ROLE_VIEWER);
	*state = &x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	console_fx_close(&x->f);
	return 0;
}

static struct qoc_console_team_ref open_as(struct fx *x, const struct qoc_console_actor *who)
{
	struct qoc_console_team_ref ref;
	struct qoc_console_problem p;
	assert_int_equal(qoc_console_team_open(&x->f.c, who, x->team.id, QOC_ROLE_VIEWER, &ref, &p),
	                 QOC_OK);
	return ref;
}

static void create_names_the_bad_field(void **state)
{
	struct fx *x = *state;
	struct qoc_console_problem p;
	struct qoc_team t;
	assert_int_equal(qoc_console_team_create(&x->f.c, &x->f.a, &x->dev, NULL, &t, &p),
	                 QOC_EINVAL);
	assert_string_equal(p.field, "name");
	assert_string_equal(p.detail, "is required (a string)");
	assert_int_equal(qoc_console_team_create(&x->f.c, &x->f.a, &x->dev, "", &t, &p),
	                 QOC_EINVAL);
	assert_string_equal(p.detail, "name is required");
	/* the rightful side: the creator is its admin, listed after the personal team */
	assert_int_equal(qoc_console_team_create(&x->f.c, &x->f.a, &x->dev, "Dev team", &t, &p),
	                 QOC_OK);
	assert_int_equal(t.role, QOC_ROLE_ADMIN);
	struct qoc_team *teams;
	size_t n;
	assert_int_equal(qoc_console_teams_of(&x->f.c, &x->f.a, &x->dev, &teams, &n), QOC_OK);
	assert_int_equal(n, 3); /* personal, Acme (developer), Dev team (admin) */
	assert_true(teams[0].personal);
}

static void outsiders_see_no_team(void **state)
{
	struct fx *x = *state;
	struct qoc_console_team_ref ref;
	struct qoc_console_problem p;
	assert_int_equal(
	    qoc_console_team_open(&x->f.c, &x->outsider, x->team.id, QOC_ROLE_VIEWER, &ref, &p),
	    QOC_ENOTFOUND);
	assert_int_equal(
	    qoc_console_team_open(&x->f.c, &x->admin, "team_nope", QOC_ROLE_VIEWER, &ref, &p),
	    QOC_ENOTFOUND);
	/* a member below the minimum is refused by name, not hidden */
	assert_int_equal(
	    qoc_console_team_open(&x->f.c, &x->viewer, x->team.id, QOC_ROLE_ADMIN, &ref, &p),
	    QOC_EPERM);
	assert_string_equal(p.detail, QOC_CONSOLE_ROLE_REFUSED);
}

static void viewers_list_members(void **state)
{
	struct fx *x = *state;
	struct qoc_console_team_ref ref = open_as(x, &x->viewer);
	struct qoc_console_problem p;
	struct qoc_membership *m;
	size_t n;
	assert_int_equal(qoc_console_members_list(&x->f.c, &x->f.a, &ref, &m, &n, &p), QOC_OK);
	assert_int_equal(n, 3);
}

static void only_admins_add_members(void **state)
{
	struct fx *x = *state;
	struct qoc_console_problem p;
	struct qoc_membership m;
	const char *email = "out@example.com";
	/* the abuse side: a viewer and a developer cannot add anyone */
	struct qoc_console_team_ref ref = open_as(x, &x->viewer);
	assert_int_equal(
	    qoc_console_member_add(&x->f.c, &x->f.a, &x->viewer, &ref, email, "admin", &m, &p),
	    QOC_EPERM);
	assert_string_equal(p.detail, QOC_CONSOLE_ROLE_REFUSED);
	ref = open_as(x, &x->dev);
	assert_int_equal(
	    qoc_console_member_add(&x->f.c, &x->f.a, &x->dev, &ref, email, "viewer", &m, &p),
	    QOC_EPERM);
	assert_int_equal(x->f.notice.count, 0);
	/* the rightful side: the admin adds, and the new member is told */
	ref = open_as(x, &x->admin);
	assert_int_equal(
	    qoc_console_member_add(&x->f.c, &x->f.a, &x->admin, &ref, email, "developer", &m, &p),
	    QOC_OK);
	assert_string_equal(m.account_id, x->outsider.account_id);
	assert_int_equal(m.role, QOC_ROLE_DEVELOPER);
	assert_int_equal(x->f.notice.count, 1);
	assert_string_equal(x->f.notice.to, email);
	assert_string_equal(x->f.notice.subject, "You were added to a team");
	assert_string_equal(x->f.notice.text,
	                    "admin@example.com added you to a team on QOC as developer.\n");
	/* twice: a conflict without words of its own (the API's "read it again") */
	assert_int_equal(
	    qoc_console_member_add(&x->f.c, &x->f.a, &x->admin, &ref, email, "developer", &m, &p),
	    QOC_ECONFLICT);
	assert_null(p.detail);
	assert_int_equal(x->f.notice.count, 1);
}

static void add_names_the_bad_field(void **state)
{
	struct fx *x = *state;
	struct qoc_console_team_ref ref = open_as(x, &x->admin);
	struct qoc_console_problem p;
	struct qoc_membership m;
	assert_int_equal(qoc_console_member_add(&x->f.c, &x->f.a, &x->admin, &ref,
	                                        "out@example.com", "owner", &m, &p),
	                 QOC_EINVAL);
	assert_string_equal(p.field, "role");
	assert_string_equal(p.detail, "must be admin, developer or viewer");
	assert_int_equal(qoc_console_member_add(&x->f.c, &x->f.a, &x->admin, &ref,
	                                        "nobody@example.com", "viewer", &m, &p),
	                 QOC_EINVAL);
	assert_string_equal(p.field, "email");
	assert_string_equal(p.detail, "no account has this email");
	assert_int_equal(
	    qoc_console_member_add(&x->f.c, &x->f.a, &x->admin, &ref, NULL, "viewer", &m, &p),
	    QOC_EINVAL);
	assert_string_equal(p.field, "email");
}

static void the_last_admin_stays(void **state)
{
	struct fx *x = *state;
	struct qoc_console_team_ref ref = open_as(x, &x->admin);
	struct qoc_console_problem p;
	enum qoc_role role;
	assert_int_equal(qoc_console_member_set_role(&x->f.c, &x->admin, &ref, x->admin.account_id,
	                                             "developer", &role, &p),
	                 QOC_ECONFLICT);
	assert_string_equal(p.detail, "the team must keep an admin");
	assert_int_equal(
	    qoc_console_member_remove(&x->f.c, &x->admin, &ref, x->admin.account_id, &p),
	    QOC_ECONFLICT);
	assert_string_equal(p.detail, "the team must keep an admin");
	/* with a second admin, the first may step down */
	assert_int_equal(qoc_console_member_set_role(&x->f.c, &x->admin, &ref, x->dev.account_id,
	                                             "admin", &role, &p),
	                 QOC_OK);
	assert_int_equal(role, QOC_ROLE_ADMIN);
	assert_int_equal(qoc_console_member_set_role(&x->f.c, &x->admin, &ref, x->admin.account_id,
	                                             "viewer", &role, &p),
	                 QOC_OK);
}

static void only_admins_change_roles(void **state)
{
	struct fx *x = *state;
	struct qoc_console_team_ref ref = open_as(x, &x->dev);
	struct qoc_console_problem p;
	enum qoc_role role;
	/* a developer cannot make themself admin, nor remove the viewer */
	assert_int_equal(qoc_console_member_set_role(&x->f.c, &x->dev, &ref, x->dev.account_id,
	                                             "admin", &role, &p),
	                 QOC_EPERM);
	assert_int_equal(
	    qoc_console_member_remove(&x->f.c, &x->dev, &ref, x->viewer.account_id, &p), QOC_EPERM);
	ref = open_as(x, &x->admin);
	assert_int_equal(qoc_console_member_set_role(&x->f.c, &x->admin, &ref,
	                                             x->outsider.account_id, "viewer", &role, &p),
	                 QOC_ENOTFOUND);
	assert_int_equal(
	    qoc_console_member_remove(&x->f.c, &x->admin, &ref, x->viewer.account_id, &p), QOC_OK);
	assert_int_equal(
	    qoc_console_member_remove(&x->f.c, &x->admin, &ref, x->viewer.account_id, &p),
	    QOC_ENOTFOUND);
}

static void owners_of_apps_are_not_removed(void **state)
{
	struct fx *x = *state;
	struct qoc_console_team_ref ref = open_as(x, &x->admin);
	struct qoc_console_problem p;
	(void)console_fx_app(&x->f, x->team.id, &x->dev, "Dev's app");
	assert_int_equal(qoc_console_member_remove(&x->f.c, &x->admin, &ref, x->dev.account_id, &p),
	                 QOC_ECONFLICT);
	assert_string_equal(p.detail, "the member still owns applications: transfer them first");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(create_names_the_bad_field), T(outsiders_see_no_team),
	    T(viewers_list_members),       T(only_admins_add_members),
	    T(add_names_the_bad_field),    T(the_last_admin_stays),
	    T(only_admins_change_roles),   T(owners_of_apps_are_not_removed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
