/* signup.c - GET and POST /login/signup: self sign-up (config `signup`, on by default) for
 * a pending authorization request. Same start as the sign-in form (browser binding, CSRF
 * purpose "signup", the request by handle and browser); the fields are checked here (cheap)
 * and the argon2id hash and the insert run off the connection threads
 * (qoc_http_offload, console/accounts.h qoc_account_create). A new account is signed in
 * exactly like a sign-in (web.c qoc_web_signed_in). Field errors are shown beside their
 * field with status 400. Saying that an email is taken is inherent to sign-up.
 *
 * Throttles (docs/decisions/throttles.md), before any password hashing: every sign-up
 * with valid fields counts on its client address and on all sign-ups (429 with
 * Retry-After when over). An email that already has an account gets today's answer
 * without hashing the password (the answer already says the email is taken, so the
 * quicker answer tells nothing more). At most QOC_SIGNUP_HASHING sign-up hashes run on
 * the offload pool at once, so sign-ups can never take the pool from sign-ins.
 */
#include <stdio.h>
#include <string.h>

#include "api/backchannel.h"
#include "api/handlers.h"
#include "api/web.h"
#include "console/accounts.h"
#include "core/log.h"
#include "core/mem.h"
#include "login/csrf.h"
#include "login/throttle.h"

/* Sign-up password hashes on the offload pool at once (per node); the rest of the pool
 * is left to sign-ins. */
#define QOC_SIGNUP_HASHING 2
/* The answer for an email that already has an account (console/accounts.c's words). */
#define EMAIL_TAKEN "an account with this email already exists"

struct signup_job {
	const struct qoc_api *api;
	struct qoc_web_browser b;
	struct qoc_web_pending p;
	struct qoc_account_input in;
	char id[32];
	const char *reason; /* static text from qoc_account_create */
	enum qoc_err err;
};

static void create_work(void *arg)
{
	struct signup_job *j = arg;
	j->err = qoc_account_create(j->api->store, j->api->clock, &j->in, j->id, sizeof(j->id),
	                            &j->reason);
	atomic_fetch_sub(&((struct qoc_api *)j->api)->signup_hashing, 1);
}

static void wipe_password(void *arg)
{
	struct signup_job *j = arg;
	qoc_memwipe((char *)j->in.password, j->in.password_len);
}

static enum qoc_err signup_page(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                const struct qoc_api *api, const struct qoc_web_browser *b,
                                const struct qoc_web_pending *p, struct qoc_login_signup *in,
                                unsigned status)
{
	char csrf[QOC_CSRF_TOKEN_LEN + 1];
	struct qoc_buf page;
	enum qoc_err err = qoc_csrf_token(api->csrf_key, b->id, QOC_CSRF_SIGNUP, csrf);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	in->csrf = csrf;
	in->handle = p->handle;
	in->app_name = p->app.name;
	qoc_buf_init(&page, QOC_WEB_PAGE_MAX);
	if (!(err = qoc_login_render_signup(&page, in)))
		err = qoc_web_send_page(resp, status, &page);
	qoc_buf_release(&page);
	return err;
}

static enum qoc_err signup_off(struct qoc_http_req *req, struct qoc_http_resp *resp)
{
	enum qoc_err err = qoc_web_error_page(req, resp, QOC_LOGIN_ERR_GENERIC,
	                                      "Sign-up is turned off on this server.", 0);
	if (!err)
		resp->status = 404;
	return err;
}

enum qoc_err qoc_api_signup_page(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_web_browser b;
	struct qoc_web_pending p;
	enum qoc_err err = QOC_OK;
	if (!api->cfg->signup)
		return signup_off(req, resp);
	if (!qoc_web_form_start(req, resp, api, NULL, NULL, &b, &p, &err))
		return err;
	struct qoc_login_signup in = {.email = p.req.login_hint};
	return signup_page(req, resp, api, &b, &p, &in, 200);
}

/* 429: the sign-up form again with "Too many sign-ups" and Retry-After. */
static enum qoc_err too_many(struct qoc_http_req *req, struct qoc_http_resp *resp,
                             struct signup_job *j, struct qoc_login_signup *page, int64_t retry)
{
	char secs[24];
	page->error = "Too many sign-ups right now. Please try again later.";
	enum qoc_err err = signup_page(req, resp, j->api, &j->b, &j->p, page, 429);
	snprintf(secs, sizeof(secs), "%lld", (long long)(retry > 0 ? retry : 1));
	return err ? err : qoc_http_resp_header(resp, "Retry-After", secs);
}

/* Counts this sign-up on its address and on all sign-ups; *retry > 0 when over. */
static void count_signup(struct qoc_api *api, struct qoc_http_req *req, int64_t *retry)
{
	char addr[QOC_AN_ADDR_MAX];
	int64_t now = qoc_clock_now(api->clock);
	qoc_api_client_addr(api, req, addr);
	char *key = qoc_arena_printf(req->arena, "ip:%s", addr);
	*retry = 1; /* fail closed */
	if (!key || !qoc_throttle_reserve(api->signup_address, key, now, retry, NULL)) {
		qoc_log_event("signup_throttled", "sign-up refused: too many",
		              "budget=address addr=%s", addr);
		return;
	}
	(void)qoc_throttle_fail_reserved(api->signup_address, key, now);
	if (!qoc_throttle_reserve(api->signup_all, "all", now, retry, NULL)) {
		qoc_log_event("signup_throttled", "sign-up refused: too many", "budget=all addr=%s",
		              addr);
		return;
	}
	(void)qoc_throttle_fail_reserved(api->signup_all, "all", now);
	*retry = 0;
}

/* Puts reason beside the field it names ("email ...", "name ...", "password ..."). */
static void place_reason(struct qoc_login_signup *page, const char *reason)
{
	if (strstr(reason, "email")) /* also "an account with this email already exists" */
		page->email_error = reason;
	else if (strncmp(reason, "name", 4) == 0)
		page->name_error = reason;
	else if (strncmp(reason, "password", 8) == 0)
		page->password_error = reason;
	else
		page->error = reason;
}

static enum qoc_err signup_finish(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                  struct signup_job *j)
{
	if (j->err == QOC_EINVAL || j->err == QOC_ECONFLICT) {
		struct qoc_login_signup page = {.name = j->in.name, .email = j->in.email};
		place_reason(&page, j->reason ? j->reason : "The account could not be created.");
		return signup_page(req, resp, j->api, &j->b, &j->p, &page, 400);
	}
	if (j->err)
		return qoc_web_internal_error(req, resp, j->err);
	const char *id = qoc_arena_strdup(req->arena, j->id);
	if (!id)
		return QOC_ENOMEM;
	return qoc_web_signed_in(req, resp, j->api, &j->b, &j->p, id);
}

/* Reads and checks the fields: QOC_EINVAL with the messages in *page when one is wrong. */
static enum qoc_err read_fields(struct qoc_http_req *req, const struct qoc_form *form,
                                struct signup_job *j, struct qoc_login_signup *page)
{
	const char *pw = NULL;
	(void)qoc_form_get(form, "name", &j->in.name);
	(void)qoc_form_get(form, "email", &j->in.email);
	if (qoc_form_get(form, "password", &pw) == QOC_OK) {
		j->in.password = pw;
		j->in.password_len = strlen(pw);
		if (qoc_arena_on_release(req->arena, wipe_password, j))
			return QOC_ENOMEM;
	} else {
		j->in.password = "";
	}
	*page = (struct qoc_login_signup){.name = j->in.name, .email = j->in.email};
	page->name_error = qoc_account_check_name(j->in.name);
	page->email_error = qoc_account_check_email(j->in.email);
	page->password_error = qoc_account_check_password(j->in.password, j->in.password_len);
	bool ok = !page->name_error && !page->email_error && !page->password_error;
	return ok ? QOC_OK : QOC_EINVAL;
}

enum qoc_err qoc_api_signup_submit(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_form form;
	struct qoc_login_signup page;
	if (!api->cfg->signup)
		return signup_off(req, resp);
	if (req->resumed)
		return signup_finish(req, resp, qoc_http_offload_arg(req));
	struct signup_job *j = qoc_arena_calloc(req->arena, 1, sizeof(*j));
	if (!j)
		return QOC_ENOMEM;
	j->api = api;
	enum qoc_err err = QOC_OK;
	if (!qoc_web_form_start(req, resp, api, QOC_CSRF_SIGNUP, &form, &j->b, &j->p, &err))
		return err;
	if ((err = read_fields(req, &form, j, &page)) == QOC_EINVAL)
		return signup_page(req, resp, api, &j->b, &j->p, &page, 400);
	if (err)
		return err;
	int64_t retry = 0;
	count_signup(api, req, &retry);
	if (retry > 0)
		return too_many(req, resp, j, &page, retry);
	struct qoc_account existing;
	err = qoc_store_account_by_email(api->store, req->arena, j->in.email, &existing);
	if (!err) { /* taken: the same answer as the insert's conflict, without a hash */
		page.email_error = EMAIL_TAKEN;
		return signup_page(req, resp, api, &j->b, &j->p, &page, 400);
	}
	if (err != QOC_ENOTFOUND)
		return qoc_web_internal_error(req, resp, err);
	if (atomic_fetch_add(&api->signup_hashing, 1) >= QOC_SIGNUP_HASHING) {
		atomic_fetch_sub(&api->signup_hashing, 1);
		return too_many(req, resp, j, &page, 1);
	}
	if ((err = qoc_http_offload(req, create_work, j))) {
		atomic_fetch_sub(&api->signup_hashing, 1);
		return qoc_web_internal_error(req, resp, err);
	}
	return QOC_EPENDING;
}
