/* console_fixture.h - a console domain context (console/access.h) on a real SQLite store,
 * with accounts made in it and a notifier that keeps the last notice, for the unit tests
 * of src/console/ use cases (test_console_*.c). */
#ifndef QOC_TEST_CONSOLE_FIXTURE_H
#define QOC_TEST_CONSOLE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "console/access.h"
#include "console/apps.h"
#include "core/arena.h"
#include "support/tmp_store.h"

#define CONSOLE_FX_NOW 1795705445

struct console_fx_notice {
	int count;
	char to[256];
	char subject[256];
	char text[1024];
};

struct console_fx {
	struct tmp_store t;
	int64_t now;
	struct qoc_clock clock;
	struct qoc_apps_ctx apps;
	struct qoc_console_ctx c;
	struct console_fx_notice notice;
	struct qoc_arena a;
};

/* Opens the store and the context (fails the running test when it cannot). */
void console_fx_open(struct console_fx *f);
void console_fx_close(struct console_fx *f);

/* An account (with its personal team) as a caller of the use cases; strings in f->a.
 * password NULL: none. */
struct qoc_console_actor console_fx_account(struct console_fx *f, const char *email,
                                            const char *password, bool is_admin);

/* Adds who to team_id with role (straight in the store). */
void console_fx_member(struct console_fx *f, const char *team_id,
                       const struct qoc_console_actor *who, enum qoc_role role);

/* A new application of type "web" named name in team_id, owned by owner; its client id
 * (in f->a). */
const char *console_fx_app(struct console_fx *f, const char *team_id,
                           const struct qoc_console_actor *owner, const char *name);

/* The action of the newest audit entry of client_id. */
const char *console_fx_last_action(struct console_fx *f, const char *client_id);

#endif
