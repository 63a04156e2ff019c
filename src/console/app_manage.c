/* app_manage.c - the console's application use cases with the role matrix (see
 * app_manage.h). */
#include "console/app_manage.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "oauth/authz_flow.h"

static bool is_suspended(const char *status)
{
	return status && !strcmp(status, "suspended");
}

/* The teams a listing reads: the one asked for (the caller must be in it: else 404), or
 * all of the caller's teams. With all (instance admins only, else 403): every team, or
 * the one asked for without a membership check (instance admins read every application:
 * console-api.md). */
static enum qoc_err list_teams(const struct qoc_console_ctx *c, struct qoc_arena *a,
                               const struct qoc_console_actor *who, const char *team, bool all,
                               struct qoc_app_query *q, struct qoc_console_problem *p)
{
	if (all && !who->is_admin)
		return qoc_console_refuse(p, QOC_EPERM, NULL,
		                          "only an instance admin lists every team");
	if (all && !team) {
		q->all_teams = true;
		return QOC_OK;
	}
	if (team) {
		enum qoc_role role;
		enum qoc_err err =
		    all ? QOC_OK
		        : qoc_store_membership_role(c->store, team, who->account_id, &role);
		const char **ids = err ? NULL : qoc_arena_alloc(a, sizeof(*ids));
		if (err || !ids)
			return err ? err : QOC_ENOMEM;
		ids[0] = team;
		q->team_ids = ids;
		q->team_count = 1;
		return QOC_OK;
	}
	struct qoc_team *teams;
	size_t n;
	enum qoc_err err = qoc_store_teams_of_account(c->store, a, who->account_id, &teams, &n);
	if (err)
		return err;
	const char **ids = n ? qoc_arena_alloc(a, n * sizeof(*ids)) : NULL;
	if (n && !ids)
		return QOC_ENOMEM;
	for (size_t i = 0; i < n; i++)
		ids[i] = teams[i].id;
	q->team_ids = ids;
	q->team_count = n;
	return QOC_OK;
}

enum qoc_err qoc_console_apps_list(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who, const char *team, bool all,
                                   struct qoc_app_query *q, struct qoc_app_page *out,
                                   struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	memset(out, 0, sizeof(*out));
	enum qoc_err err = list_teams(c, a, who, team, all, q, p);
	if (err)
		return err;
	err = qoc_store_app_list(c->store, a, q, out);
	if (err == QOC_EINVAL)
		return qoc_console_refuse(p, QOC_EINVAL, "cursor",
		                          "is not a cursor of this listing");
	return err;
}

/* Security events (core/log.h) for a committed suspension or its lifting. */
static void log_suspension(const struct qoc_app *app, bool was_suspended,
                           const struct qoc_console_actor *who)
{
	bool suspended = is_suspended(app->status);
	if (suspended && !was_suspended)
		qoc_log_event("app_suspended", "application suspended", "client_id=%s by=%s",
		              app->client_id, who->account_id);
	else if (!suspended && was_suspended)
		qoc_log_event("app_unsuspended", "application suspension lifted",
		              "client_id=%s by=%s status=%s", app->client_id, who->account_id,
		              app->status);
}

/* The team a new application goes to must be one where the caller is a developer or
 * admin. */
static enum qoc_err create_team(const struct qoc_console_ctx *c,
                                const struct qoc_console_actor *who, const char *team_id,
                                struct qoc_console_problem *p)
{
	enum qoc_role role;
	enum qoc_err err = qoc_store_membership_role(c->store, team_id, who->account_id, &role);
	if (err == QOC_ENOTFOUND)
		return qoc_console_refuse(p, QOC_EINVAL, "team",
		                          "is not a team you are a member of");
	if (err)
		return err;
	if (role < QOC_ROLE_DEVELOPER)
		return qoc_console_refuse(p, QOC_EPERM, NULL, "viewers cannot create applications");
	return QOC_OK;
}

enum qoc_err qoc_console_app_create(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_app_input *input, struct qoc_apps_created *out,
                                    struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	struct qoc_app_input in = *input;
	if (!in.team_id)
		in.team_id = who->personal_team_id;
	enum qoc_err err = create_team(c, who, in.team_id, p);
	if (err)
		return err;
	if (is_suspended(in.status) && !who->is_admin)
		return qoc_console_refuse(p, QOC_EINVAL, "status",
		                          "only an instance admin suspends");
	in.owner_id = who->account_id;
	struct qoc_apps_actor actor = {who->account_id, who->ip};
	err = qoc_apps_create(c->apps, &actor, &in, a, out);
	if (!err)
		log_suspension(&out->app, false, who);
	return err; /* EINVAL: out->errors */
}

/* Suspending and lifting a suspension are the instance admin's; an instance admin outside
 * the team may change nothing but the status. */
static enum qoc_err patch_allowed(const struct qoc_console_actor *who,
                                  const struct qoc_console_app_ref *ref,
                                  const struct qoc_app_input *in, size_t nfields,
                                  struct qoc_console_problem *p)
{
	const struct qoc_app *app = &ref->app;
	if (qoc_authz_app_is_first_party(app)) /* see qoc_console_app_open */
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_FIRST_PARTY);
	bool status_change = in->status && strcmp(in->status, app->status) != 0;
	bool suspension = status_change && (is_suspended(in->status) || is_suspended(app->status));
	if (suspension && !who->is_admin)
		return qoc_console_refuse(p, QOC_EPERM, NULL,
		                          "only an instance admin suspends an application "
		                          "or lifts a suspension");
	if (ref->role >= QOC_ROLE_DEVELOPER)
		return QOC_OK;
	if (who->is_admin && in->status && nfields == 1)
		return QOC_OK;
	return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
}

/* The audit detail of a PATCH: {"fields": [the names it set], "status": new status}. */
static const char *patch_detail(struct qoc_arena *a, const char *const *names, size_t n,
                                const char *status)
{
	json_t *fields = json_array();
	for (size_t i = 0; fields && i < n; i++)
		json_array_append_new(fields, json_string(names[i]));
	json_t *d = json_pack("{s:o*,s:s?}", "fields", fields, "status", status);
	char *text = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(d);
	const char *out = text ? qoc_arena_strdup(a, text) : NULL;
	free(text);
	return out;
}

enum qoc_err qoc_console_app_patch(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who,
                                   struct qoc_console_app_ref *ref, const struct qoc_app_input *in,
                                   const char *const *fields, size_t nfields,
                                   struct qoc_app_errors *errs, struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	enum qoc_err err = patch_allowed(who, ref, in, nfields, p);
	if (err)
		return err;
	struct qoc_app *app = &ref->app;
	bool was_suspended = is_suspended(app->status);
	qoc_app_input_apply(in, app);
	if (!qoc_app_rules_check(app, errs))
		return QOC_EINVAL;
	const char *detail = patch_detail(a, fields, nfields, in->status);
	if (!detail)
		return QOC_ENOMEM;
	/* A PATCH of the status alone is a status change in the log, like qoc_apps_set_status. */
	const char *action = in->status && nfields == 1 ? QOC_APPS_AUDIT_STATUS : "app.update";
	struct qoc_audit_event ev = qoc_console_event(c, who, action, detail);
	if ((err = qoc_store_app_update(c->store, app, &ev)))
		return err;
	log_suspension(app, was_suspended, who);
	return qoc_store_app_get(c->store, a, app->client_id, app);
}

enum qoc_err qoc_console_app_delete(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_app_ref *ref, const char *confirm,
                                    struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	if (!qoc_console_app_may(who, ref, QOC_ACT_OWNER))
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	if (!confirm || strcmp(confirm, ref->app.name) != 0)
		return qoc_console_refuse(p, QOC_EINVAL, "confirm_name",
		                          "must be the exact name of the application");
	struct qoc_apps_actor actor = {who->account_id, who->ip};
	return qoc_apps_delete(c->apps, &actor, ref->app.client_id);
}

enum qoc_err qoc_console_app_secret(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_app_ref *ref, bool regenerate,
                                    struct qoc_apps_secret *out, struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	if (!qoc_console_app_may(who, ref, QOC_ACT_CREDENTIALS))
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	struct qoc_apps_actor actor = {who->account_id, who->ip};
	enum qoc_err err =
	    regenerate ? qoc_apps_regenerate_secret(c->apps, &actor, ref->app.client_id, out)
	               : qoc_apps_reveal_secret(c->apps, &actor, ref->app.client_id, out);
	if (err == QOC_EPERM)
		return qoc_console_refuse(p, QOC_ECONFLICT, NULL,
		                          "a public client (spa, mobile) has no secret");
	return err;
}
