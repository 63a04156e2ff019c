/* console_audit.c - GET /api/v1/applications/{client_id}/audit and GET /api/v1/audit
 * (?team=, default the caller's personal team): newest first, paged by ?before=<id>.
 * Any member of the team (viewer and up) reads them. */
#include <stdlib.h>
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "console/audit.h"

static json_t *entry_json(const struct qoc_audit_entry *e)
{
	char at[QOC_RFC3339_SIZE];
	json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
	return json_pack("{s:I,s:s,s:s?,s:s,s:s,s:o?,s:s?,s:s?}", "id", (json_int_t)e->id, "team",
	                 e->team_id, "client_id", e->client_id, "actor", e->actor_id, "action",
	                 e->action, "detail", detail, "ip", e->ip, "at",
	                 qoc_rfc3339(e->at, at) ? at : NULL);
}

/* ?before= and ?limit= into q; ?team= into *team. 422 naming a bad one. */
static enum qoc_err audit_query(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                struct qoc_audit_query *q, const char **team)
{
	struct qoc_form f;
	const char *before = NULL, *limit = NULL;
	enum qoc_err err = qoc_http_form_query(req, &f);
	if (err == QOC_ENOMEM)
		return err;
	if (err || qoc_form_has_duplicate(&f, NULL))
		return qoc_console_problem(resp, 400, "malformed or repeated query parameters");
	(void)qoc_form_get(&f, "team", team);
	(void)qoc_form_get(&f, "before", &before);
	(void)qoc_form_get(&f, "limit", &limit);
	char *end;
	if (before) {
		long long v = strtoll(before, &end, 10);
		if (*end || v < 1)
			return qoc_console_field_error(resp, "before", "must be an entry id");
		q->before_id = v;
	}
	if (limit) {
		long v = strtol(limit, &end, 10);
		if (*end || v < 1 || v > QOC_AUDIT_LIST_MAX_LIMIT)
			return qoc_console_field_error(resp, "limit", "must be 1 to 200");
		q->limit = (size_t)v;
	}
	return QOC_OK;
}

static enum qoc_err send_page(struct qoc_http_resp *resp, const struct qoc_audit_page *page)
{
	json_t *items = json_array();
	for (size_t i = 0; items && i < page->count; i++)
		if (json_array_append_new(items, entry_json(&page->items[i])) != 0) {
			json_decref(items);
			items = NULL;
		}
	json_t *next = page->next_before_id ? json_integer(page->next_before_id) : json_null();
	return qoc_http_resp_json(resp, 200,
	                          json_pack("{s:o*,s:o*}", "items", items, "next_before", next));
}

enum qoc_err qoc_api_console_app_audit(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                       void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_caller who;
	struct qoc_console_app_ref ref;
	struct qoc_audit_query q = {0};
	struct qoc_audit_page page;
	const char *team = NULL;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_READ, &ref)) ||
	    (err = audit_query(req, resp, &q, &team)))
		return qoc_console_done(err);
	err = qoc_console_audit_app(&c, req->arena, &who.actor, &ref, &q, &page);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	return qoc_console_done(send_page(resp, &page));
}

enum qoc_err qoc_api_console_team_audit(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                        void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_caller who;
	struct qoc_audit_query q = {0};
	struct qoc_audit_page page;
	const char *team = NULL;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = audit_query(req, resp, &q, &team)))
		return qoc_console_done(err);
	err = qoc_console_audit_team(&c, req->arena, &who.actor, team, &q, &page);
	if (err) /* not a member: 404 */
		return qoc_console_done(qoc_console_store_error(resp, err));
	return qoc_console_done(send_page(resp, &page));
}
