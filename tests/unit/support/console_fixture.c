/* console_fixture.c - see console_fixture.h. */
#include "support/console_fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "console/accounts.h"

static const uint8_t master[32] = {
    0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
    0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
};

static int64_t fixed_now(void *ctx)
{
	return *(int64_t *)ctx;
}

static void keep_notice(void *arg, const char *to, const char *subject, const char *text)
{
	struct console_fx_notice *n = arg;
	n->count++;
	snprintf(n->to, sizeof(n->to), "%s", to);
	snprintf(n->subject, sizeof(n->subject), "%s", subject);
	snprintf(n->text, sizeof(n->text), "%s", text);
}

void console_fx_open(struct console_fx *f)
{
	memset(f, 0, sizeof(*f));
	tmp_store_open(&f->t);
	f->now = CONSOLE_FX_NOW;
	f->clock = (struct qoc_clock){fixed_now, &f->now};
	assert_int_equal(qoc_apps_ctx_init(&f->apps, f->t.st, &f->clock, master), QOC_OK);
	f->c = (struct qoc_console_ctx){.store = f->t.st,
	                                .clock = &f->clock,
	                                .apps = &f->apps,
	                                .notify = keep_notice,
	                                .notify_arg = &f->notice};
	qoc_arena_init(&f->a, 0);
}

void console_fx_close(struct console_fx *f)
{
	qoc_arena_release(&f->a);
	qoc_apps_ctx_release(&f->apps);
	tmp_store_close(&f->t);
}

struct qoc_console_actor console_fx_account(struct console_fx *f, const char *email,
                                            const char *password, bool is_admin)
{
	char id[32];
	const char *why = NULL;
	struct qoc_account_input in = {email, "Someone", password, password ? strlen(password) : 0,
	                               is_admin};
	assert_int_equal(qoc_account_create(f->t.st, &f->clock, &in, id, sizeof(id), &why), QOC_OK);
	struct qoc_account acct;
	assert_int_equal(qoc_store_account_by_id(f->t.st, &f->a, id, &acct), QOC_OK);
	return (struct qoc_console_actor){.account_id = acct.id,
	                                  .email = acct.email,
	                                  .personal_team_id = acct.personal_team_id,
	                                  .password_hash = acct.password_hash,
	                                  .is_admin = acct.is_admin,
	                                  .ip = "192.0.2.7"};
}

void console_fx_member(struct console_fx *f, const char *team_id,
                       const struct qoc_console_actor *who, enum qoc_role role)
{
	struct qoc_audit_event ev = {.actor_id = "system", .action = "test.member", .at = f->now};
	assert_int_equal(qoc_store_member_add(f->t.st, team_id, who->account_id, role, &ev),
	                 QOC_OK);
}

const char *console_fx_app(struct console_fx *f, const char *team_id,
                           const struct qoc_console_actor *owner, const char *name)
{
	struct qoc_app_input in = {
	    .team_id = team_id, .owner_id = owner->account_id, .type = "web", .name = name};
	struct qoc_apps_actor actor = {owner->account_id, NULL};
	struct qoc_apps_created out;
	assert_int_equal(qoc_apps_create(&f->apps, &actor, &in, &f->a, &out), QOC_OK);
	qoc_apps_secret_wipe(&out.secret);
	return out.app.client_id;
}

const char *console_fx_last_action(struct console_fx *f, const char *client_id)
{
	struct qoc_audit_query q = {.client_id = client_id, .limit = 1};
	struct qoc_audit_page page;
	assert_int_equal(qoc_store_audit_list(f->t.st, &f->a, &q, &page), QOC_OK);
	assert_true(page.count >= 1);
	return page.items[0].action;
}
