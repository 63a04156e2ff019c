/* token.c - POST /oauth2/token (RFC 6749 §3.2, §4.1.3, §4.4, §5, §6; OIDC Core §3.1.3),
 * and OPTIONS for CORS preflights.
 *
 * Decode (form body, client credentials) -> authenticate (backchannel.c) -> parse the
 * grant (token_req.h) -> run it (grant.h) -> encode. Every answer carries no-store; CORS
 * headers go only to an origin the client registered.
 */
#include <string.h>

#include "api/backchannel.h"
#include "api/capture.h"
#include "api/handlers.h"
#include "oauth/grant.h"
#include "oauth/last_used.h"
#include "oauth/token_req.h"

static enum qoc_err success(struct qoc_http_resp *resp, const struct qoc_issued *t)
{
	/* RFC 6749 §5.1; a member without a value is left out. */
	struct qoc_jsonw w;
	qoc_http_resp_jsonw_begin(resp, &w);
	qoc_jsonw_str(&w, "access_token", t->access_token);
	qoc_jsonw_str(&w, "token_type", "Bearer");
	qoc_jsonw_int(&w, "expires_in", t->expires_in);
	if (t->refresh_token)
		qoc_jsonw_str(&w, "refresh_token", t->refresh_token);
	if (t->id_token)
		qoc_jsonw_str(&w, "id_token", t->id_token);
	if (t->scope && t->scope[0])
		qoc_jsonw_str(&w, "scope", t->scope);
	return qoc_http_resp_jsonw_end(resp, 200, &w);
}

static enum qoc_err not_allowed(struct qoc_http_resp *resp)
{
	enum qoc_err err = qoc_http_resp_problem(resp, 405, NULL, "use POST");
	return err ? err : qoc_http_resp_header(resp, "Allow", "POST, OPTIONS");
}

/* One token request between its two calls: the client and the parsed grant from the
 * first, what the grant left for the resumed one. Arena memory. */
struct token_job {
	struct qoc_issue_ctx ictx;
	struct qoc_api_client c;
	struct qoc_token_request tr;
	struct qoc_arena *arena;
	struct qoc_issued issued;
	struct qoc_oauth_error oe;
	enum qoc_err err;
};

/* Writes to the store (code redemption, refresh rotation, an opaque token) wait for a
 * durable commit: those run on the wait pool, where the writes waiting at once share one
 * commit (qoc_http_offload_wait). A JWT from client_credentials writes nothing and is
 * signed right here. */
static bool grant_writes(const struct qoc_api_client *c, const struct qoc_token_request *tr)
{
	return tr->grant != QOC_GRANT_CLIENT_CREDENTIALS || !c->app.token_format ||
	       strcmp(c->app.token_format, "jwt") != 0;
}

static void grant_work(void *arg)
{
	struct token_job *j = arg;
	j->err = qoc_grant_run(&j->ictx, &j->c.app, &j->tr, j->arena, &j->issued, &j->oe);
}

/* The answer to a grant that ran (here or on the wait pool). */
static enum qoc_err finish(struct qoc_api *api, struct qoc_http_req *req,
                           struct qoc_http_resp *resp, struct token_job *j)
{
	enum qoc_err err = j->err;
	if (err == QOC_EINVAL) {
		err = qoc_api_oauth_error(resp, &j->oe,
		                          qoc_client_auth_challenge(&j->c.creds, &j->oe));
	} else if (err) {
		return qoc_api_internal(resp, qoc_grant_name(j->tr.grant), err);
	} else {
		if (j->issued.record_count > 0)
			qoc_api_note_account(req, j->issued.records[0].account_id);
		if (!(err = success(resp, &j->issued)))
			(void)qoc_last_used_note(api->last_used, j->c.app.client_id,
			                         qoc_clock_now(api->clock));
	}
	return err ? err : qoc_api_cors(api, req, resp, &j->c.app);
}

/* Parses the grant of an authenticated client and runs it, here or on the wait pool
 * (QOC_EPENDING: the resumed call finishes it). */
static enum qoc_err run(struct qoc_api *api, struct qoc_http_req *req, struct qoc_http_resp *resp,
                        const struct qoc_api_client *c)
{
	struct token_job *j = qoc_arena_alloc(req->arena, sizeof(*j));
	if (!j)
		return QOC_ENOMEM;
	*j = (struct token_job){.ictx = qoc_api_issue_ctx(api), .c = *c, .arena = req->arena};
	enum qoc_err err = qoc_token_request_parse(&j->c.form, &j->c.app, &j->tr, &j->oe);
	if (err) {
		err = qoc_api_oauth_error(resp, &j->oe, NULL);
		return err ? err : qoc_api_cors(api, req, resp, &j->c.app);
	}
	if (grant_writes(&j->c, &j->tr) && !qoc_http_offload_wait(req, grant_work, j))
		return QOC_EPENDING;
	grant_work(j);
	return finish(api, req, resp, j);
}

enum qoc_err qoc_api_token(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_api_client c;
	if (req->resumed) /* resp kept what the first call set */
		return finish(api, req, resp, qoc_http_offload_arg(req));
	enum qoc_err err = qoc_api_no_store(resp);
	if (err)
		return err;
	if (req->method == QOC_HTTP_OPTIONS)
		return qoc_api_options(api, req, resp, "POST");
	if (req->method != QOC_HTTP_POST) /* RFC 6749 §3.2: POST only */
		return not_allowed(resp);
	err = qoc_api_client_auth(api, req, resp, &c);
	if (err == QOC_OK)
		return run(api, req, resp, &c);
	if (err != QOC_EINVAL)
		return err;
	/* refused: resp holds the answer */
	return qoc_api_cors(api, req, resp, c.app_found ? &c.app : NULL);
}
