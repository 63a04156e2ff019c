/* console_apps.c - /api/v1/applications: list, create, read, change, delete. Thin:
 * decode (app_json.c), domain (console/app_manage.h), encode. */
#include <stdlib.h>
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "core/json.h"
#include "console/app_manage.h"

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
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_app_query q;
	struct qoc_app_page page;
	const char *team = NULL;
	bool all = false;
	if ((err = list_query(req, resp, &q, &team, &all)))
		return qoc_console_done(err);
	err = qoc_console_apps_list(&c, req->arena, &who.actor, team, all, &q, &page, &p);
	if (err)
		return qoc_console_done(qoc_console_answer(resp, err, &p));
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

enum qoc_err qoc_api_console_apps_create(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                         void *ctx)
{
	HANDLER_START;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p = {0};
	json_t *body = NULL;
	struct qoc_app_input in;
	struct qoc_apps_created *out = qoc_arena_alloc(req->arena, sizeof(*out));
	if (!out)
		return QOC_ENOMEM;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_console_json_body(req, resp, &body)))
		goto out;
	err = qoc_app_json_decode(body, QOC_APP_JSON_CREATE, req->arena, &in, &out->errors);
	if (!err)
		err = qoc_console_app_create(&c, req->arena, &who.actor, &in, out, &p);
	if (err == QOC_EINVAL && !p.field)
		err = qoc_console_field_errors(resp, &out->errors);
	else if (err)
		err = qoc_console_answer(resp, err, &p);
	else {
		char loc[128];
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
	struct qoc_console_app_ref ref;
	if ((err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_READ, &ref)))
		return qoc_console_done(err);
	return send_app(resp, 200, &ref.app, NULL);
}

/* The names of the members of the body, in its order (arena). */
static const char *const *body_fields(struct qoc_arena *a, const json_t *body, size_t *n)
{
	*n = json_object_size(body);
	const char **names = qoc_arena_calloc(a, *n ? *n : 1, sizeof(*names));
	const char *key;
	json_t *v;
	size_t i = 0;
	if (!names)
		return NULL;
	json_object_foreach((json_t *)body, key, v)
	{
		(void)v;
		if (i < *n)
			names[i++] = key;
	}
	*n = i;
	return names;
}

enum qoc_err qoc_api_console_app_patch(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                       void *ctx)
{
	HANDLER_START;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p = {0};
	json_t *body = NULL;
	struct qoc_console_app_ref ref;
	struct qoc_app_input in;
	const char *const *fields;
	size_t n;
	struct qoc_app_errors *errs = qoc_arena_alloc(req->arena, sizeof(*errs));
	if (!errs)
		return QOC_ENOMEM;
	memset(errs, 0, sizeof(*errs));
	if ((err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_READ, &ref)) ||
	    (err = qoc_console_json_body(req, resp, &body)))
		goto out;
	err = qoc_app_json_decode(body, QOC_APP_JSON_PATCH, req->arena, &in, errs);
	if (err == QOC_EINVAL)
		err = qoc_console_field_errors(resp, errs);
	if (err)
		goto out;
	if (!(fields = body_fields(req->arena, body, &n))) {
		err = QOC_ENOMEM;
		goto out;
	}
	err = qoc_console_app_patch(&c, req->arena, &who.actor, &ref, &in, fields, n, errs, &p);
	if (err == QOC_EINVAL && !p.field && errs->count) /* the rules of the result */
		err = qoc_console_field_errors(resp, errs);
	else if (err)
		err = qoc_console_answer(resp, err, &p);
	else
		err = send_app(resp, 200, &ref.app, NULL);
out:
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_app_delete(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                        void *ctx)
{
	HANDLER_START;
	static const char *const keys[] = {"confirm_name", NULL};
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	json_t *body = NULL;
	struct qoc_console_app_ref ref;
	const char *confirm = NULL;
	if ((err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_OWNER, &ref)))
		goto out;
	/* No body at all is the commonest "anything else": 422 like a wrong name. */
	if (req->body.len > 0 && ((err = qoc_console_json_body(req, resp, &body)) ||
	                          (err = qoc_console_only_keys(resp, body, keys))))
		goto out;
	(void)qoc_json_get_string(body, "confirm_name", &confirm);
	err = qoc_console_app_delete(&c, &who.actor, &ref, confirm, &p);
	err =
	    err ? qoc_console_answer(resp, err, &p) : qoc_http_resp_body(resp, 204, NULL, NULL, 0);
out:
	json_decref(body);
	return qoc_console_done(err);
}
