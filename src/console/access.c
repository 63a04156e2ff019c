/* access.c - the console use cases' context, refusals and role checks (see access.h). */
#include "console/access.h"

#include <string.h>

#include "oauth/authz_flow.h"

enum qoc_err qoc_console_refuse(struct qoc_console_problem *p, enum qoc_err err, const char *field,
                                const char *detail)
{
	p->field = field;
	p->detail = detail;
	return err;
}

enum qoc_err qoc_console_team_open(const struct qoc_console_ctx *c,
                                   const struct qoc_console_actor *who, const char *team_id,
                                   enum qoc_role min, struct qoc_console_team_ref *out,
                                   struct qoc_console_problem *p)
{
	memset(out, 0, sizeof(*out));
	memset(p, 0, sizeof(*p));
	enum qoc_err err =
	    team_id ? qoc_store_membership_role(c->store, team_id, who->account_id, &out->role)
	            : QOC_ENOTFOUND;
	if (err) /* not a member: 404 */
		return err;
	out->team_id = team_id;
	if (out->role < min)
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	return QOC_OK;
}

bool qoc_console_app_may(const struct qoc_console_actor *who, const struct qoc_console_app_ref *ref,
                         enum qoc_console_action act)
{
	switch (act) {
	case QOC_ACT_READ:
		return ref->role >= QOC_ROLE_VIEWER;
	case QOC_ACT_EDIT:
	case QOC_ACT_CREDENTIALS:
		return ref->role >= QOC_ROLE_DEVELOPER;
	case QOC_ACT_OWNER:
		return (ref->role >= QOC_ROLE_VIEWER && ref->app.owner_id &&
		        !strcmp(ref->app.owner_id, who->account_id)) ||
		       ref->role == QOC_ROLE_ADMIN;
	}
	return false;
}

enum qoc_err qoc_console_app_open(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                  const struct qoc_console_actor *who, const char *client_id,
                                  enum qoc_console_action act, struct qoc_console_app_ref *out,
                                  struct qoc_console_problem *p)
{
	memset(out, 0, sizeof(*out));
	memset(p, 0, sizeof(*p));
	enum qoc_err err =
	    client_id ? qoc_store_app_get(c->store, a, client_id, &out->app) : QOC_ENOTFOUND;
	if (!err)
		err = qoc_store_membership_role(c->store, out->app.team_id, who->account_id,
		                                &out->role);
	if (err == QOC_ENOTFOUND && out->app.client_id && who->is_admin) {
		/* An instance admin reads every application (to suspend it, say), and changes
		 * nothing else outside their teams. */
		out->role = QOC_ROLE_VIEWER;
		err = QOC_OK;
	}
	if (err) /* not found, or not in its team: the same 404 */
		return err;
	if (!qoc_console_app_may(who, out, act))
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	/* The console's own application (console/client.c) is managed by QOC itself: changing
	 * it from the console could lock everyone out of the console. */
	if (act != QOC_ACT_READ && qoc_authz_app_is_first_party(&out->app))
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_FIRST_PARTY);
	return QOC_OK;
}

struct qoc_audit_event qoc_console_event(const struct qoc_console_ctx *c,
                                         const struct qoc_console_actor *who, const char *action,
                                         const char *detail)
{
	return (struct qoc_audit_event){.actor_id = who->account_id,
	                                .action = action,
	                                .detail = detail,
	                                .ip = who->ip,
	                                .at = qoc_clock_now(c->clock)};
}

void qoc_console_notice(const struct qoc_console_ctx *c, const char *to, const char *subject,
                        const char *text)
{
	if (c->notify && to && text)
		c->notify(c->notify_arg, to, subject, text);
}
