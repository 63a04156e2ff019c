/* console_transfer.c - POST /api/v1/applications/{client_id}/transfer
 * {"new_owner": "<account id or email>", "password": "<the caller's password>"}.
 *
 * The owner or a team admin confirms with their own password (argon2id, verified on the
 * offload pool, never on a connection thread). A wrong password is 403 and changes
 * nothing; a new owner outside the team is 422. The new owner gets a notice email through
 * the durable outbox (mail/mail.h) once the transfer is committed. The rules are
 * console/transfer.h's; this file decodes, throttles, offloads and encodes. */
#include <string.h>

#include "api/app_json.h"
#include "api/console.h"
#include "api/console_handlers.h"
#include "core/mem.h"
#include "console/transfer.h"
#include "crypto/password.h"
#include "core/json.h"
#include "api/pw_throttle.h"

struct transfer {
	struct qoc_console_caller who;
	struct qoc_console_app_ref ref;
	struct qoc_account new_owner;
	char *password; /* arena copy, wiped on resume */
	size_t password_len;
	struct qoc_pw_guard guard; /* the sign-in throttle: one budget of guesses */
	bool ok;                   /* set by verify_work */
};

static void verify_work(void *arg)
{
	struct transfer *t = arg;
	t->ok = qoc_console_transfer_password_ok(&t->who.actor, t->password, t->password_len);
}

/* Reads the body and the new owner into t. */
static enum qoc_err decode(struct qoc_http_req *req, struct qoc_http_resp *resp,
                           struct qoc_api *api, struct transfer *t)
{
	static const char *const keys[] = {"new_owner", "password", NULL};
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
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
	err = qoc_console_transfer_new_owner(&c, req->arena, &t->who.actor, &t->ref, who,
	                                     &t->new_owner, &p);
	if (err) {
		err = qoc_console_answer(resp, err, &p);
		goto out;
	}
	t->password_len = strlen(pw);
	t->password = qoc_arena_strdup(req->arena, pw);
	err = t->password ? QOC_OK : QOC_ENOMEM;
out:
	json_decref(body);
	return err;
}

static enum qoc_err finish(struct qoc_http_req *req, struct qoc_http_resp *resp,
                           struct qoc_api *api, struct transfer *t)
{
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	qoc_memwipe(t->password, t->password_len);
	qoc_pw_guard_end(&t->guard, t->ok);
	enum qoc_err err = qoc_console_transfer_commit(&c, req->arena, &t->who.actor, &t->ref,
	                                               &t->new_owner, t->ok, &p);
	if (err)
		return qoc_console_answer(resp, err, &p);
	return qoc_http_resp_json(resp, 200, qoc_app_json_encode(&t->ref.app));
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
	enum qoc_err err = qoc_console_auth(req, resp, api, &t->who);
	if (err ||
	    (err = qoc_console_app_access(req, resp, api, &t->who, QOC_ACT_OWNER, &t->ref)) ||
	    (err = decode(req, resp, api, t)))
		return qoc_console_done(err);
	if ((err = throttled(req, resp, api, t)))
		return qoc_console_done(err);
	if ((err = qoc_http_offload(req, verify_work, t)))
		return err;
	return QOC_EPENDING;
}
