/* access.h - what every console use case (console/teams.h, transfer.h, audit.h, apps.h,
 * icon.h, pats.h) shares: its context, the caller, the answer it gives when it refuses,
 * and the role checks of issue 4 ("Who can do what").
 *
 * A use case takes plain values (the caller, ids, decoded fields) and a context; it knows
 * nothing of HTTP or JSON bodies. It returns enum qoc_err and, when it refuses, fills a
 * struct qoc_console_problem the API turns into a response (api/console_common.c
 * qoc_console_answer):
 *   QOC_EINVAL     422: `field` and `detail` name the bad field and why (field NULL: the
 *                  use case's own list, e.g. struct qoc_app_errors, says which);
 *   QOC_ELIMIT     422 with `detail` (a limit, no single field to blame);
 *   QOC_EPERM      403 with `detail` (the role does not allow it, a wrong password);
 *   QOC_ECONFLICT  409 with `detail` ("the team must keep an admin"); detail NULL: a
 *                  concurrent change, read again;
 *   QOC_ENOTFOUND  404 (no such thing, or not visible to the caller: never 403 then);
 *   others         the store's (QOC_ENOMEM, QOC_EBUSY, QOC_EDB): nothing was written.
 * Every detail and field is static text or memory of the arena passed in.
 *
 * Authorization: qoc_console_team_open and qoc_console_app_open read the caller's role
 * and hand back a ref; the use cases that act on a team or an application take that ref
 * and check the role it holds for their own action (so a use case never acts beyond the
 * role, whoever calls it). A ref comes only from these two functions.
 */
#ifndef QOC_CONSOLE_ACCESS_H
#define QOC_CONSOLE_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "console/apps.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

/* Sends a notice email (to, subject, text: borrowed for the call). Best effort: the
 * change it reports is already committed; the notifier logs its own failures. */
typedef void qoc_console_notify_fn(void *arg, const char *to, const char *subject,
                                   const char *text);

/* Everything a use case reaches. Every pointer is borrowed and must outlive the call. */
struct qoc_console_ctx {
	struct qoc_store *store;
	const struct qoc_clock *clock;
	const struct qoc_apps_ctx *apps; /* secrets, create, delete (console/apps.h) */
	qoc_console_notify_fn *notify;   /* NULL: no notices */
	void *notify_arg;
};

/* Who calls. Strings borrowed (the request's arena); ip may be NULL. */
struct qoc_console_actor {
	const char *account_id;
	const char *email;
	const char *personal_team_id;
	const char *password_hash; /* NULL: the account has no password */
	bool is_admin;             /* an instance admin */
	const char *ip;
};

/* Why a use case refused (see above). Both NULL when it did not. */
struct qoc_console_problem {
	const char *field;
	const char *detail;
};

/* What a caller may do to an application (issue 4, "Who can do what"). */
enum qoc_console_action {
	QOC_ACT_READ,        /* viewer and up (an instance admin reads every application) */
	QOC_ACT_EDIT,        /* developer and up: settings, icon */
	QOC_ACT_CREDENTIALS, /* developer and up: reveal, regenerate */
	QOC_ACT_OWNER,       /* the owner or a team admin: transfer, delete */
};

#define QOC_CONSOLE_ROLE_REFUSED "your role in the team does not allow this"
#define QOC_CONSOLE_FIRST_PARTY "the QOC Cloud Console application is managed by QOC itself"

/* The caller's standing in a team. team_id is borrowed from the caller of _open. */
struct qoc_console_team_ref {
	const char *team_id;
	enum qoc_role role;
};

/* The caller's standing towards an application: the stored record (arena) and the role
 * (an instance admin outside the team: QOC_ROLE_VIEWER, read only). */
struct qoc_console_app_ref {
	struct qoc_app app;
	enum qoc_role role;
};

/* The caller's role in team_id: QOC_ENOTFOUND when not a member (or no such team),
 * QOC_EPERM below min. */
enum qoc_err qoc_console_team_open(const struct qoc_console_ctx *c,
                                   const struct qoc_console_actor *who, const char *team_id,
                                   enum qoc_role min, struct qoc_console_team_ref *out,
                                   struct qoc_console_problem *p);

/* Loads the application client_id (into arena a) and checks act against the caller's
 * role in its team. QOC_ENOTFOUND when it does not exist or the caller is not a member
 * (an instance admin may still read it), QOC_EPERM when the role is too low or act
 * changes the console's own application. */
enum qoc_err qoc_console_app_open(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                  const struct qoc_console_actor *who, const char *client_id,
                                  enum qoc_console_action act, struct qoc_console_app_ref *out,
                                  struct qoc_console_problem *p);

/* May the holder of ref do act? (the check qoc_console_app_open made; the use cases
 * repeat it on the ref they are given). */
bool qoc_console_app_may(const struct qoc_console_actor *who, const struct qoc_console_app_ref *ref,
                         enum qoc_console_action act);

/* The audit event of a change by who, at the context's now. */
struct qoc_audit_event qoc_console_event(const struct qoc_console_ctx *c,
                                         const struct qoc_console_actor *who, const char *action,
                                         const char *detail);

/* Fills p and returns err (a one-line refusal). */
enum qoc_err qoc_console_refuse(struct qoc_console_problem *p, enum qoc_err err, const char *field,
                                const char *detail);

/* Sends a notice through c->notify when there is one. */
void qoc_console_notice(const struct qoc_console_ctx *c, const char *to, const char *subject,
                        const char *text);

#endif
