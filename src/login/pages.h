/* pages.h - the QOC Login pages, rendered into a buffer from plain structs.
 *
 * Server-rendered HTML that works without JavaScript and in a text browser (issue 3):
 * sign-in, sign-up, consent, error, logout confirmation, signed-out, and the form_post
 * response (OAuth 2.0 Form Post Response Mode). No routing and no store here: a handler
 * gathers the inputs, calls a qoc_login_render_* function and sends the buffer with
 * qoc_http_resp_html (which adds the CSP and the other security headers).
 *
 * Inputs: every string is borrowed, NUL-terminated and may be NULL ("absent") unless a
 * comment says otherwise; every one of them is escaped on output (html.h), so they may
 * hold anything a request sent. Forms that change state refuse to render without a CSRF
 * token (QOC_EINVAL): a form that would fail its own check is a bug, not a page.
 *
 * Output: appended to `out`. On error `out` holds a partial page: discard it. Errors are
 * QOC_EINVAL (a required input is missing), QOC_ELIMIT (out's maximum), QOC_ENOMEM.
 */
#ifndef QOC_LOGIN_PAGES_H
#define QOC_LOGIN_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "login/html.h"

/* Where the forms post and the links point, unless a page's `action` says otherwise.
 * api/routes.c serves them (logout is the end_session_endpoint). */
#define QOC_LOGIN_PATH_SIGNIN "/login"
#define QOC_LOGIN_PATH_SIGNUP "/login/signup"
#define QOC_LOGIN_PATH_CONSENT "/login/consent"
#define QOC_LOGIN_PATH_LOGOUT "/oauth2/logout"
#define QOC_LOGIN_PATH_CSS QOC_HTML_CSS_PATH
#define QOC_LOGIN_PATH_AUTOSUBMIT "/login/static/autosubmit.js"

/* The stylesheet (text/css) and the form_post auto-submit script (text/javascript),
 * served at the two paths above with long-lived caching. The script is same-origin, so
 * the pages' CSP (default-src 'self', hence script-src 'self') allows it and nothing
 * inline. */
extern const char qoc_login_css[];
extern const char qoc_login_autosubmit_js[];

/* The sign-in page. Any failure shows the one message "Wrong email or password."
 * (SECURITY.md "Passwords": the same answer for an unknown account). */
struct qoc_login_signin {
	const char *action;   /* NULL: QOC_LOGIN_PATH_SIGNIN */
	const char *app_name; /* heading "Sign in to {app_name}"; NULL: "Sign in to QOC" */
	const char *csrf;     /* required */
	const char *handle;   /* pending authorization request; NULL: no hidden field */
	const char *email;    /* pre-filled: login_hint, or what was typed before */
	bool failed;          /* the last attempt failed */
	int64_t retry_after;  /* > 0: throttled, "Too many attempts. Try again in ..." */
	bool signup_enabled;  /* show "Create an account" (QOC_LOGIN_PATH_SIGNUP?handle=) */
};
enum qoc_err qoc_login_render_signin(struct qoc_buf *out, const struct qoc_login_signin *in);

/* The sign-up page. Field errors are shown beside their field and tied to it with
 * aria-describedby; the password is never echoed back. */
struct qoc_login_signup {
	const char *action;   /* NULL: QOC_LOGIN_PATH_SIGNUP */
	const char *app_name; /* NULL: "QOC" */
	const char *csrf;     /* required */
	const char *handle;   /* NULL: no hidden field */
	const char *name;     /* re-filled after an error */
	const char *email;
	const char *name_error; /* messages shown beside their field */
	const char *email_error;
	const char *password_error;
	const char *error; /* a message about the whole form (role="alert") */
};
enum qoc_err qoc_login_render_signup(struct qoc_buf *out, const struct qoc_login_signup *in);

/* The consent page: "{app} wants to" and the scopes in plain words, who is signed in,
 * and one form with two submit buttons name="decision" value="allow" / value="deny". */
struct qoc_login_consent {
	const char *action;        /* NULL: QOC_LOGIN_PATH_CONSENT */
	const char *csrf;          /* required */
	const char *handle;        /* required: what is being approved */
	const char *app_name;      /* required */
	const char *client_id;     /* for the icon URL; an icon is shown only when it has the
	                            * client id form (qoc_token_client_id_valid) */
	bool app_has_icon;         /* <img src="/api/v1/applications/{client_id}/icon" alt=""> */
	const char *scope;         /* the requested scopes, space-separated as in the request */
	const char *account_name;  /* "Signed in as {name} ({email})" */
	const char *account_email; /* required */
	/* The team that registered the application ("Registered by the team {name}"), so a
	 * user can tell a look-alike name from the real thing (issue 13); NULL: not shown. */
	const char *team_name;
};
enum qoc_err qoc_login_render_consent(struct qoc_buf *out, const struct qoc_login_consent *in);

/* The plain-words description of a scope ("email" -> "Your email address"), or NULL
 * for a scope QOC does not describe (the page then shows its name). */
const char *qoc_login_scope_description(const char *scope);

enum qoc_login_error_kind {
	QOC_LOGIN_ERR_GENERIC = 0,       /* 400 "Something went wrong" */
	QOC_LOGIN_ERR_UNKNOWN_APP,       /* 400: client_id missing or not registered */
	QOC_LOGIN_ERR_APP_UNAVAILABLE,   /* 403: inactive or suspended application */
	QOC_LOGIN_ERR_REDIRECT_URI,      /* 400: redirect_uri not registered (never redirect) */
	QOC_LOGIN_ERR_EXPIRED,           /* 403: pending request expired/used, CSRF failed */
	QOC_LOGIN_ERR_TOO_MANY_ATTEMPTS, /* 429: throttled; says when to retry */
	QOC_LOGIN_ERR_KIND_COUNT
};

struct qoc_login_error {
	enum qoc_login_error_kind kind; /* out of range: GENERIC */
	int64_t retry_after;            /* TOO_MANY_ATTEMPTS: seconds (<= 0: "later") */
	const char *detail;             /* optional extra words, shown escaped (may quote input) */
	const char *request_id;         /* optional, shown as "Reference: ..." for support */
};
enum qoc_err qoc_login_render_error(struct qoc_buf *out, const struct qoc_login_error *in);
/* The HTTP status that goes with the page (see the enum). */
unsigned qoc_login_error_status(enum qoc_login_error_kind kind);

/* RP-initiated logout without a valid id_token_hint: "Sign out of QOC?" and a POST
 * form. On confirmation the handler ends the session and shows the signed-out page; it
 * never redirects without a valid hint (SECURITY.md "Logout redirects only ..."). */
struct qoc_login_logout {
	const char *action;   /* NULL: QOC_LOGIN_PATH_LOGOUT */
	const char *csrf;     /* required */
	const char *handle;   /* optional pending logout request; NULL: no hidden field */
	const char *app_name; /* optional: "{app_name} asked to sign you out." */
};
enum qoc_err qoc_login_render_logout(struct qoc_buf *out, const struct qoc_login_logout *in);
/* "You are signed out." app_name optional as above. */
enum qoc_err qoc_login_render_signed_out(struct qoc_buf *out, const char *app_name);

/* One field of a form_post response. A NULL value leaves the field out. */
struct qoc_login_field {
	const char *name;
	const char *value;
};

/* The OAuth 2.0 Form Post Response Mode page: <form method="post" action="{redirect_uri}">
 * with one hidden input per field and a visible "Continue" button, plus a reference to
 * the same-origin auto-submit script (the page works without it).
 * redirect_uri is required and must already be validated against the registration; as a
 * last guard, one whose scheme is javascript:, data:, vbscript: or file: (any case,
 * leading whitespace) or that has no scheme is QOC_EINVAL. */
enum qoc_err qoc_login_render_form_post(struct qoc_buf *out, const char *redirect_uri,
                                        const struct qoc_login_field *fields, size_t count);

#endif
