/* console_transfer.c - POST /api/v1/applications/{client_id}/transfer
 * {"new_owner": "<account id or email>", "password": "<the caller's password>"}.
 *
 * The owner or a team admin confirms with their own password (argon2id, verified on the
 * offload pool, never on a connection thread). A wrong password is 403 and changes
 * nothing; a new owner outside the team is 422. The new owner gets a notice email through
 * the durable outbox (mail/mail.h) once the transfer is committed. */
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "core/mem.h"
#include "crypto/password.h"
#include "core/json.h"
#include "api/pw_throttle.h"

struct transfer {
	struct qoc_console_caller who;
	struct qoc_app app;
	struct qoc_account new_owner;
	char *password; /* arena copy, wiped on resume */
	size_t password_len;
	struct qoc_pw_guard guard; /* the sign-in throttle: one budget of guesses */
	bool ok;                   /* set by verify_work */
};

static void verify_work(void *arg)
{
	struct transfer *t = arg;
	if (t->who.acct.password_hash)
		t->ok =
		    qoc_password_verify(t->who.acct.password_hash, t->password, t->password_len);
	else
		qoc_password_dummy_verify(t->password, t->password_len);
}

/* Reads the body and the new owner into t. */
static enum qoc_err decode(struct qoc_http_req *req, struct qoc_http_resp *resp,
                           struct qoc_api *api, struct transfer *t)
{
	static const char *const keys[] = {"new_owner", "password", NULL};
	json_t *body = NULL;
	const char *who = NULL, *pw = NULL;
	enum qoc_err err;
	if ((err = qoc_console_json_body(req, resp, &body)) ||
	    (err = qoc_console_only_keys(resp, body, keys)))
		goto out;
	if (qoc_json_get_string(body, "password", &pw) != QOC_OK ||
	    strlen(pw) > QOC_PASSWORD_MAX_LEN) {
		err = qoc_console_field_error(resp, "password", "your password is required");
		goto out;
	}
	(void)qoc_json_get_string(body, "new_owner", &who);
	err = !who ? QOC_ENOTFOUND
	      : strchr(who, '@')
	          ? qoc_store_account_by_email(api->store, req->arena, who, &t->new_owner)
	          : qoc_store_account_by_id(api->store, req->arena, who, &t->new_owner);
	if (err == QOC_ENOTFOUND || err == QOC_EINVAL) {
		err = qoc_console_field_error(resp, "new_owner", "no such account");
		goto out;
	}
	if (err) {
		err = qoc_console_store_error(resp, err);
		goto out;
	}
	t->password_len = strlen(pw);
	t->password = qoc_arena_strdup(req->arena, pw);
	err = t->password ? QOC_OK : QOC_ENOMEM;
out:
	json_decref(body);
	return err;
}

static void send_notice(struct qoc_http_req *req, struct qoc_api *api, const struct transfer *t)
{
	const char *text =
	    qoc_arena_printf(req->arena, "%s transferred the application \"%s\" (%s) to you.\n",
	                     t->who.acct.email, t->app.name, t->app.client_id);
	if (text)
		qoc_console_notify(api, t->new_owner.email, "An application was transferred to you",
		                   text);
}

static enum qoc_err finish(struct qoc_http_req *req, struct qoc_http_resp *resp,
                           struct qoc_api *api, struct transfer *t)
{
	qoc_memwipe(t->password, t->password_len);
	qoc_pw_guard_end(&t->guard, t->ok);
	if (!t->ok)
		return qoc_console_problem(resp, 403, "the password is not correct");
	char *detail = qoc_arena_printf(req->arena, "{\"from\":\"%s\",\"to\":\"%s\"}",
	                                t->app.owner_id, t->new_owner.id);
	if (!detail)
		return QOC_ENOMEM;
	struct qoc_audit_event ev = qoc_console_event(req, api, &t->who, "app.transfer", detail);
	enum qoc_err err =
	    qoc_store_app_transfer(api->store, t->app.client_id, t->new_owner.id, &ev);
	if (err == QOC_EPERM)
		return qoc_console_field_error(resp, "new_owner", "must be a member of the team");
	if (!err)
		err = qoc_store_app_get(api->store, req->arena, t->app.client_id, &t->app);
	if (err)
		return qoc_console_store_error(resp, err);
	send_notice(req, api, t);
	return qoc_http_resp_json(resp, 200, qoc_app_json_encode(&t->app));
}

/* Password guesses here count against the same budgets as sign-ins (SECURITY.md
 * "Passwords", api/pw_throttle.h), reserved before the argon2id check: a stolen token must
 * not become an unthrottled password oracle. 429 with Retry-After when refused. */
static enum qoc_err throttled(struct qoc_http_req *req, struct qoc_http_resp *resp,
                              struct qoc_api *api, struct transfer *t)
{
	int64_t retry = 0;
	enum qoc_err err = qoc_pw_guard_begin(api, req, t->who.acct.email, &t->guard, &retry);
	if (err || retry == 0)
		return err;
	char value[24];
	snprintf(value, sizeof(value), "%lld", (long long)retry);
	err = qoc_http_resp_header(resp, "Retry-After", value);
	return err ? err
	           : qoc_console_problem(resp, 429, "too many wrong passwords: try again later");
}

enum qoc_err qoc_api_console_app_transfer(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                          void *ctx)
{
	struct qoc_api *api = ctx;
	if (req->resumed)
		return qoc_console_done(finish(req, resp, api, qoc_http_offload_arg(req)));
	struct transfer *t = qoc_arena_alloc(req->arena, sizeof(*t));
	if (!t)
		return QOC_ENOMEM;
	memset(t, 0, sizeof(*t));
	enum qoc_role role;
	enum qoc_err err = qoc_console_auth(req, resp, api, &t->who);
	if (err ||
	    (err =
	         qoc_console_app_access(req, resp, api, &t->who, QOC_ACT_OWNER, &t->app, &role)) ||
	    (err = decode(req, resp, api, t)))
		return qoc_console_done(err);
	if ((err = throttled(req, resp, api, t)))
		return qoc_console_done(err);
	if ((err = qoc_http_offload(req, verify_work, t)))
		return err;
	return QOC_EPENDING;
}
