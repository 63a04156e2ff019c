/* console_tokens.c - the caller's personal access tokens: GET/POST /api/v1/tokens,
 * DELETE /api/v1/tokens/{token_id}. A new token is shown once (201); lists never show one. */
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "console/pats.h"
#include "core/json.h"

static json_t *time_or_null(int64_t t)
{
	char buf[QOC_RFC3339_SIZE];
	return t && qoc_rfc3339(t, buf) ? json_string(buf) : json_null();
}

static json_t *pat_json(const struct qoc_pat *p)
{
	return json_pack("{s:s,s:s,s:o*,s:o*,s:o*,s:o*}", "id", p->id, "name", p->name,
	                 "created_at", time_or_null(p->created_at), "expires_at",
	                 time_or_null(p->expires_at), "last_used_at", time_or_null(p->last_used_at),
	                 "revoked_at", time_or_null(p->revoked_at));
}

enum qoc_err qoc_api_console_tokens_list(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                         void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_caller who;
	struct qoc_pat *pats;
	size_t n;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err)
		return qoc_console_done(err);
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	err = qoc_console_pats_list(&c, req->arena, &who.actor, &pats, &n);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	json_t *items = json_array();
	for (size_t i = 0; items && i < n; i++)
		if (json_array_append_new(items, pat_json(&pats[i])) != 0) {
			json_decref(items);
			items = NULL;
		}
	return qoc_http_resp_json(resp, 200, json_pack("{s:o*}", "items", items));
}

/* {"name": "...", "ttl": seconds (optional, 0 or absent: no expiry)} */
static enum qoc_err token_body(struct qoc_http_resp *resp, const json_t *body, const char **name,
                               long long *ttl)
{
	static const char *const keys[] = {"name", "ttl", NULL};
	enum qoc_err err = qoc_console_only_keys(resp, body, keys);
	if (err)
		return err;
	*name = "";
	*ttl = 0;
	err = qoc_json_get_string(body, "name", name);
	if (err == QOC_EINVAL || strlen(*name) > QOC_PAT_NAME_MAX)
		return qoc_console_field_error(resp, "name",
		                               "must be a string of at most 100 bytes");
	err = qoc_json_get_int(body, "ttl", ttl);
	if (err == QOC_EINVAL || *ttl < 0 || *ttl > QOC_PAT_TTL_MAX)
		return qoc_console_field_error(resp, "ttl",
		                               "must be 0 (no expiry) to 31622400 seconds");
	return QOC_OK;
}

enum qoc_err qoc_api_console_tokens_create(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                           void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_caller who;
	json_t *body = NULL;
	const char *name;
	long long ttl;
	char id[32];
	struct qoc_buf tok;
	qoc_buf_init(&tok, 256);
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_json_body(req, resp, &body)) ||
	    (err = token_body(resp, body, &name, &ttl)))
		goto out;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem prob;
	struct qoc_pat p;
	err = qoc_console_pat_create(&c, req->arena, &who.actor, name, ttl, who.pat_expires_at,
	                             &tok, id, sizeof(id), &p, &prob);
	if (err) {
		err = qoc_console_answer(resp, err, &prob);
		goto out;
	}
	if ((err = qoc_http_resp_header(resp, "Cache-Control", "no-store")))
		goto out;
	json_t *j = pat_json(&p);
	if (j && json_object_set_new(j, "token", json_string(qoc_buf_cstr(&tok))) != 0) {
		json_decref(j);
		j = NULL;
	}
	err = qoc_http_resp_json(resp, 201, j);
out:
	qoc_buf_release_secret(&tok);
	json_decref(body);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_tokens_revoke(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                           void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_caller who;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err)
		return qoc_console_done(err);
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	err = qoc_console_pat_revoke(&c, &who.actor, qoc_http_param(req, "token_id"));
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	return qoc_http_resp_body(resp, 204, NULL, NULL, 0);
}
