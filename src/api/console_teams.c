/* console_teams.c - GET /api/v1/me, teams and their members. Thin: decode, console/teams.h,
 * encode. */
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "console/teams.h"
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
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_team *teams;
	size_t n;
	err = qoc_console_teams_of(&c, req->arena, &who.actor, &teams, &n);
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
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_team *teams;
	size_t n;
	err = qoc_console_teams_of(&c, req->arena, &who.actor, &teams, &n);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	return qoc_http_resp_json(resp, 200, json_pack("{s:o*}", "items", teams_json(teams, n)));
}

enum qoc_err qoc_api_console_teams_create(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                          void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"name", NULL};
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_team t;
	json_t *body = NULL;
	const char *name = NULL;
	if ((err = qoc_console_json_body(req, resp, &body)) ||
	    (err = qoc_console_only_keys(resp, body, keys)))
		goto out;
	(void)qoc_json_get_string(body, "name", &name); /* not a string: NULL, "is required" */
	err = qoc_console_team_create(&c, req->arena, &who.actor, name, &t, &p);
	if (err)
		err = qoc_console_answer(resp, err, &p);
	else
		err = qoc_http_resp_json(resp, 201,
		                         json_pack("{s:s,s:s,s:b,s:s,s:o*}", "id", t.id, "name",
		                                   t.name, "personal", 0, "role", "admin",
		                                   "created_at", time_or_null(t.created_at)));
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
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_console_team_ref team;
	struct qoc_membership *m;
	size_t n;
	if ((err = qoc_console_team_role(req, resp, api, &who, QOC_ROLE_VIEWER, &team)))
		return qoc_console_done(err);
	err = qoc_console_members_list(&c, req->arena, &team, &m, &n, &p);
	if (err)
		return qoc_console_done(qoc_console_answer(resp, err, &p));
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, member_json(&m[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	return qoc_http_resp_json(resp, 200, json_pack("{s:o*}", "items", arr));
}

/* The admin's ref of the team and the body (keys checked), in the order of the checks the
 * routes have always made: membership and role first, then the body. */
static enum qoc_err admin_and_body(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   struct qoc_api *api, const struct qoc_console_caller *who,
                                   const char *const *keys, struct qoc_console_team_ref *team,
                                   json_t **body)
{
	enum qoc_err err = qoc_console_team_role(req, resp, api, who, QOC_ROLE_ADMIN, team);
	if (err || (err = qoc_console_json_body(req, resp, body)) ||
	    (err = qoc_console_only_keys(resp, *body, keys)))
		return err;
	return QOC_OK;
}

enum qoc_err qoc_api_console_members_add(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                         void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"email", "role", NULL};
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_console_team_ref team;
	struct qoc_membership m;
	json_t *body = NULL;
	const char *email = NULL, *role = NULL;
	if ((err = admin_and_body(req, resp, api, &who, keys, &team, &body)))
		goto out;
	(void)qoc_json_get_string(body, "email", &email);
	(void)qoc_json_get_string(body, "role", &role);
	err = qoc_console_member_add(&c, req->arena, &who.actor, &team, email, role, &m, &p);
	err = err ? qoc_console_answer(resp, err, &p)
	          : qoc_http_resp_json(resp, 201, member_json(&m));
out:
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_members_update(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                            void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"role", NULL};
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_console_team_ref team;
	enum qoc_role role;
	json_t *body = NULL;
	const char *role_name = NULL, *account_id = qoc_http_param(req, "account_id");
	if ((err = admin_and_body(req, resp, api, &who, keys, &team, &body)))
		goto out;
	(void)qoc_json_get_string(body, "role", &role_name);
	err = qoc_console_member_set_role(&c, &who.actor, &team, account_id, role_name, &role, &p);
	if (err)
		err = qoc_console_answer(resp, err, &p);
	else
		err = qoc_http_resp_json(
		    resp, 200,
		    json_pack("{s:s,s:s}", "account_id", account_id, "role", qoc_role_name(role)));
out:
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_members_remove(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                            void *ctx)
{
	HANDLER_START;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_console_team_ref team;
	if ((err = qoc_console_team_role(req, resp, api, &who, QOC_ROLE_ADMIN, &team)))
		return qoc_console_done(err);
	err =
	    qoc_console_member_remove(&c, &who.actor, &team, qoc_http_param(req, "account_id"), &p);
	err =
	    err ? qoc_console_answer(resp, err, &p) : qoc_http_resp_body(resp, 204, NULL, NULL, 0);
	return qoc_console_done(err);
}
