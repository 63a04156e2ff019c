/* console_apps.c - /api/v1/applications: list, create, read, change, delete. Thin:
 * decode (app_json.c), domain (console/apps.c, the store), encode. */
#include <stdlib.h>
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "core/log.h"
#include "core/json.h"
#include "oauth/authz_flow.h"

#define HANDLER_START                                                                              \
	struct qoc_api *api = ctx;                                                                 \
	struct qoc_console_caller who;                                                             \
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);                                 \
	if (err)                                                                                   \
	return qoc_console_done(err)

static const char *const statuses[] = {"active", "inactive", "suspended", NULL};
static const char *const types[] = {"web", "spa", "mobile", "service", NULL};

static bool one_of(const char *s, const char *const *set)
{
	for (size_t i = 0; s && set[i]; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}

/* The teams a listing reads: the one asked for (the caller must be in it: else 404), or
 * all of the caller's teams. With all=true (instance admins only, else 403): every team,
 * or the one asked for without a membership check (instance admins read every
 * application: console-api.md). */
static enum qoc_err list_teams(struct qoc_http_req *req, struct qoc_http_resp *resp,
                               struct qoc_api *api, const struct qoc_console_caller *who,
                               const char *team, bool all, struct qoc_app_query *q)
{
	if (all && !who->acct.is_admin)
		return qoc_console_problem(resp, 403, "only an instance admin lists every team");
	if (all && !team) {
		q->all_teams = true;
		return QOC_OK;
	}
	if (team) {
		enum qoc_role role;
		enum qoc_err err =
		    all ? QOC_OK : qoc_store_membership_role(api->store, team, who->acct.id, &role);
		if (err)
			return qoc_console_store_error(resp, err);
		const char **ids = qoc_arena_alloc(req->arena, sizeof(*ids));
		if (!ids)
			return QOC_ENOMEM;
		ids[0] = team;
		q->team_ids = ids;
		q->team_count = 1;
		return QOC_OK;
	}
	struct qoc_team *teams;
	size_t n;
	enum qoc_err err =
	    qoc_store_teams_of_account(api->store, req->arena, who->acct.id, &teams, &n);
	if (err)
		return qoc_console_store_error(resp, err);
	const char **ids = n ? qoc_arena_alloc(req->arena, n * sizeof(*ids)) : NULL;
	if (n && !ids)
		return QOC_ENOMEM;
	for (size_t i = 0; i < n; i++)
		ids[i] = teams[i].id;
	q->team_ids = ids;
	q->team_count = n;
	return QOC_OK;
}

/* Query parameters into q: 422 naming a bad one. */
static enum qoc_err list_query(struct qoc_http_req *req, struct qoc_http_resp *resp,
                               struct qoc_app_query *q, const char **team, bool *all)
{
	struct qoc_form f;
	const char *sort = NULL, *order = NULL, *limit = NULL, *all_s = NULL, *dup;
	enum qoc_err err = qoc_http_form_query(req, &f);
	if (err == QOC_ENOMEM)
		return err;
	if (err || qoc_form_has_duplicate(&f, &dup))
		return qoc_console_problem(resp, 400, "malformed or repeated query parameters");
	memset(q, 0, sizeof(*q));
	(void)qoc_form_get(&f, "team", team);
	(void)qoc_form_get(&f, "status", &q->status);
	(void)qoc_form_get(&f, "type", &q->type);
	(void)qoc_form_get(&f, "q", &q->q);
	(void)qoc_form_get(&f, "cursor", &q->cursor);
	(void)qoc_form_get(&f, "sort", &sort);
	(void)qoc_form_get(&f, "order", &order);
	(void)qoc_form_get(&f, "limit", &limit);
	(void)qoc_form_get(&f, "all", &all_s);
	if (all_s && strcmp(all_s, "true") && strcmp(all_s, "false"))
		return qoc_console_field_error(resp, "all", "must be true or false");
	*all = all_s && !strcmp(all_s, "true");
	if (q->status && !one_of(q->status, statuses))
		return qoc_console_field_error(resp, "status",
		                               "must be active, inactive or suspended");
	if (q->type && !one_of(q->type, types))
		return qoc_console_field_error(resp, "type", "must be web, spa, mobile or service");
	if (sort && strcmp(sort, "name") && strcmp(sort, "created_at"))
		return qoc_console_field_error(resp, "sort", "must be name or created_at");
	if (order && strcmp(order, "asc") && strcmp(order, "desc"))
		return qoc_console_field_error(resp, "order", "must be asc or desc");
	q->sort = sort && !strcmp(sort, "created_at") ? QOC_APP_SORT_CREATED : QOC_APP_SORT_NAME;
	q->desc = order && !strcmp(order, "desc");
	if (limit) {
		char *end;
		long v = strtol(limit, &end, 10);
		if (*end || v < 1 || v > QOC_APP_LIST_MAX_LIMIT)
			return qoc_console_field_error(resp, "limit", "must be 1 to 100");
		q->limit = (size_t)v;
	}
	if (q->cursor && strlen(q->cursor) > QOC_STORE_CURSOR_MAX)
		return qoc_console_field_error(resp, "cursor", "is not a cursor of this listing");
	return QOC_OK;
}

enum qoc_err qoc_api_console_apps_list(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                       void *ctx)
{
	HANDLER_START;
	struct qoc_app_query q;
	struct qoc_app_page page;
	const char *team = NULL;
	bool all = false;
	if ((err = list_query(req, resp, &q, &team, &all)) ||
	    (err = list_teams(req, resp, api, &who, team, all, &q)))
		return qoc_console_done(err);
	err = qoc_store_app_list(api->store, req->arena, &q, &page);
	if (err == QOC_EINVAL)
		return qoc_console_done(
		    qoc_console_field_error(resp, "cursor", "is not a cursor of this listing"));
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	json_t *items = json_array();
	for (size_t i = 0; items && i < page.count; i++)
		if (json_array_append_new(items, qoc_app_json_encode(&page.items[i])) != 0) {
			json_decref(items);
			items = NULL;
		}
	return qoc_http_resp_json(
	    resp, 200, json_pack("{s:o*,s:s?}", "items", items, "next_cursor", page.next_cursor));
}

/* The app's JSON, plus client_secret when secret is given (create, reveal, regenerate). */
static enum qoc_err send_app(struct qoc_http_resp *resp, unsigned status, const struct qoc_app *app,
                             const struct qoc_apps_secret *secret)
{
	json_t *j = qoc_app_json_encode(app);
	if (j && secret && secret->len &&
	    json_object_set_new(j, "client_secret", json_string(secret->value)) != 0) {
		json_decref(j);
		j = NULL;
	}
	if (secret && qoc_http_resp_header(resp, "Cache-Control", "no-store") != QOC_OK) {
		json_decref(j);
		return QOC_ENOMEM;
	}
	return qoc_http_resp_json(resp, status, j);
}

/* The team a new application goes to: the body's (the caller must be a developer or
 * admin there) or the caller's personal team. */
static enum qoc_err create_team(struct qoc_http_resp *resp, struct qoc_api *api,
                                const struct qoc_console_caller *who, struct qoc_app_input *in)
{
	if (!in->team_id)
		in->team_id = who->acct.personal_team_id;
	enum qoc_role role;
	enum qoc_err err = qoc_store_membership_role(api->store, in->team_id, who->acct.id, &role);
	if (err == QOC_ENOTFOUND)
		return qoc_console_field_error(resp, "team", "is not a team you are a member of");
	if (err)
		return qoc_console_store_error(resp, err);
	if (role < QOC_ROLE_DEVELOPER)
		return qoc_console_problem(resp, 403, "viewers cannot create applications");
	return QOC_OK;
}

/* Security events (core/log.h) for a committed suspension or its lifting. */
static void log_suspension(const struct qoc_app *app, bool was_suspended,
                           const struct qoc_console_caller *who)
{
	bool suspended = !strcmp(app->status, "suspended");
	if (suspended && !was_suspended)
		qoc_log_event("app_suspended", "application suspended", "client_id=%s by=%s",
		              app->client_id, who->acct.id);
	else if (!suspended && was_suspended)
		qoc_log_event("app_unsuspended", "application suspension lifted",
		              "client_id=%s by=%s status=%s", app->client_id, who->acct.id,
		              app->status);
}

enum qoc_err qoc_api_console_apps_create(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                         void *ctx)
{
	HANDLER_START;
	json_t *body = NULL;
	struct qoc_app_input in;
	struct qoc_apps_created *out = qoc_arena_alloc(req->arena, sizeof(*out));
	if (!out)
		return QOC_ENOMEM;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_console_json_body(req, resp, &body)))
		goto out;
	err = qoc_app_json_decode(body, QOC_APP_JSON_CREATE, req->arena, &in, &out->errors);
	if (err == QOC_EINVAL)
		err = qoc_console_field_errors(resp, &out->errors);
	if (err || (err = create_team(resp, api, &who, &in)))
		goto out;
	if (in.status && !strcmp(in.status, "suspended") && !who.acct.is_admin) {
		err = qoc_console_field_error(resp, "status", "only an instance admin suspends");
		goto out;
	}
	in.owner_id = who.acct.id;
	struct qoc_apps_actor actor = {who.acct.id, req->remote_addr[0] ? req->remote_addr : NULL};
	err = qoc_apps_create(&api->apps, &actor, &in, req->arena, out);
	if (err == QOC_EINVAL)
		err = qoc_console_field_errors(resp, &out->errors);
	else if (err)
		err = qoc_console_store_error(resp, err);
	else {
		char loc[128];
		log_suspension(&out->app, false, &who);
		snprintf(loc, sizeof(loc), "/api/v1/applications/%s", out->app.client_id);
		err = qoc_http_resp_header(resp, "Location", loc);
		if (!err)
			err = send_app(resp, 201, &out->app, &out->secret);
	}
out:
	qoc_apps_secret_wipe(&out->secret);
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_app_get(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                     void *ctx)
{
	HANDLER_START;
	struct qoc_app app;
	enum qoc_role role;
	if ((err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_READ, &app, &role)))
		return qoc_console_done(err);
	return send_app(resp, 200, &app, NULL);
}

/* Suspending and lifting a suspension are the instance admin's; an instance admin outside
 * the team may change nothing but the status. */
static enum qoc_err patch_allowed(struct qoc_http_resp *resp, const struct qoc_console_caller *who,
                                  const struct qoc_app *app, const struct qoc_app_input *in,
                                  enum qoc_role role, const json_t *body)
{
	if (qoc_authz_app_is_first_party(app)) /* see qoc_console_app_access */
		return qoc_console_problem(resp, 403, "the QOC Cloud Console application is "
		                                      "managed by QOC itself");
	bool status_change = in->status && strcmp(in->status, app->status) != 0;
	bool suspension = status_change &&
	                  (!strcmp(in->status, "suspended") || !strcmp(app->status, "suspended"));
	if (suspension && !who->acct.is_admin)
		return qoc_console_problem(resp, 403,
		                           "only an instance admin suspends an application "
		                           "or lifts a suspension");
	if (role >= QOC_ROLE_DEVELOPER)
		return QOC_OK;
	if (who->acct.is_admin && in->status && json_object_size(body) == 1)
		return QOC_OK;
	return qoc_console_problem(resp, 403, "your role in the team does not allow this");
}

/* The audit detail of a PATCH: {"fields": [the names it set], "status": new status}. */
static const char *patch_detail(struct qoc_arena *a, const json_t *body, const char *status)
{
	json_t *fields = json_array();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)body, key, v)
	{
		(void)v;
		json_array_append_new(fields, json_string(key));
	}
	json_t *d = json_pack("{s:o*,s:s?}", "fields", fields, "status", status);
	char *text = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(d);
	const char *out = text ? qoc_arena_strdup(a, text) : NULL;
	free(text);
	return out;
}

enum qoc_err qoc_api_console_app_patch(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                       void *ctx)
{
	HANDLER_START;
	json_t *body = NULL;
	struct qoc_app app;
	enum qoc_role role;
	struct qoc_app_input in;
	struct qoc_app_errors *errs = qoc_arena_alloc(req->arena, sizeof(*errs));
	if (!errs)
		return QOC_ENOMEM;
	if ((err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_READ, &app, &role)) ||
	    (err = qoc_console_json_body(req, resp, &body)))
		goto out;
	err = qoc_app_json_decode(body, QOC_APP_JSON_PATCH, req->arena, &in, errs);
	if (err == QOC_EINVAL)
		err = qoc_console_field_errors(resp, errs);
	if (err || (err = patch_allowed(resp, &who, &app, &in, role, body)))
		goto out;
	bool was_suspended = !strcmp(app.status, "suspended");
	qoc_app_input_apply(&in, &app);
	if (!qoc_app_rules_check(&app, errs)) {
		err = qoc_console_field_errors(resp, errs);
		goto out;
	}
	const char *detail = patch_detail(req->arena, body, in.status);
	if (!detail) {
		err = QOC_ENOMEM;
		goto out;
	}
	/* A PATCH of the status alone is a status change in the log, like qoc_apps_set_status. */
	const char *action =
	    in.status && json_object_size(body) == 1 ? QOC_APPS_AUDIT_STATUS : "app.update";
	struct qoc_audit_event ev = qoc_console_event(req, api, &who, action, detail);
	if ((err = qoc_store_app_update(api->store, &app, &ev))) {
		err = qoc_console_store_error(resp, err);
		goto out;
	}
	log_suspension(&app, was_suspended, &who);
	if ((err = qoc_store_app_get(api->store, req->arena, app.client_id, &app))) {
		err = qoc_console_store_error(resp, err);
		goto out;
	}
	err = send_app(resp, 200, &app, NULL);
out:
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_app_delete(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                        void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"confirm_name", NULL};
	json_t *body = NULL;
	struct qoc_app app;
	enum qoc_role role;
	const char *confirm = NULL;
	if ((err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_OWNER, &app, &role)))
		goto out;
	/* No body at all is the commonest "anything else": 422 like a wrong name. */
	if (req->body.len > 0 && ((err = qoc_console_json_body(req, resp, &body)) ||
	                          (err = qoc_console_only_keys(resp, body, keys))))
		goto out;
	(void)qoc_json_get_string(body, "confirm_name", &confirm);
	if (!confirm || strcmp(confirm, app.name) != 0) {
		err = qoc_console_field_error(resp, "confirm_name",
		                              "must be the exact name of the application");
		goto out;
	}
	struct qoc_apps_actor actor = {who.acct.id, req->remote_addr[0] ? req->remote_addr : NULL};
	err = qoc_apps_delete(&api->apps, &actor, app.client_id);
	err =
	    err ? qoc_console_store_error(resp, err) : qoc_http_resp_body(resp, 204, NULL, NULL, 0);
out:
	json_decref(body);
	return qoc_console_done(err);
}
