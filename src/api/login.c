/* login.c - GET and POST /login: the sign-in form of a pending authorization request.
 *
 * POST, in this order (SECURITY.md "Browser and console", "Passwords"):
 *   1. the browser binding and the CSRF token (purpose "login") before anything else;
 *   2. the pending request, by handle AND this browser (another browser's handle is
 *      "expired");
 *   3. the throttle (api/pw_throttle.h: per (account, address), per address, and per
 *      account for addresses that already failed for it), reserved before the password
 *      check: refused is the sign-in page with "Try again in ...", status 429,
 *      Retry-After, and no password check;
 *   4. argon2id off the connection threads (qoc_http_offload): the account's hash, or the
 *      dummy hash for an unknown account or one without a password, so time and answer are
 *      the same;
 *   5. on the resumed call: a failure counts on every budget and shows the form again with
 *      "Wrong email or password." and status 200 (not 401: there is no HTTP
 *      authentication scheme to challenge with, RFC 9110 §15.5.2, and the status is the
 *      same for an unknown account); a success forgets the (account, address) budget, rotates the
 * SSO session, binds the account to the request and goes on (303) to consent or to the client.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/pw_throttle.h"
#include "api/web.h"
#include "core/metrics.h"
#include "core/mem.h"
#include "crypto/password.h"
#include "login/csrf.h"

/* What the offloaded check needs and leaves, and what the resumed call needs: all of it in
 * the request's arena. */
struct signin_job {
	struct qoc_web_browser b;
	struct qoc_web_pending p;
	const char *email;         /* as typed */
	const char *account_id;    /* NULL: no such account */
	const char *password_hash; /* NULL: none (dummy verify) */
	char *password;            /* arena; wiped at release */
	size_t password_len;
	struct qoc_pw_guard guard;
	bool ok;
};

static void verify_work(void *arg)
{
	struct signin_job *j = arg;
	if (j->password_hash)
		j->ok = qoc_password_verify(j->password_hash, j->password, j->password_len);
	else
		qoc_password_dummy_verify(j->password, j->password_len);
}

/* The sign-in page, for GET and after a failure. */
static enum qoc_err signin_page(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                const struct qoc_api *api, const struct qoc_web_browser *b,
                                const struct qoc_web_pending *p, const char *email, bool failed,
                                int64_t retry_after)
{
	char csrf[QOC_CSRF_TOKEN_LEN + 1];
	struct qoc_buf page;
	enum qoc_err err = qoc_csrf_token(api->csrf_key, b->id, QOC_CSRF_LOGIN, csrf);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	struct qoc_login_signin in = {.app_name = p->app.name,
	                              .csrf = csrf,
	                              .handle = p->handle,
	                              .email = email,
	                              .failed = failed,
	                              .retry_after = retry_after,
	                              .signup_enabled = api->cfg->signup};
	qoc_buf_init(&page, QOC_WEB_PAGE_MAX);
	if (!(err = qoc_login_render_signin(&page, &in)))
		err = qoc_web_send_page(resp, retry_after > 0 ? 429 : 200, &page);
	if (!err && retry_after > 0) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%lld", (long long)retry_after);
		err = qoc_http_resp_header(resp, "Retry-After", secs);
	}
	qoc_buf_release(&page);
	return err;
}

enum qoc_err qoc_api_login_page(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_web_browser b;
	struct qoc_web_pending p;
	enum qoc_err err = QOC_OK;
	if (!qoc_web_form_start(req, resp, api, NULL, NULL, &b, &p, &err))
		return err;
	return signin_page(req, resp, api, &b, &p, p.req.login_hint, false, 0);
}

static void wipe_password(void *arg)
{
	struct signin_job *j = arg;
	qoc_memwipe(j->password, j->password_len);
}

/* Reads email and password into j (the password is wiped when the request ends). */
static enum qoc_err read_credentials(struct qoc_http_req *req, const struct qoc_form *form,
                                     struct signin_job *j)
{
	const char *pw = NULL;
	if (qoc_form_get(form, "email", &j->email) != QOC_OK)
		j->email = "";
	if (qoc_form_get(form, "password", &pw) != QOC_OK) {
		j->password = (char *)"";
		return QOC_OK;
	}
	j->password = (char *)pw; /* arena memory of the form: ours to wipe */
	j->password_len = strlen(pw);
	return qoc_arena_on_release(req->arena, wipe_password, j) ? QOC_ENOMEM : QOC_OK;
}

/* The account to check against; none (dummy verify) when unknown or without a password. */
static enum qoc_err find_account(struct qoc_http_req *req, const struct qoc_api *api,
                                 struct signin_job *j)
{
	struct qoc_account acct;
	if (!j->email[0])
		return QOC_OK;
	enum qoc_err err = qoc_store_account_by_email(api->store, req->arena, j->email, &acct);
	if (err)
		return err == QOC_ENOTFOUND ? QOC_OK : err;
	j->account_id = acct.id;
	j->password_hash = acct.password_hash;
	return QOC_OK;
}

/* The resumed call: the answer of the password check. */
static enum qoc_err signin_finish(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                  struct qoc_api *api, struct signin_job *j)
{
	bool right = j->ok && j->account_id;
	qoc_pw_guard_end(&j->guard, right);
	qoc_metrics_signin(right ? QOC_METRICS_SIGNIN_SUCCESS : QOC_METRICS_SIGNIN_WRONG_PASSWORD);
	if (!right)
		return signin_page(req, resp, api, &j->b, &j->p, j->email, true, 0);
	return qoc_web_signed_in(req, resp, api, &j->b, &j->p, j->account_id);
}

enum qoc_err qoc_api_login_submit(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	if (req->resumed)
		return signin_finish(req, resp, api, qoc_http_offload_arg(req));
	struct qoc_form form;
	struct signin_job *j = qoc_arena_calloc(req->arena, 1, sizeof(*j));
	if (!j)
		return QOC_ENOMEM;
	enum qoc_err err = QOC_OK;
	if (!qoc_web_form_start(req, resp, api, QOC_CSRF_LOGIN, &form, &j->b, &j->p, &err))
		return err;
	int64_t wait = 0;
	if ((err = read_credentials(req, &form, j)) ||
	    (err = qoc_pw_guard_begin(api, req, j->email, &j->guard, &wait))) {
		qoc_metrics_signin(QOC_METRICS_SIGNIN_ERROR);
		return qoc_web_internal_error(req, resp, err);
	}
	if (wait > 0) {
		qoc_metrics_signin(QOC_METRICS_SIGNIN_THROTTLED);
		return signin_page(req, resp, api, &j->b, &j->p, j->email, false, wait);
	}
	/* On an error the reservations are given back when the request's arena goes. */
	if ((err = find_account(req, api, j)) || (err = qoc_http_offload(req, verify_work, j))) {
		qoc_metrics_signin(QOC_METRICS_SIGNIN_ERROR);
		return qoc_web_internal_error(req, resp, err);
	}
	return QOC_EPENDING;
}
