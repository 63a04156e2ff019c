/* console_common.c - authentication, bodies and problems of the console API, the answers
 * to the console use cases' refusals, and the outbox as their notifier (see console.h). */
#include "api/console.h"

#include <string.h>
#include <strings.h>

#include "api/app_json.h"

#include "console/pats.h"
#include "core/log.h"
#include "mail/mail.h"
#include "mail/sender.h"
#include "core/json.h"

enum qoc_err qoc_console_problem(struct qoc_http_resp *resp, unsigned status, const char *detail)
{
	enum qoc_err err = qoc_http_resp_problem(resp, status, NULL, detail);
	return err ? err : QOC_EPERM;
}

static enum qoc_err unauthorized(struct qoc_http_resp *resp, const char *detail)
{
	enum qoc_err err = qoc_http_resp_header(resp, "WWW-Authenticate",
	                                        "Bearer realm=\"qoc\", error=\"invalid_token\"");
	if (err)
		return err;
	return qoc_console_problem(resp, 401, detail);
}

static void fill_actor(const struct qoc_http_req *req, struct qoc_console_caller *who)
{
	who->actor = (struct qoc_console_actor){
	    .account_id = who->acct.id,
	    .email = who->acct.email,
	    .personal_team_id = who->acct.personal_team_id,
	    .password_hash = who->acct.password_hash,
	    .is_admin = who->acct.is_admin,
	    .ip = req->remote_addr[0] ? req->remote_addr : NULL,
	};
}

/* The console web app's session cookie (console/signin.h). QOC_ENOTFOUND: no session;
 * QOC_EPERM: answered (a state-changing request without the session's X-CSRF-Token). */
static enum qoc_err auth_session(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                 struct qoc_api *api, struct qoc_console_caller *who)
{
	struct qoc_console_session s;
	enum qoc_err err = qoc_console_session_find(req, api, &s);
	if (err == QOC_ENOTFOUND)
		return err;
	if (err)
		return qoc_console_store_error(resp, err);
	bool safe = req->method == QOC_HTTP_GET || req->method == QOC_HTTP_HEAD ||
	            req->method == QOC_HTTP_OPTIONS;
	if (!safe &&
	    (qoc_http_header_count(req, QOC_CONSOLE_CSRF_HEADER) != 1 ||
	     !qoc_console_session_csrf_ok(&s, qoc_http_header(req, QOC_CONSOLE_CSRF_HEADER))))
		return qoc_console_problem(resp, 403,
		                           "missing or wrong " QOC_CONSOLE_CSRF_HEADER
		                           " header (GET /console/session gives it)");
	who->acct = s.acct;
	who->via_session = true;
	fill_actor(req, who);
	return QOC_OK;
}

enum qoc_err qoc_console_auth(struct qoc_http_req *req, struct qoc_http_resp *resp,
                              struct qoc_api *api, struct qoc_console_caller *who)
{
	memset(who, 0, sizeof(*who));
	const char *h = qoc_http_header(req, "Authorization");
	if (!h) {
		enum qoc_err err = auth_session(req, resp, api, who);
		if (err != QOC_ENOTFOUND)
			return err;
		return unauthorized(resp, "sign in to the console, or send a personal access "
		                          "token (Authorization: Bearer)");
	}
	if (qoc_http_header_count(req, "Authorization") != 1 || strncasecmp(h, "Bearer ", 7) != 0)
		return unauthorized(resp, "use Authorization: Bearer <personal access token>");
	const char *tok = h + 7;
	while (*tok == ' ')
		tok++;
	struct qoc_pat pat;
	enum qoc_err err = qoc_pat_authenticate(api->store, req->arena, api->clock, tok,
	                                        strlen(tok), &who->acct, &pat);
	if (err == QOC_ENOTFOUND)
		return unauthorized(resp, "the token is unknown, revoked or expired");
	if (err)
		return qoc_console_store_error(resp, err);
	who->pat_expires_at = pat.expires_at;
	fill_actor(req, who);
	return QOC_OK;
}

enum qoc_err qoc_console_json_body(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   json_t **out)
{
	*out = NULL;
	if (!qoc_http_content_type_is(req, "application/json"))
		return qoc_console_problem(resp, 415, "the body must be application/json");
	if (req->body.len > QOC_CONSOLE_JSON_MAX)
		return qoc_console_problem(resp, 413, "the body is over 64 KiB");
	struct qoc_json_limits lim = {.max_bytes = QOC_CONSOLE_JSON_MAX, .max_depth = 8};
	char msg[160];
	enum qoc_err err =
	    qoc_json_parse(req->body.ptr, req->body.len, &lim, out, msg, sizeof(msg));
	if (err == QOC_ENOMEM)
		return err;
	if (err == QOC_ELIMIT)
		return qoc_console_problem(resp, 413, msg);
	if (err)
		return qoc_console_problem(resp, 400, msg);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return qoc_console_problem(resp, 400, "the body must be a JSON object");
	}
	return QOC_OK;
}

static enum qoc_err errors_problem(struct qoc_http_resp *resp, json_t *list)
{
	if (!list)
		return QOC_ENOMEM;
	json_t *p = json_pack("{s:s,s:s,s:i,s:s,s:o}", "type", "about:blank", "title",
	                      "Unprocessable Content", "status", 422, "detail",
	                      "the request has invalid fields", "errors", list);
	enum qoc_err err = qoc_http_resp_json(resp, 422, p);
	if (err)
		return err;
	resp->content_type = "application/problem+json";
	return QOC_EPERM;
}

enum qoc_err qoc_console_field_errors(struct qoc_http_resp *resp, const struct qoc_app_errors *errs)
{
	return errors_problem(resp, qoc_app_errors_json(errs));
}

enum qoc_err qoc_console_field_error(struct qoc_http_resp *resp, const char *field,
                                     const char *message)
{
	return errors_problem(resp, json_pack("[{s:s,s:s}]", "field", field, "message", message));
}

enum qoc_err qoc_console_store_error(struct qoc_http_resp *resp, enum qoc_err err)
{
	switch (err) {
	case QOC_ENOMEM:
		return err;
	case QOC_ENOTFOUND:
		return qoc_console_problem(resp, 404, NULL);
	case QOC_ECONFLICT:
		return qoc_console_problem(resp, 409, "changed or taken meanwhile: read it again");
	case QOC_EBUSY:
		if (qoc_http_resp_header(resp, "Retry-After", "1") != QOC_OK)
			return QOC_ENOMEM;
		return qoc_console_problem(resp, 503, "the store is busy");
	default:
		return qoc_console_problem(resp, 500, NULL);
	}
}

enum qoc_err qoc_console_answer(struct qoc_http_resp *resp, enum qoc_err err,
                                const struct qoc_console_problem *p)
{
	const char *detail = p ? p->detail : NULL;
	switch (err) {
	case QOC_EINVAL:
		if (p && p->field)
			return qoc_console_field_error(resp, p->field,
			                               detail ? detail : "is invalid");
		break;
	case QOC_ELIMIT:
		if (detail)
			return qoc_console_problem(resp, 422, detail);
		break;
	case QOC_EPERM:
		if (detail)
			return qoc_console_problem(resp, 403, detail);
		break;
	case QOC_ECONFLICT:
		if (detail)
			return qoc_console_problem(resp, 409, detail);
		break;
	default:
		break;
	}
	return qoc_console_store_error(resp, err);
}

enum qoc_err qoc_console_app_access(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    struct qoc_api *api, const struct qoc_console_caller *who,
                                    enum qoc_console_action act, struct qoc_console_app_ref *ref)
{
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	enum qoc_err err = qoc_console_app_open(&c, req->arena, &who->actor,
	                                        qoc_http_param(req, "client_id"), act, ref, &p);
	return err ? qoc_console_answer(resp, err, &p) : QOC_OK;
}

enum qoc_err qoc_console_only_keys(struct qoc_http_resp *resp, const json_t *obj,
                                   const char *const *keys)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		(void)v;
		bool known = false;
		for (size_t i = 0; keys[i] && !known; i++)
			known = !strcmp(key, keys[i]);
		if (!known)
			return qoc_console_field_error(resp, key, "unknown field");
	}
	return QOC_OK;
}

enum qoc_err qoc_console_team_role(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   struct qoc_api *api, const struct qoc_console_caller *who,
                                   enum qoc_role min, struct qoc_console_team_ref *team)
{
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	enum qoc_err err =
	    qoc_console_team_open(&c, &who->actor, qoc_http_param(req, "team_id"), min, team, &p);
	return err ? qoc_console_answer(resp, err, &p) : QOC_OK;
}

/* The notifier of the console use cases: a notice email in the durable outbox
 * (mail/mail.h), then the sender woken. */
static void notify(void *arg, const char *to, const char *subject, const char *text)
{
	struct qoc_api *api = arg;
	struct qoc_mail_message m = {.to = to, .subject = subject, .text = text};
	enum qoc_err err = qoc_mail_enqueue(api->store, &m, qoc_clock_now(api->clock));
	if (err) {
		qoc_log_error("console: notice not queued", "err=%s", qoc_strerror(err));
		return;
	}
	if (api->mailer)
		qoc_mailer_kick(api->mailer);
}

struct qoc_console_ctx qoc_console_ctx_of(struct qoc_api *api)
{
	return (struct qoc_console_ctx){.store = api->store,
	                                .clock = api->clock,
	                                .apps = &api->apps,
	                                .notify = notify,
	                                .notify_arg = api};
}
