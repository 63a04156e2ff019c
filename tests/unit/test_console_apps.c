/* Unit tests for the application half of the console domain on a real SQLite store:
 * src/console/access.c (the role matrix of issue 4), app_manage.c (list, create, PATCH
 * rules, delete, secrets), transfer.c, audit.c, the icon use cases of icon.c and the
 * token rules of pats.c. Each rule from the refused side and the allowed side. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "console/app_manage.h"
#include "console/audit.h"
#include "console/client.h"
#include "console/icon.h"
#include "console/pats.h"
#include "console/transfer.h"
#include "oauth/authz_flow.h"
#include "support/console_fixture.h"

/* One team: admin (who owns app), developer, viewer; an outsider with a team of their own,
 * and an instance admin in none of them. */
struct fx {
	struct console_fx f;
	struct qoc_console_actor admin, dev, viewer, outsider, root;
	const char *team, *app;
	struct qoc_console_problem p;
};

static int setup(void **state)
{
	static struct fx x;
	console_fx_open(&x.f);
	x.admin = console_fx_account(&x.f, "admin@example.com", NULL, false);
	x.dev = console_fx_account(&x.f, "dev@example.com", NULL, false);
	x.viewer = console_fx_account(&x.f, "viewer@example.com", NULL, false);
	x.outsider = console_fx_account(&x.f, "out@example.com", NULL, false);
	x.root = console_fx_account(&x.f, "root@example.com", NULL, true);
	x.team = x.admin.personal_team_id;
	console_fx_member(&x.f, x.team, &x.dev, QOC_ROLE_DEVELOPER);
	console_fx_member(&x.f, x.team, &x.viewer, QOC_ROLE_VIEWER);
	x.app = console_fx_app(&x.f, x.team, &x.admin, "Shop");
	*state = &x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	console_fx_close(&x->f);
	return 0;
}

static enum qoc_err open_app(struct fx *x, const struct qoc_console_actor *who,
                             enum qoc_console_action act, struct qoc_console_app_ref *ref)
{
	return qoc_console_app_open(&x->f.c, &x->f.a, who, x->app, act, ref, &x->p);
}

static void the_role_matrix(void **state)
{
	struct fx *x = *state;
	struct qoc_console_app_ref ref;
	/* another team's application is not there at all (404, never 403) */
	assert_int_equal(open_app(x, &x->outsider, QOC_ACT_READ, &ref), QOC_ENOTFOUND);
	assert_int_equal(qoc_console_app_open(&x->f.c, &x->f.a, &x->admin, "qoc_client_nope",
	                                      QOC_ACT_READ, &ref, &x->p),
	                 QOC_ENOTFOUND);
	/* viewers read; developers also edit and see credentials; the owner or an admin owns */
	assert_int_equal(open_app(x, &x->viewer, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(ref.role, QOC_ROLE_VIEWER);
	assert_int_equal(open_app(x, &x->viewer, QOC_ACT_EDIT, &ref), QOC_EPERM);
	assert_string_equal(x->p.detail, QOC_CONSOLE_ROLE_REFUSED);
	assert_int_equal(open_app(x, &x->viewer, QOC_ACT_CREDENTIALS, &ref), QOC_EPERM);
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_EDIT, &ref), QOC_OK);
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_CREDENTIALS, &ref), QOC_OK);
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_OWNER, &ref), QOC_EPERM);
	assert_int_equal(open_app(x, &x->admin, QOC_ACT_OWNER, &ref), QOC_OK);
	/* an instance admin outside the team reads, and only reads */
	assert_int_equal(open_app(x, &x->root, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(ref.role, QOC_ROLE_VIEWER);
	assert_int_equal(open_app(x, &x->root, QOC_ACT_EDIT, &ref), QOC_EPERM);
}

static void the_console_application_is_read_only(void **state)
{
	struct fx *x = *state;
	struct qoc_console_app_ref ref;
	assert_int_equal(qoc_console_client_ensure(x->f.t.st, &x->f.clock, "http://localhost:8080"),
	                 QOC_OK);
	assert_int_equal(qoc_console_app_open(&x->f.c, &x->f.a, &x->root, QOC_CONSOLE_CLIENT_ID,
	                                      QOC_ACT_READ, &ref, &x->p),
	                 QOC_OK);
	assert_int_equal(qoc_console_app_open(&x->f.c, &x->f.a, &x->root, QOC_CONSOLE_CLIENT_ID,
	                                      QOC_ACT_EDIT, &ref, &x->p),
	                 QOC_EPERM);
	/* not even a status PATCH, the one change an instance admin may make elsewhere */
	assert_int_equal(qoc_console_app_open(&x->f.c, &x->f.a, &x->root, QOC_CONSOLE_CLIENT_ID,
	                                      QOC_ACT_READ, &ref, &x->p),
	                 QOC_OK);
	struct qoc_app_input in = {.status = "inactive"};
	const char *fields[] = {"status"};
	struct qoc_app_errors errs = {0};
	assert_int_equal(
	    qoc_console_app_patch(&x->f.c, &x->f.a, &x->root, &ref, &in, fields, 1, &errs, &x->p),
	    QOC_EPERM);
	assert_string_equal(x->p.detail, QOC_CONSOLE_FIRST_PARTY);
}

static void list_needs_membership_or_instance_admin(void **state)
{
	struct fx *x = *state;
	struct qoc_app_query q = {0};
	struct qoc_app_page page;
	assert_int_equal(
	    qoc_console_apps_list(&x->f.c, &x->f.a, &x->dev, NULL, true, &q, &page, &x->p),
	    QOC_EPERM);
	assert_string_equal(x->p.detail, "only an instance admin lists every team");
	memset(&q, 0, sizeof(q));
	assert_int_equal(
	    qoc_console_apps_list(&x->f.c, &x->f.a, &x->outsider, x->team, false, &q, &page, &x->p),
	    QOC_ENOTFOUND);
	memset(&q, 0, sizeof(q));
	assert_int_equal(
	    qoc_console_apps_list(&x->f.c, &x->f.a, &x->viewer, NULL, false, &q, &page, &x->p),
	    QOC_OK);
	assert_int_equal(page.count, 1);
	memset(&q, 0, sizeof(q));
	assert_int_equal(
	    qoc_console_apps_list(&x->f.c, &x->f.a, &x->root, x->team, true, &q, &page, &x->p),
	    QOC_OK);
	assert_int_equal(page.count, 1);
	memset(&q, 0, sizeof(q));
	q.cursor = "not a cursor";
	assert_int_equal(
	    qoc_console_apps_list(&x->f.c, &x->f.a, &x->viewer, NULL, false, &q, &page, &x->p),
	    QOC_EINVAL);
	assert_string_equal(x->p.field, "cursor");
}

static void create_needs_a_developer(void **state)
{
	struct fx *x = *state;
	struct qoc_apps_created out;
	struct qoc_app_input in = {.team_id = x->team, .type = "web", .name = "New"};
	assert_int_equal(qoc_console_app_create(&x->f.c, &x->f.a, &x->viewer, &in, &out, &x->p),
	                 QOC_EPERM);
	assert_string_equal(x->p.detail, "viewers cannot create applications");
	assert_int_equal(qoc_console_app_create(&x->f.c, &x->f.a, &x->outsider, &in, &out, &x->p),
	                 QOC_EINVAL);
	assert_string_equal(x->p.field, "team");
	in.status = "suspended";
	assert_int_equal(qoc_console_app_create(&x->f.c, &x->f.a, &x->dev, &in, &out, &x->p),
	                 QOC_EINVAL);
	assert_string_equal(x->p.field, "status");
	in.status = NULL;
	in.owner_id = x->admin.account_id; /* ignored: the caller owns what they create */
	assert_int_equal(qoc_console_app_create(&x->f.c, &x->f.a, &x->dev, &in, &out, &x->p),
	                 QOC_OK);
	assert_string_equal(out.app.owner_id, x->dev.account_id);
	qoc_apps_secret_wipe(&out.secret);
	/* no team: the caller's personal team */
	in.team_id = NULL;
	assert_int_equal(qoc_console_app_create(&x->f.c, &x->f.a, &x->outsider, &in, &out, &x->p),
	                 QOC_OK);
	assert_string_equal(out.app.team_id, x->outsider.personal_team_id);
	qoc_apps_secret_wipe(&out.secret);
}

static enum qoc_err patch(struct fx *x, const struct qoc_console_actor *who,
                          const struct qoc_app_input *in, const char *const *fields, size_t n)
{
	struct qoc_console_app_ref ref;
	struct qoc_app_errors errs = {0};
	assert_int_equal(open_app(x, who, QOC_ACT_READ, &ref), QOC_OK);
	return qoc_console_app_patch(&x->f.c, &x->f.a, who, &ref, in, fields, n, &errs, &x->p);
}

static void patch_rules(void **state)
{
	struct fx *x = *state;
	const char *name_f[] = {"name"}, *status_f[] = {"status"}, *both[] = {"status", "name"};
	struct qoc_app_input rename = {.name = "Shop 2"}, suspend = {.status = "suspended"};
	struct qoc_app_input both_in = {.status = "inactive", .name = "Shop 3"};
	assert_int_equal(patch(x, &x->viewer, &rename, name_f, 1), QOC_EPERM);
	assert_int_equal(patch(x, &x->dev, &rename, name_f, 1), QOC_OK);
	assert_string_equal(console_fx_last_action(&x->f, x->app), "app.update");
	/* suspending is the instance admin's, even for the team's own admin */
	assert_int_equal(patch(x, &x->admin, &suspend, status_f, 1), QOC_EPERM);
	assert_string_equal(x->p.detail, "only an instance admin suspends an application or "
	                                 "lifts a suspension");
	assert_int_equal(patch(x, &x->root, &suspend, status_f, 1), QOC_OK);
	assert_string_equal(console_fx_last_action(&x->f, x->app), "app.status.change");
	struct qoc_app_input lift = {.status = "active"};
	assert_int_equal(patch(x, &x->dev, &lift, status_f, 1), QOC_EPERM);
	assert_int_equal(patch(x, &x->root, &lift, status_f, 1), QOC_OK);
	/* outside the team, the status alone */
	assert_int_equal(patch(x, &x->root, &both_in, both, 2), QOC_EPERM);
	assert_string_equal(x->p.detail, QOC_CONSOLE_ROLE_REFUSED);
	/* the rules of the result: field errors, nothing written */
	struct qoc_console_app_ref ref;
	struct qoc_app_errors errs = {0};
	struct qoc_app_input bad = {.name = ""};
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(
	    qoc_console_app_patch(&x->f.c, &x->f.a, &x->dev, &ref, &bad, name_f, 1, &errs, &x->p),
	    QOC_EINVAL);
	assert_null(x->p.field);
	assert_true(errs.count >= 1);
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_READ, &ref), QOC_OK);
	assert_string_equal(ref.app.name, "Shop 2");
}

static void delete_needs_the_owner_and_the_name(void **state)
{
	struct fx *x = *state;
	struct qoc_console_app_ref ref;
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(qoc_console_app_delete(&x->f.c, &x->dev, &ref, "Shop", &x->p), QOC_EPERM);
	assert_int_equal(open_app(x, &x->admin, QOC_ACT_OWNER, &ref), QOC_OK);
	assert_int_equal(qoc_console_app_delete(&x->f.c, &x->admin, &ref, "shop", &x->p),
	                 QOC_EINVAL);
	assert_string_equal(x->p.field, "confirm_name");
	assert_int_equal(qoc_console_app_delete(&x->f.c, &x->admin, &ref, NULL, &x->p), QOC_EINVAL);
	assert_int_equal(qoc_console_app_delete(&x->f.c, &x->admin, &ref, "Shop", &x->p), QOC_OK);
	assert_int_equal(open_app(x, &x->admin, QOC_ACT_READ, &ref), QOC_ENOTFOUND);
}

static void secrets_need_a_developer(void **state)
{
	struct fx *x = *state;
	struct qoc_console_app_ref ref;
	struct qoc_apps_secret s = {0};
	assert_int_equal(open_app(x, &x->viewer, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(qoc_console_app_secret(&x->f.c, &x->viewer, &ref, false, &s, &x->p),
	                 QOC_EPERM);
	assert_int_equal(s.len, 0);
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_CREDENTIALS, &ref), QOC_OK);
	assert_int_equal(qoc_console_app_secret(&x->f.c, &x->dev, &ref, false, &s, &x->p), QOC_OK);
	assert_true(s.len > 0);
	assert_string_equal(console_fx_last_action(&x->f, x->app), "app.secret.reveal");
	qoc_apps_secret_wipe(&s);
	/* a public client has none: 409 words */
	struct qoc_apps_created out;
	struct qoc_app_input in = {.team_id = x->team, .type = "spa", .name = "SPA"};
	assert_int_equal(qoc_console_app_create(&x->f.c, &x->f.a, &x->dev, &in, &out, &x->p),
	                 QOC_OK);
	assert_int_equal(qoc_console_app_open(&x->f.c, &x->f.a, &x->dev, out.app.client_id,
	                                      QOC_ACT_CREDENTIALS, &ref, &x->p),
	                 QOC_OK);
	assert_int_equal(qoc_console_app_secret(&x->f.c, &x->dev, &ref, true, &s, &x->p),
	                 QOC_ECONFLICT);
	assert_string_equal(x->p.detail, "a public client (spa, mobile) has no secret");
}

static void transfer_rules(void **state)
{
	struct fx *x = *state;
	struct qoc_console_app_ref ref;
	struct qoc_account to;
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(qoc_console_transfer_new_owner(&x->f.c, &x->f.a, &x->dev, &ref,
	                                                "dev@example.com", &to, &x->p),
	                 QOC_EPERM);
	assert_int_equal(open_app(x, &x->admin, QOC_ACT_OWNER, &ref), QOC_OK);
	assert_int_equal(qoc_console_transfer_new_owner(&x->f.c, &x->f.a, &x->admin, &ref,
	                                                "nobody@example.com", &to, &x->p),
	                 QOC_EINVAL);
	assert_string_equal(x->p.field, "new_owner");
	assert_string_equal(x->p.detail, "no such account");
	/* a wrong password changes nothing */
	assert_int_equal(qoc_console_transfer_new_owner(&x->f.c, &x->f.a, &x->admin, &ref,
	                                                x->dev.account_id, &to, &x->p),
	                 QOC_OK);
	assert_false(qoc_console_transfer_password_ok(&x->admin, "whatever1", 9)); /* none set */
	assert_int_equal(
	    qoc_console_transfer_commit(&x->f.c, &x->f.a, &x->admin, &ref, &to, false, &x->p),
	    QOC_EPERM);
	assert_string_equal(x->p.detail, "the password is not correct");
	assert_int_equal(x->f.notice.count, 0);
	/* outside the team: a field error */
	struct qoc_account out;
	assert_int_equal(qoc_console_transfer_new_owner(&x->f.c, &x->f.a, &x->admin, &ref,
	                                                "out@example.com", &out, &x->p),
	                 QOC_OK);
	assert_int_equal(
	    qoc_console_transfer_commit(&x->f.c, &x->f.a, &x->admin, &ref, &out, true, &x->p),
	    QOC_EINVAL);
	assert_string_equal(x->p.detail, "must be a member of the team");
	/* the rightful side */
	assert_int_equal(
	    qoc_console_transfer_commit(&x->f.c, &x->f.a, &x->admin, &ref, &to, true, &x->p),
	    QOC_OK);
	assert_string_equal(ref.app.owner_id, x->dev.account_id);
	assert_string_equal(console_fx_last_action(&x->f, x->app), "app.transfer");
	assert_int_equal(x->f.notice.count, 1);
	assert_string_equal(x->f.notice.to, "dev@example.com");
	assert_string_equal(x->f.notice.subject, "An application was transferred to you");
	assert_non_null(strstr(x->f.notice.text, "admin@example.com transferred the application "
	                                         "\"Shop\""));
}

static void transfer_checks_the_password(void **state)
{
	struct fx *x = *state;
	struct qoc_console_actor pw =
	    console_fx_account(&x->f, "pw@example.com", "correct horse", 0);
	assert_true(qoc_console_transfer_password_ok(&pw, "correct horse", 13));
	assert_false(qoc_console_transfer_password_ok(&pw, "correct hors", 12));
}

static void audit_is_for_members(void **state)
{
	struct fx *x = *state;
	struct qoc_audit_query q = {0};
	struct qoc_audit_page page;
	assert_int_equal(qoc_console_audit_team(&x->f.c, &x->f.a, &x->outsider, x->team, &q, &page),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_console_audit_team(&x->f.c, &x->f.a, &x->viewer, x->team, &q, &page),
	                 QOC_OK);
	assert_true(page.count >= 1);
	struct qoc_console_app_ref ref;
	memset(&q, 0, sizeof(q));
	assert_int_equal(open_app(x, &x->viewer, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(qoc_console_audit_app(&x->f.c, &x->f.a, &x->viewer, &ref, &q, &page),
	                 QOC_OK);
	assert_string_equal(page.items[0].action, "app.create");
}

static void icons_need_a_developer_and_the_declared_type(void **state)
{
	struct fx *x = *state;
	static const unsigned char head[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	                                       0,    0,   0,   13,  'I',  'H',  'D',  'R'};
	unsigned char png[40] = {0};
	memcpy(png, head, 16);
	png[19] = 64; /* 64 x 64 */
	png[23] = 64;
	struct qoc_icon_info info;
	struct qoc_console_app_ref ref;
	assert_int_equal(open_app(x, &x->viewer, QOC_ACT_READ, &ref), QOC_OK);
	assert_int_equal(qoc_console_icon_set(&x->f.c, &x->viewer, &ref, png, sizeof(png),
	                                      "image/png", &info, &x->p),
	                 QOC_EPERM);
	assert_int_equal(qoc_console_icon_clear(&x->f.c, &x->viewer, &ref, &x->p), QOC_EPERM);
	assert_int_equal(open_app(x, &x->dev, QOC_ACT_EDIT, &ref), QOC_OK);
	assert_int_equal(qoc_console_icon_set(&x->f.c, &x->dev, &ref, png, sizeof(png),
	                                      "image/jpeg", &info, &x->p),
	                 QOC_EINVAL);
	assert_string_equal(x->p.field, "icon");
	assert_string_equal(x->p.detail, "the image is not of the type its Content-Type says");
	assert_int_equal(qoc_console_icon_set(&x->f.c, &x->dev, &ref, png, sizeof(png), "image/png",
	                                      &info, &x->p),
	                 QOC_OK);
	const unsigned char *icon;
	size_t len;
	const char *type;
	assert_int_equal(qoc_console_icon_get(&x->f.c, &x->f.a, x->app, &icon, &len, &type),
	                 QOC_OK);
	assert_int_equal(len, sizeof(png));
	assert_string_equal(type, "image/png");
	assert_int_equal(qoc_console_icon_clear(&x->f.c, &x->dev, &ref, &x->p), QOC_OK);
	assert_string_equal(console_fx_last_action(&x->f, x->app), "app.icon.clear");
}

static void a_token_does_not_outlive_its_parent(void **state)
{
	struct fx *x = *state;
	struct qoc_buf tok;
	char id[32];
	struct qoc_pat pat;
	qoc_buf_init(&tok, 256);
	int64_t parent = x->f.now + 600;
	assert_int_equal(qoc_console_pat_create(&x->f.c, &x->f.a, &x->dev, "ci", 0, parent, &tok,
	                                        id, sizeof(id), &pat, &x->p),
	                 QOC_EINVAL);
	assert_string_equal(x->p.field, "ttl");
	assert_non_null(strstr(x->p.detail, "1 to 600 seconds"));
	assert_int_equal(qoc_console_pat_create(&x->f.c, &x->f.a, &x->dev, "ci", 600, parent, &tok,
	                                        id, sizeof(id), &pat, &x->p),
	                 QOC_OK);
	assert_int_equal(pat.expires_at, x->f.now + 600);
	struct qoc_pat *pats;
	size_t n;
	assert_int_equal(qoc_console_pats_list(&x->f.c, &x->f.a, &x->dev, &pats, &n), QOC_OK);
	assert_int_equal(n, 1);
	/* only the owner revokes it */
	assert_int_equal(qoc_console_pat_revoke(&x->f.c, &x->viewer, id), QOC_ENOTFOUND);
	assert_int_equal(qoc_console_pat_revoke(&x->f.c, &x->dev, id), QOC_OK);
	qoc_buf_release_secret(&tok);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(the_role_matrix),
	    T(the_console_application_is_read_only),
	    T(list_needs_membership_or_instance_admin),
	    T(create_needs_a_developer),
	    T(patch_rules),
	    T(delete_needs_the_owner_and_the_name),
	    T(secrets_need_a_developer),
	    T(transfer_rules),
	    T(transfer_checks_the_password),
	    T(audit_is_for_members),
	    T(icons_need_a_developer_and_the_declared_type),
	    T(a_token_does_not_outlive_its_parent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
