/* web.h - what the browser-side handlers of QOC Login share (authorize.c, login.c,
 * signup.c, consent.c, logout.c): pages with the right headers, the browser-binding and
 * SSO cookies, the pending authorization request, and the authorization response.
 *
 * Cookies (SECURITY.md "Browser and console": HttpOnly, SameSite=Lax, Secure when the
 * issuer is https):
 *   qoc_b    the browser binding (login/csrf.h): 256 random bits, a session cookie, set by
 *            the first page that needs it. Authenticates nothing.
 *   qoc_sso  the SSO session: 256 random bits; the store keeps its hash. Made anew at every
 *            sign-in (the old session is deleted: rotation), Max-Age the session lifetime.
 * A cookie that is not exactly one 43-character base64url value counts as absent.
 *
 * Every HTML answer goes through qoc_web_send_page: qoc_http_resp_html (CSP and the other
 * security headers) plus Cache-Control: no-store.
 */
#ifndef QOC_API_WEB_H
#define QOC_API_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "core/buf.h"
#include "crypto/token.h"
#include "http/http.h"
#include "login/pages.h"
#include "oauth/authorize.h"
#include "store/store_oauth.h"

#define QOC_WEB_SSO_COOKIE "qoc_sso"
/* SSO session lifetime, seconds (14 days; not configurable yet). */
#define QOC_WEB_SESSION_LIFETIME (14 * 24 * 3600)
/* A pending authorization request lives this long (sign-in and consent must fit). */
#define QOC_WEB_AUTHREQ_LIFETIME 600
/* SECURITY.md "Codes, PKCE, tokens": codes <= 60 s. */
#define QOC_WEB_CODE_LIFETIME 60
/* Largest page or Location we build. */
#define QOC_WEB_PAGE_MAX (256u * 1024)
#define QOC_WEB_LOCATION_MAX (32u * 1024)

/* ---- pages ---- */

/* Sends page with status as HTML with the security headers and Cache-Control: no-store. */
enum qoc_err qoc_web_send_page(struct qoc_http_resp *resp, unsigned status,
                               const struct qoc_buf *page);
/* The error page of kind (its status), with detail (static words; may be NULL) and the
 * request id for support. retry_after > 0 also sets the Retry-After header. */
enum qoc_err qoc_web_error_page(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                enum qoc_login_error_kind kind, const char *detail,
                                int64_t retry_after);
/* An internal failure (cause): QOC_ENOMEM is returned as is (the server answers 503);
 * anything else is the generic error page with status 500 (503 for QOC_EBUSY). */
enum qoc_err qoc_web_internal_error(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    enum qoc_err cause);

/* ---- cookies ---- */

struct qoc_web_browser {
	const char *id;                    /* the qoc_b value (arena); NULL: none */
	char hash[QOC_TOKEN_HASH_LEN + 1]; /* qoc_token_hash(id) when id is set */
	bool fresh;                        /* made by this request (the browser had none) */
};

/* Reads qoc_b. Without a valid one and create set, makes a new one and adds its
 * Set-Cookie to resp (b->fresh). Without one and create clear, b->id is NULL. */
enum qoc_err qoc_web_browser(struct qoc_http_req *req, struct qoc_http_resp *resp,
                             const struct qoc_api *api, bool create, struct qoc_web_browser *b);

/* The live SSO session of the qoc_sso cookie in *out; QOC_ENOTFOUND when there is no valid
 * cookie or no live session. cookie_hash (may be NULL) gets the cookie's hash whenever the
 * cookie is well-formed (to delete the session), "" otherwise. */
enum qoc_err qoc_web_session(struct qoc_http_req *req, const struct qoc_api *api,
                             struct qoc_sso_session *out, char cookie_hash[QOC_TOKEN_HASH_LEN + 1]);

/* Signs account_id in: a new session (new cookie value, new sid, auth_time now), the old
 * one (this browser's qoc_sso, if any) deleted, qoc_sso set on resp. *out is the new
 * session (arena strings). */
enum qoc_err qoc_web_session_rotate(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const struct qoc_api *api, const char *account_id,
                                    struct qoc_sso_session *out);

/* Ends this browser's SSO session (and the one named by sid, when not NULL) and clears the
 * cookie. Sessions already gone are fine. */
enum qoc_err qoc_web_session_end(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                 const struct qoc_api *api, const char *sid);

/* ---- the pending authorization request ---- */

/* A stored request, decoded. */
struct qoc_web_pending {
	const char *handle; /* as presented (arena) */
	char handle_hash[QOC_TOKEN_HASH_LEN + 1];
	struct qoc_auth_request row;
	struct qoc_authz_request req; /* decoded params */
	struct qoc_app app;           /* the application, fetched again */
};

/* Loads the pending request `handle` for browser b: QOC_ENOTFOUND when the handle is
 * malformed, unknown, expired, another browser's, its params do not decode, or its
 * application is gone or no longer active. */
enum qoc_err qoc_web_pending_load(struct qoc_http_req *req, const struct qoc_api *api,
                                  const struct qoc_web_browser *b, const char *handle,
                                  struct qoc_web_pending *out);

/* Stores r for browser b as a new pending request; *handle (arena) is its new handle.
 * account_id (may be NULL): the request is already signed in (authreq_set_account with
 * auth_time), for the consent page. */
enum qoc_err qoc_web_pending_create(struct qoc_http_req *req, const struct qoc_api *api,
                                    const struct qoc_web_browser *b,
                                    const struct qoc_authz_request *r, const char *account_id,
                                    int64_t auth_time, const char **handle);

/* The common start of the sign-in, sign-up and consent handlers.
 * GET (csrf_purpose NULL): the browser binding (made when absent), the handle from the
 *   query, the pending request.
 * POST: the browser binding (absent: a new one and the "expired" page), the form body,
 *   the CSRF token for csrf_purpose checked before anything else of the form is read,
 *   the handle from the form, the pending request.
 * true: go on (*form filled for POST; form may be NULL for GET). false: the answer is set
 * and *err is what the handler returns. */
bool qoc_web_form_start(struct qoc_http_req *req, struct qoc_http_resp *resp,
                        const struct qoc_api *api, const char *csrf_purpose, struct qoc_form *form,
                        struct qoc_web_browser *b, struct qoc_web_pending *p, enum qoc_err *err);

/* After a successful sign-in or sign-up of account_id on p: rotates the SSO session, binds
 * the account to the request, and goes on (qoc_web_authz_continue). */
enum qoc_err qoc_web_signed_in(struct qoc_http_req *req, struct qoc_http_resp *resp,
                               const struct qoc_api *api, const struct qoc_web_browser *b,
                               struct qoc_web_pending *p, const char *account_id);

/* "path?handle=H" (arena), for the sign-in and consent pages. */
const char *qoc_web_handle_url(struct qoc_arena *a, const char *path, const char *handle);

/* ---- the authorization response (complete.c) ---- */

/* Sends error code (QOC_OAUTH_*) with description to r's redirect URI in r's response
 * mode, with state and iss (RFC 6749 §4.1.2.1, RFC 9207). */
enum qoc_err qoc_web_authz_error(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                 const struct qoc_api *api, const struct qoc_authz_request *r,
                                 const char *code, const char *description);

/* Who the response is for. */
struct qoc_web_grant {
	const char *account_id;
	int64_t auth_time;
	const char *sid; /* the SSO session's sid */
};

/* Issues what r asks for (a code, or the implicit tokens) to g and sends it; notes the
 * application as used. The pending request, if any, must already be taken. */
enum qoc_err qoc_web_authz_complete(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const struct qoc_api *api, const struct qoc_app *app,
                                    const struct qoc_authz_request *r,
                                    const struct qoc_web_grant *g);

/* After a sign-in on pending request p (already bound to the account): 303 to the consent
 * page when consent is missing, else takes the request and completes it. */
enum qoc_err qoc_web_authz_continue(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    const struct qoc_api *api, const struct qoc_web_browser *b,
                                    struct qoc_web_pending *p, const struct qoc_web_grant *g);

/* HOOK: implicit response types need oauth/issue.c (token minting), which is being written
 * on another branch. Until it is merged this answers false and the authorization endpoint
 * offers no implicit response type (unsupported_response_type). */
bool qoc_web_implicit_available(void);

#endif
