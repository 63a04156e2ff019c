/* audit.c - the console's reading of the audit log (see audit.h). */
#include "console/audit.h"

#include <string.h>

enum qoc_err qoc_console_audit_app(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who,
                                   const struct qoc_console_app_ref *ref, struct qoc_audit_query *q,
                                   struct qoc_audit_page *out)
{
	memset(out, 0, sizeof(*out));
	if (!qoc_console_app_may(who, ref, QOC_ACT_READ))
		return QOC_ENOTFOUND;
	q->team_id = NULL;
	q->client_id = ref->app.client_id;
	return qoc_store_audit_list(c->store, a, q, out);
}

enum qoc_err qoc_console_audit_team(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who, const char *team_id,
                                    struct qoc_audit_query *q, struct qoc_audit_page *out)
{
	enum qoc_role role;
	memset(out, 0, sizeof(*out));
	q->client_id = NULL;
	q->team_id = team_id ? team_id : who->personal_team_id;
	if (!q->team_id)
		return QOC_ENOTFOUND;
	enum qoc_err err = qoc_store_membership_role(c->store, q->team_id, who->account_id, &role);
	if (err) /* not a member: 404 */
		return err;
	return qoc_store_audit_list(c->store, a, q, out);
}
