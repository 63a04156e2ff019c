/* console_teams.c - GET /api/v1/me, teams and their members. Thin: decode, store, encode. */
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "console/accounts.h"
#include "core/json.h"

#define HANDLER_START                                                                              \
	struct qoc_api *api = ctx;                                                                 \
	struct qoc_console_caller who;                                                             \
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);                                 \
	if (err)                                                                                   \
	return qoc_console_done(err)

static json_t *time_or_null(int64_t t)
{
	char buf[QOC_RFC3339_SIZE];
	return qoc_rfc3339(t, buf) ? json_string(buf) : json_null();
}

static json_t *teams_json(const struct qoc_team *t, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(
		        arr, json_pack("{s:s,s:s,s:b,s:s?,s:o*}", "id", t[i].id, "name", t[i].name,
		                       "personal", t[i].personal, "role", qoc_role_name(t[i].role),
		                       "created_at", time_or_null(t[i].created_at))) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

enum qoc_err qoc_api_console_me(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	HANDLER_START;
	struct qoc_team *teams;
	size_t n;
	err = qoc_store_teams_of_account(api->store, req->arena, who.acct.id, &teams, &n);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	const struct qoc_account *a = &who.acct;
	return qoc_http_resp_json(
	    resp, 200,
	    json_pack("{s:s,s:s,s:s?,s:b,s:s?,s:o*,s:o*}", "id", a->id, "email", a->email, "name",
	              a->name, "is_admin", a->is_admin, "personal_team", a->personal_team_id,
	              "created_at", time_or_null(a->created_at), "teams", teams_json(teams, n)));
}

enum qoc_err qoc_api_console_teams_list(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                        void *ctx)
{
	HANDLER_START;
	struct qoc_team *teams;
	size_t n;
	err = qoc_store_teams_of_account(api->store, req->arena, who.acct.id, &teams, &n);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	return qoc_http_resp_json(resp, 200, json_pack("{s:o*}", "items", teams_json(teams, n)));
}

/* A name: 1..QOC_NAME_MAX, the account name rules. */
static const char *team_name(const json_t *body, const char **why)
{
	const char *name = NULL;
	*why = "is required (a string)";
	if (qoc_json_get_string(body, "name", &name) == QOC_OK)
		*why = qoc_account_check_name(name);
	return *why ? NULL : name;
}

enum qoc_err qoc_api_console_teams_create(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                          void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"name", NULL};
	json_t *body = NULL;
	const char *why;
	char id[32];
	if ((err = qoc_console_json_body(req, resp, &body)) ||
	    (err = qoc_console_only_keys(resp, body, keys)))
		goto out;
	const char *name = team_name(body, &why);
	if (!name) {
		err = qoc_console_field_error(resp, "name", why);
		goto out;
	}
	if ((err = qoc_random_id("team_", 20, id, sizeof(id))))
		goto out;
	struct qoc_audit_event ev = qoc_console_event(req, api, &who, "team.create", NULL);
	struct qoc_team t = {.id = id, .name = name, .created_at = ev.at, .role = QOC_ROLE_ADMIN};
	err = qoc_store_team_create(api->store, &t, who.acct.id, &ev);
	if (err) {
		err = qoc_console_store_error(resp, err);
		goto out;
	}
	err = qoc_http_resp_json(resp, 201,
	                         json_pack("{s:s,s:s,s:b,s:s,s:o*}", "id", id, "name", name,
	                                   "personal", 0, "role", "admin", "created_at",
	                                   time_or_null(t.created_at)));
out:
	json_decref(body);
	return qoc_console_done(err);
}

static json_t *member_json(const struct qoc_membership *m)
{
	return json_pack("{s:s,s:s?,s:s?,s:s?,s:o*}", "account_id", m->account_id, "email",
	                 m->email, "name", m->name, "role", qoc_role_name(m->role), "created_at",
	                 time_or_null(m->created_at));
}

enum qoc_err qoc_api_console_members_list(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                          void *ctx)
{
	HANDLER_START;
	enum qoc_role role;
	struct qoc_membership *m;
	size_t n;
	if ((err = qoc_console_team_role(req, resp, api, &who, QOC_ROLE_VIEWER, &role)))
		return qoc_console_done(err);
	err =
	    qoc_store_team_members(api->store, req->arena, qoc_http_param(req, "team_id"), &m, &n);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, member_json(&m[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	return qoc_http_resp_json(resp, 200, json_pack("{s:o*}", "items", arr));
}

/* The body's "role" (required): 422 unless admin, developer or viewer. */
static enum qoc_err body_role(struct qoc_http_resp *resp, const json_t *body, enum qoc_role *out)
{
	const char *s = NULL;
	(void)qoc_json_get_string(body, "role", &s);
	*out = qoc_role_parse(s);
	if (*out == QOC_ROLE_NONE)
		return qoc_console_field_error(resp, "role", "must be admin, developer or viewer");
	return QOC_OK;
}

enum qoc_err qoc_api_console_members_add(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                         void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"email", "role", NULL};
	enum qoc_role mine, role;
	json_t *body = NULL;
	const char *email = NULL;
	struct qoc_account acct;
	if ((err = qoc_console_team_role(req, resp, api, &who, QOC_ROLE_ADMIN, &mine)) ||
	    (err = qoc_console_json_body(req, resp, &body)) ||
	    (err = qoc_console_only_keys(resp, body, keys)) || (err = body_role(resp, body, &role)))
		goto out;
	(void)qoc_json_get_string(body, "email", &email);
	err = email ? qoc_store_account_by_email(api->store, req->arena, email, &acct)
	            : QOC_ENOTFOUND;
	if (err == QOC_ENOTFOUND) {
		err = qoc_console_field_error(resp, "email", "no account has this email");
		goto out;
	}
	struct qoc_audit_event ev = qoc_console_event(req, api, &who, "team.member.add", NULL);
	if (!err)
		err = qoc_store_member_add(api->store, qoc_http_param(req, "team_id"), acct.id,
		                           role, &ev);
	if (err) {
		err = qoc_console_store_error(resp, err);
		goto out;
	}
	const char *text = qoc_arena_printf(req->arena, "%s added you to a team on QOC as %s.\n",
	                                    who.acct.email, qoc_role_name(role));
	if (text) /* best effort: the membership stands whatever the mail does */
		qoc_console_notify(api, acct.email, "You were added to a team", text);
	struct qoc_membership m = {.account_id = acct.id,
	                           .email = acct.email,
	                           .name = acct.name,
	                           .role = role,
	                           .created_at = ev.at};
	err = qoc_http_resp_json(resp, 201, member_json(&m));
out:
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_members_update(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                            void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"role", NULL};
	enum qoc_role mine, role;
	json_t *body = NULL;
	if ((err = qoc_console_team_role(req, resp, api, &who, QOC_ROLE_ADMIN, &mine)) ||
	    (err = qoc_console_json_body(req, resp, &body)) ||
	    (err = qoc_console_only_keys(resp, body, keys)) || (err = body_role(resp, body, &role)))
		goto out;
	struct qoc_audit_event ev = qoc_console_event(req, api, &who, "team.member.role", NULL);
	err = qoc_store_member_set_role(api->store, qoc_http_param(req, "team_id"),
	                                qoc_http_param(req, "account_id"), role, &ev);
	if (err == QOC_EPERM)
		err = qoc_console_problem(resp, 409, "the team must keep an admin");
	else if (err)
		err = qoc_console_store_error(resp, err);
	else
		err = qoc_http_resp_json(resp, 200,
		                         json_pack("{s:s,s:s}", "account_id",
		                                   qoc_http_param(req, "account_id"), "role",
		                                   qoc_role_name(role)));
out:
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_members_remove(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                            void *ctx)
{
	HANDLER_START;
	enum qoc_role mine;
	if ((err = qoc_console_team_role(req, resp, api, &who, QOC_ROLE_ADMIN, &mine)))
		return qoc_console_done(err);
	struct qoc_audit_event ev = qoc_console_event(req, api, &who, "team.member.remove", NULL);
	err = qoc_store_member_remove(api->store, qoc_http_param(req, "team_id"),
	                              qoc_http_param(req, "account_id"), &ev);
	if (err == QOC_EPERM)
		err = qoc_console_problem(resp, 409, "the team must keep an admin");
	else if (err == QOC_ECONFLICT)
		err = qoc_console_problem(
		    resp, 409, "the member still owns applications: transfer them first");
	else if (err)
		err = qoc_console_store_error(resp, err);
	else
		err = qoc_http_resp_body(resp, 204, NULL, NULL, 0);
	return qoc_console_done(err);
}
