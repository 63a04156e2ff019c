/* web.c - pages, cookies and pending requests shared by the browser-side handlers. */
#include "api/web.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "api/backchannel.h"
#include "api/capture.h"
#include "crypto/token.h"
#include "http/cookie.h"
#include "login/csrf.h"
#include "core/form.h"
#include "oauth/pending.h"

/* ---- pages ---------------------------------------------------------------------------- */

enum qoc_err qoc_web_send_page(struct qoc_http_resp *resp, unsigned status,
                               const struct qoc_buf *page)
{
	enum qoc_err err = qoc_http_resp_html(resp, status, qoc_buf_cstr(page));
	if (err)
		return err;
	return qoc_http_resp_header(resp, "Cache-Control", "no-store");
}

enum qoc_err qoc_web_error_page(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                enum qoc_login_error_kind kind, const char *detail,
                                int64_t retry_after)
{
	struct qoc_buf page;
	qoc_buf_init(&page, QOC_WEB_PAGE_MAX);
	struct qoc_login_error in = {.kind = kind,
	                             .retry_after = retry_after,
	                             .detail = detail,
	                             .request_id = req->request_id[0] ? req->request_id : NULL};
	enum qoc_err err = qoc_login_render_error(&page, &in);
	if (err)
		goto out;
	if ((err = qoc_web_send_page(resp, qoc_login_error_status(kind), &page)))
		goto out;
	if (retry_after > 0) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%lld", (long long)retry_after);
		err = qoc_http_resp_header(resp, "Retry-After", secs);
	}
out:
	qoc_buf_release(&page);
	return err;
}

enum qoc_err qoc_web_internal_error(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    enum qoc_err cause)
{
	if (cause == QOC_ENOMEM)
		return cause;
	enum qoc_err err = qoc_web_error_page(req, resp, QOC_LOGIN_ERR_GENERIC, NULL, 0);
	if (err)
		return cause;
	resp->status = cause == QOC_EBUSY ? 503 : 500;
	if (cause == QOC_EBUSY) /* the store was busy or restarting: worth a retry */
		(void)qoc_http_resp_header(resp, "Retry-After", "1");
	return QOC_OK;
}

/* ---- cookies -------------------------------------------------------------------------- */

/* Our cookie values: qoc_token_new("", 32), 43 base64url characters. */
static bool cookie_value_ok(const char *v)
{
	if (!v || strlen(v) != 43)
		return false;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

/* The value of cookie name when the request has exactly one and it is well-formed. */
static const char *our_cookie(struct qoc_http_req *req, const char *name)
{
	const char *v = qoc_http_cookie(req, name);
	if (!v || !cookie_value_ok(v))
		return NULL;
	return qoc_http_cookie_count(req, name) == 1 ? v : NULL;
}

/* A new random cookie value in the arena. */
static enum qoc_err new_cookie_value(struct qoc_arena *a, const char **out)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 128);
	enum qoc_err err = qoc_token_new("", 32, &b);
	if (!err && !(*out = qoc_arena_strdup(a, qoc_buf_cstr(&b))))
		err = QOC_ENOMEM;
	qoc_buf_release_secret(&b);
	return err;
}

static struct qoc_cookie_opts cookie_opts(const struct qoc_api *api, int64_t max_age)
{
	struct qoc_cookie_opts o = QOC_COOKIE_OPTS_DEFAULT;
	o.secure = api->secure_cookies;
	o.max_age = max_age;
	return o;
}

enum qoc_err qoc_web_browser(struct qoc_http_req *req, struct qoc_http_resp *resp,
                             const struct qoc_api *api, bool create, struct qoc_web_browser *b)
{
	memset(b, 0, sizeof(*b));
	b->id = our_cookie(req, QOC_CSRF_BROWSER_COOKIE);
	if (!b->id && create) {
		enum qoc_err err = new_cookie_value(req->arena, &b->id);
		struct qoc_cookie_opts o = cookie_opts(api, QOC_COOKIE_SESSION);
		if (!err)
			err = qoc_http_resp_set_cookie(resp, QOC_CSRF_BROWSER_COOKIE, b->id, &o);
		if (err) {
			b->id = NULL;
			return err;
		}
		b->fresh = true;
	}
	return b->id ? qoc_token_hash(b->id, strlen(b->id), b->hash) : QOC_OK;
}

enum qoc_err qoc_web_session(struct qoc_http_req *req, const struct qoc_api *api,
                             struct qoc_sso_session *out, char cookie_hash[QOC_TOKEN_HASH_LEN + 1])
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	if (cookie_hash)
		cookie_hash[0] = '\0';
	const char *v = our_cookie(req, QOC_WEB_SSO_COOKIE);
	if (!v)
		return QOC_ENOTFOUND;
	enum qoc_err err = qoc_token_hash(v, strlen(v), hash);
	if (err)
		return err;
	if (cookie_hash)
		memcpy(cookie_hash, hash, sizeof(hash));
	return qoc_store_session_get(api->store, req->arena, hash, qoc_clock_now(api->clock), out);
}

/* A random public id (sid, family id): 128 bits, base64url. */
static enum qoc_err new_public_id(struct qoc_arena *a, const char **out)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 64);
	enum qoc_err err = qoc_token_new("", 16, &b);
	if (!err && !(*out = qoc_arena_strdup(a, qoc_buf_cstr(&b))))
		err = QOC_ENOMEM;
	qoc_buf_release(&b);
	return err;
}

enum qoc_err qoc_web_session_rotate(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const struct qoc_api *api, const char *account_id,
                                    struct qoc_sso_session *out)
{
	struct qoc_sso_session old;
	char old_hash[QOC_TOKEN_HASH_LEN + 1];
	char *id_hash = qoc_arena_alloc(req->arena, QOC_TOKEN_HASH_LEN + 1);
	const char *value = NULL, *sid = NULL;
	int64_t now = qoc_clock_now(api->clock);
	enum qoc_err err = id_hash ? QOC_OK : QOC_ENOMEM;
	if (err || (err = new_cookie_value(req->arena, &value)) ||
	    (err = new_public_id(req->arena, &sid)) ||
	    (err = qoc_token_hash(value, strlen(value), id_hash)))
		return err;
	*out = (struct qoc_sso_session){.id_hash = id_hash,
	                                .sid = sid,
	                                .account_id = account_id,
	                                .auth_time = now,
	                                .created_at = now,
	                                .expires_at = now + QOC_WEB_SESSION_LIFETIME};
	if ((err = qoc_store_session_create(api->store, out)))
		return err;
	/* Rotation (SECURITY.md "Session IDs rotate at login"): the old session dies. */
	enum qoc_err e = qoc_web_session(req, api, &old, old_hash);
	if (old_hash[0] && e != QOC_ENOMEM)
		(void)qoc_store_session_delete(api->store, old_hash);
	struct qoc_cookie_opts o = cookie_opts(api, QOC_WEB_SESSION_LIFETIME);
	return qoc_http_resp_set_cookie(resp, QOC_WEB_SSO_COOKIE, value, &o);
}

enum qoc_err qoc_web_session_end(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                 const struct qoc_api *api, const char *sid)
{
	struct qoc_sso_session s;
	char hash[QOC_TOKEN_HASH_LEN + 1];
	enum qoc_err err = qoc_web_session(req, api, &s, hash);
	if (err == QOC_ENOMEM)
		return err;
	if (hash[0] && (err = qoc_store_session_delete(api->store, hash)) && err != QOC_ENOTFOUND)
		return err;
	if (sid && (err = qoc_store_session_delete_by_sid(api->store, sid)) && err != QOC_ENOTFOUND)
		return err;
	struct qoc_cookie_opts o = cookie_opts(api, QOC_COOKIE_DELETE);
	return qoc_http_resp_set_cookie(resp, QOC_WEB_SSO_COOKIE, "", &o);
}

/* ---- pending requests ----------------------------------------------------------------- */

enum qoc_err qoc_web_pending_load(struct qoc_http_req *req, const struct qoc_api *api,
                                  const struct qoc_web_browser *b, const char *handle,
                                  struct qoc_web_pending *out)
{
	memset(out, 0, sizeof(*out));
	if (!b->id || !cookie_value_ok(handle))
		return QOC_ENOTFOUND;
	out->handle = handle;
	int64_t now = qoc_clock_now(api->clock);
	enum qoc_err err = qoc_token_hash(handle, strlen(handle), out->handle_hash);
	if (err || (err = qoc_store_authreq_get(api->store, req->arena, out->handle_hash, b->hash,
	                                        now, &out->row)))
		return err;
	err = qoc_pending_decode(out->row.params, out->row.client_id, req->arena, &out->req);
	if (err)
		return err == QOC_ENOMEM ? err : QOC_ENOTFOUND;
	if ((err = qoc_store_client_get(api->store, req->arena, out->row.client_id, &out->app)))
		return err;
	/* Suspended or disabled meanwhile: takes effect on the next request (issue 3). */
	if (!out->app.status || strcmp(out->app.status, "active") != 0)
		return QOC_ENOTFOUND;
	return QOC_OK;
}

/* The key the per-address bound counts under: the client address, an IPv6 one cut to its
 * /64 (one subscriber gets a whole /64, so its 2^64 addresses are one). "" when unknown. */
static void addr_key(const struct qoc_api *api, const struct qoc_http_req *req,
                     char out[QOC_AN_ADDR_MAX + 4])
{
	char addr[QOC_AN_ADDR_MAX];
	unsigned char ip6[16];
	qoc_api_client_addr(api, req, addr);
	if (!strchr(addr, ':') || inet_pton(AF_INET6, addr, ip6) != 1) {
		memcpy(out, addr, sizeof(addr));
		return;
	}
	memset(ip6 + 8, 0, 8);
	if (!inet_ntop(AF_INET6, ip6, out, QOC_AN_ADDR_MAX))
		out[0] = '\0';
	else
		memcpy(out + strlen(out), "/64", 4); /* out has 4 bytes beyond QOC_AN_ADDR_MAX */
}

enum qoc_err qoc_web_pending_create(struct qoc_http_req *req, const struct qoc_api *api,
                                    const struct qoc_web_browser *b,
                                    const struct qoc_authz_request *r, const char *account_id,
                                    int64_t auth_time, const char **handle)
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	char addr[QOC_AN_ADDR_MAX + 4];
	const char *params = NULL;
	int64_t now = qoc_clock_now(api->clock);
	enum qoc_err err;
	addr_key(api, req, addr);
	if ((err = new_cookie_value(req->arena, handle)) ||
	    (err = qoc_token_hash(*handle, strlen(*handle), hash)) ||
	    (err = qoc_pending_encode(r, req->arena, &params)))
		return err;
	struct qoc_auth_request row = {.handle_hash = hash,
	                               .browser_hash = b->hash,
	                               .client_id = r->client_id,
	                               .params = params,
	                               .created_at = now,
	                               .expires_at = now + QOC_WEB_AUTHREQ_LIFETIME,
	                               /* Bounded (issue 13): /authorize needs no credentials. */
	                               .addr = addr[0] ? addr : NULL,
	                               .keep_per_browser = api->cfg->pending_per_browser,
	                               .keep_per_addr = api->cfg->pending_per_address};
	if ((err = qoc_store_authreq_create(api->store, &row)) || !account_id)
		return err;
	return qoc_store_authreq_set_account(api->store, hash, b->hash, account_id, auth_time, now);
}

const char *qoc_web_handle_url(struct qoc_arena *a, const char *path, const char *handle)
{
	/* Handles are base64url: nothing to escape in a query. */
	return qoc_arena_printf(a, "%s?handle=%s", path, handle);
}

/* ---- the forms ------------------------------------------------------------------------ */

/* Sets the answer for a request that cannot go on: *err and false. */
static bool stop(struct qoc_http_req *req, struct qoc_http_resp *resp, enum qoc_err cause,
                 enum qoc_err *err)
{
	if (cause == QOC_ENOTFOUND)
		*err = qoc_web_error_page(req, resp, QOC_LOGIN_ERR_EXPIRED, NULL, 0);
	else
		*err = qoc_web_internal_error(req, resp, cause);
	return false;
}

bool qoc_web_form_start(struct qoc_http_req *req, struct qoc_http_resp *resp,
                        const struct qoc_api *api, const char *csrf_purpose, struct qoc_form *form,
                        struct qoc_web_browser *b, struct qoc_web_pending *p, enum qoc_err *err)
{
	struct qoc_form query;
	const char *csrf = NULL, *handle = NULL;
	enum qoc_err e = qoc_web_browser(req, resp, api, true, b);
	if (e)
		return stop(req, resp, e, err);
	if (!csrf_purpose) {
		if ((e = qoc_http_form_query(req, &query)) == QOC_ENOMEM)
			return stop(req, resp, e, err);
		if (e || qoc_form_get(&query, "handle", &handle) != QOC_OK)
			return stop(req, resp, QOC_ENOTFOUND, err);
	} else {
		/* A browser that had no binding cannot hold a token for it. */
		if (b->fresh)
			return stop(req, resp, QOC_ENOTFOUND, err);
		if ((e = qoc_http_form_body(req, form)) == QOC_ENOMEM)
			return stop(req, resp, e, err);
		if (e || qoc_form_get(form, "csrf", &csrf) != QOC_OK ||
		    !qoc_csrf_check(api->csrf_key, b->id, csrf_purpose, csrf) ||
		    qoc_form_get(form, "handle", &handle) != QOC_OK)
			return stop(req, resp, QOC_ENOTFOUND, err);
	}
	if ((e = qoc_web_pending_load(req, api, b, handle, p)))
		return stop(req, resp, e, err);
	return true;
}

enum qoc_err qoc_web_signed_in(struct qoc_http_req *req, struct qoc_http_resp *resp,
                               const struct qoc_api *api, const struct qoc_web_browser *b,
                               struct qoc_web_pending *p, const char *account_id)
{
	struct qoc_sso_session s;
	int64_t now = qoc_clock_now(api->clock);
	enum qoc_err err = qoc_web_session_rotate(req, resp, api, account_id, &s);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	err = qoc_store_authreq_set_account(api->store, p->handle_hash, b->hash, account_id,
	                                    s.auth_time, now);
	if (err == QOC_ENOTFOUND) /* expired meanwhile: signed in all the same */
		return qoc_web_error_page(req, resp, QOC_LOGIN_ERR_EXPIRED, NULL, 0);
	if (err)
		return qoc_web_internal_error(req, resp, err);
	struct qoc_web_grant g = {.account_id = account_id, .auth_time = s.auth_time, .sid = s.sid};
	return qoc_web_authz_continue(req, resp, api, b, p, &g);
}
