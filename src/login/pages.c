/* pages.c - the QOC Login pages (see pages.h).
 *
 * Markup is written as literal templates through qoc_html_fmt, whose only conversion
 * (%s) escapes its argument; literal attribute snippets of ours are appended raw. Buttons
 * carry no class so that the decision buttons read exactly as the issue spells them; the
 * stylesheet styles them by attribute.
 */
#include "login/pages.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "console/accounts.h"
#include "crypto/token.h"
#include "login/html.h"

#define STR2(x) #x
#define STR(x) STR2(x)

/* ---- pieces shared by the pages ---- */

static enum qoc_err hidden(struct qoc_buf *b, const char *name, const char *value)
{
	if (!value)
		return QOC_OK;
	return qoc_html_fmt(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", name, value);
}

static enum qoc_err alert(struct qoc_buf *b, const char *message)
{
	if (!message)
		return QOC_OK;
	return qoc_html_fmt(b, "<div class=\"alert\" id=\"form-error\" role=\"alert\">%s</div>\n",
	                    message);
}

/* "30 seconds", "1 minute", "4 minutes", "2 hours": rounded up, in out. */
static const char *wait_words(int64_t s, char *out, size_t size)
{
	int64_t n = s;
	const char *unit = "second";
	if (s > 3600) {
		n = (s + 3599) / 3600;
		unit = "hour";
	} else if (s > 60) {
		n = (s + 59) / 60;
		unit = "minute";
	} else if (s < 1) {
		n = 1;
	}
	snprintf(out, size, "%" PRId64 " %s%s", n, unit, n == 1 ? "" : "s");
	return out;
}

/* A labelled input. id is also its name. error and hint are tied to the input with
 * aria-describedby; extra is literal markup of ours (attributes), appended unescaped. */
struct field {
	const char *id;
	const char *label;
	const char *type;
	const char *autocomplete;
	const char *value; /* NULL: no value attribute (passwords) */
	const char *hint;
	const char *error;
	const char *extra;
};

static enum qoc_err field(struct qoc_buf *b, const struct field *f)
{
	enum qoc_err err = qoc_html_fmt(b, "<div class=\"field\">\n<label for=\"%s\">%s</label>\n",
	                                f->id, f->label);
	if (!err && f->hint)
		err = qoc_html_fmt(b, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", f->id, f->hint);
	if (!err)
		err = qoc_html_fmt(b,
		                   "<input id=\"%s\" name=\"%s\" type=\"%s\" autocomplete=\"%s\" "
		                   "required",
		                   f->id, f->id, f->type, f->autocomplete);
	if (!err && f->value)
		err = qoc_html_fmt(b, " value=\"%s\"", f->value);
	if (!err && (f->hint || f->error))
		err = qoc_html_fmt(b, " aria-describedby=\"%s%s%s%s%s\"", f->hint ? f->id : NULL,
		                   f->hint ? "-hint" : NULL, f->hint && f->error ? " " : NULL,
		                   f->error ? f->id : NULL, f->error ? "-error" : NULL);
	if (!err && f->error)
		err = qoc_buf_append_cstr(b, " aria-invalid=\"true\"");
	if (!err && f->extra)
		err = qoc_buf_append_cstr(b, f->extra);
	if (!err)
		err = qoc_buf_append_cstr(b, ">\n");
	if (!err && f->error)
		err = qoc_html_fmt(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>\n", f->id,
		                   f->error);
	if (!err)
		err = qoc_buf_append_cstr(b, "</div>\n");
	return err;
}

/* <a href="{path}?handle={handle}">{text}</a> with the handle percent-encoded. */
static enum qoc_err link_with_handle(struct qoc_buf *b, const char *path, const char *handle,
                                     const char *text)
{
	enum qoc_err err = qoc_html_fmt(b, "<a href=\"%s", path);
	if (!err && handle && handle[0]) {
		err = qoc_buf_append_cstr(b, "?handle=");
		if (!err)
			err = qoc_html_url_component(b, handle);
	}
	if (!err)
		err = qoc_html_fmt(b, "\">%s</a>", text);
	return err;
}

static enum qoc_err form_begin(struct qoc_buf *b, const char *action, const char *csrf,
                               const char *handle)
{
	enum qoc_err err = qoc_html_fmt(b, "<form method=\"post\" action=\"%s\">\n", action);
	if (!err)
		err = hidden(b, "csrf", csrf);
	if (!err)
		err = hidden(b, "handle", handle);
	return err;
}

/* ---- sign-in ---- */

static const char wrong_credentials[] = "Wrong email or password.";

/* The one message of a failed or throttled attempt, or nothing. */
static enum qoc_err signin_alert(struct qoc_buf *out, const struct qoc_login_signin *in)
{
	char wait[64];
	if (in->retry_after > 0)
		return qoc_html_fmt(
		    out,
		    "<div class=\"alert\" id=\"form-error\" role=\"alert\">Too many "
		    "attempts. Try again in %s.</div>\n",
		    wait_words(in->retry_after, wait, sizeof wait));
	/* SECURITY.md Passwords: one answer for an unknown account and a wrong password. */
	return in->failed ? alert(out, wrong_credentials) : QOC_OK;
}

enum qoc_err qoc_login_render_signin(struct qoc_buf *out, const struct qoc_login_signin *in)
{
	if (!in->csrf || !in->csrf[0])
		return QOC_EINVAL;
	/* Focus the first field to fill: the password when the email is known. */
	bool have_email = in->email && in->email[0];
	const struct field email = {
	    .id = "email",
	    .label = "Email",
	    .type = "email",
	    .autocomplete = "username",
	    .value = in->email ? in->email : "",
	    .extra = have_email ? " maxlength=\"" STR(QOC_EMAIL_MAX) "\""
	                        : " maxlength=\"" STR(QOC_EMAIL_MAX) "\" autofocus",
	};
	const struct field password = {
	    .id = "password",
	    .label = "Password",
	    .type = "password",
	    .autocomplete = "current-password",
	    .extra = have_email ? " maxlength=\"" STR(QOC_PASSWORD_MAX) "\" autofocus"
	                        : " maxlength=\"" STR(QOC_PASSWORD_MAX) "\"",
	};
	enum qoc_err err = qoc_html_page_begin(out, "Sign in");
	if (!err)
		err = qoc_html_fmt(out, "<h1>Sign in to %s</h1>\n",
		                   in->app_name && in->app_name[0] ? in->app_name : "QOC");
	if (!err)
		err = signin_alert(out, in);
	if (!err)
		err = form_begin(out, in->action ? in->action : QOC_LOGIN_PATH_SIGNIN, in->csrf,
		                 in->handle);
	if (!err)
		err = field(out, &email);
	if (!err)
		err = field(out, &password);
	if (!err)
		err =
		    qoc_buf_append_cstr(out, "<div class=\"actions\"><button type=\"submit\">Sign "
		                             "in</button></div>\n</form>\n");
	if (!err && in->signup_enabled) {
		err = qoc_buf_append_cstr(out, "<p class=\"alt\">New to QOC? ");
		if (!err)
			err = link_with_handle(out, QOC_LOGIN_PATH_SIGNUP, in->handle,
			                       "Create an account");
		if (!err)
			err = qoc_buf_append_cstr(out, "</p>\n");
	}
	if (!err)
		err = qoc_html_page_end(out, NULL);
	return err;
}

/* ---- sign-up ---- */

/* Name, email and password, each with its error beside it. */
static enum qoc_err signup_fields(struct qoc_buf *out, const struct qoc_login_signup *in)
{
	const struct field name = {
	    .id = "name",
	    .label = "Name",
	    .type = "text",
	    .autocomplete = "name",
	    .value = in->name ? in->name : "",
	    .error = in->name_error,
	    .extra = " maxlength=\"" STR(QOC_NAME_MAX) "\" autofocus",
	};
	const struct field email = {
	    .id = "email",
	    .label = "Email",
	    .type = "email",
	    .autocomplete = "username",
	    .value = in->email ? in->email : "",
	    .error = in->email_error,
	    .extra = " maxlength=\"" STR(QOC_EMAIL_MAX) "\"",
	};
	const struct field password = {
	    .id = "password",
	    .label = "Password",
	    .type = "password",
	    .autocomplete = "new-password",
	    .hint = "At least " STR(QOC_PASSWORD_MIN) " characters.",
	    .error = in->password_error,
	    .extra =
	        " minlength=\"" STR(QOC_PASSWORD_MIN) "\" maxlength=\"" STR(QOC_PASSWORD_MAX) "\"",
	};
	enum qoc_err err = field(out, &name);
	if (!err)
		err = field(out, &email);
	if (!err)
		err = field(out, &password);
	return err;
}

enum qoc_err qoc_login_render_signup(struct qoc_buf *out, const struct qoc_login_signup *in)
{
	if (!in->csrf || !in->csrf[0])
		return QOC_EINVAL;
	enum qoc_err err = qoc_html_page_begin(out, "Create an account");
	if (!err)
		err = qoc_buf_append_cstr(out, "<h1>Create your QOC account</h1>\n");
	if (!err && in->app_name && in->app_name[0])
		err = qoc_html_fmt(out, "<p class=\"lead\">to continue to %s</p>\n", in->app_name);
	if (!err)
		err = alert(out, in->error);
	if (!err)
		err = form_begin(out, in->action ? in->action : QOC_LOGIN_PATH_SIGNUP, in->csrf,
		                 in->handle);
	if (!err)
		err = signup_fields(out, in);
	if (!err)
		err = qoc_buf_append_cstr(out,
		                          "<div class=\"actions\"><button type=\"submit\">Create "
		                          "account</button></div>\n</form>\n"
		                          "<p class=\"alt\">Already have an account? ");
	if (!err)
		err = link_with_handle(out, QOC_LOGIN_PATH_SIGNIN, in->handle, "Sign in");
	if (!err)
		err = qoc_buf_append_cstr(out, "</p>\n");
	if (!err)
		err = qoc_html_page_end(out, NULL);
	return err;
}

/* ---- consent ---- */

static const struct {
	const char *scope;
	const char *words;
} scope_words[] = {
    {"openid", "Sign you in with your QOC account"},
    {"profile", "Your name"},
    {"email", "Your email address"},
    {"offline_access", "Stay signed in (keep access when you are away)"},
};

static const char *describe(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof scope_words / sizeof scope_words[0]; i++)
		if (strlen(scope_words[i].scope) == len &&
		    memcmp(scope_words[i].scope, s, len) == 0)
			return scope_words[i].words;
	return NULL;
}

const char *qoc_login_scope_description(const char *scope)
{
	return scope ? describe(scope, strlen(scope)) : NULL;
}

/* One <li> per space-separated scope (RFC 6749 §3.3: scope-tokens split by SP). */
static enum qoc_err scope_list(struct qoc_buf *b, const char *scope)
{
	enum qoc_err err = qoc_buf_append_cstr(b, "<ul class=\"scopes\">\n");
	const char *p = scope;
	while (!err && *p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		size_t len = strcspn(p, " ");
		const char *words = describe(p, len);
		if (words) {
			err = qoc_html_fmt(b, "<li>%s</li>\n", words);
		} else {
			err = qoc_buf_append_cstr(b, "<li><code>");
			if (!err)
				err = qoc_html_text_n(b, p, len);
			if (!err)
				err = qoc_buf_append_cstr(b, "</code></li>\n");
		}
		p += len;
	}
	if (!err)
		err = qoc_buf_append_cstr(b, "</ul>\n");
	return err;
}

static bool has_scope(const char *scope)
{
	return scope && scope[strspn(scope, " ")] != '\0';
}

static enum qoc_err consent_app(struct qoc_buf *out, const struct qoc_login_consent *in)
{
	enum qoc_err err = qoc_buf_append_cstr(out, "<div class=\"app\">\n");
	const char *cid = in->client_id;
	/* The id goes into a URL path: only the client id form, which needs no encoding. */
	if (!err && in->app_has_icon && cid && qoc_token_client_id_valid(cid, strlen(cid)))
		err = qoc_html_fmt(out,
		                   "<img class=\"app-icon\" src=\"/api/v1/applications/%s/icon\" "
		                   "alt=\"\" width=\"48\" height=\"48\">\n",
		                   cid);
	if (!err)
		err = qoc_html_fmt(out, "<h1>%s wants to access your QOC account</h1>\n</div>\n",
		                   in->app_name);
	if (!err && in->team_name && in->team_name[0])
		err = qoc_html_fmt(out,
		                   "<p class=\"registered\">Registered by the team "
		                   "<strong>%s</strong></p>\n",
		                   in->team_name);
	if (!err && in->account_name && in->account_name[0])
		err = qoc_html_fmt(
		    out, "<p class=\"account\">Signed in as <strong>%s</strong> (%s)</p>\n",
		    in->account_name, in->account_email);
	else if (!err)
		err =
		    qoc_html_fmt(out, "<p class=\"account\">Signed in as <strong>%s</strong></p>\n",
		                 in->account_email);
	return err;
}

enum qoc_err qoc_login_render_consent(struct qoc_buf *out, const struct qoc_login_consent *in)
{
	if (!in->csrf || !in->csrf[0] || !in->handle || !in->handle[0] || !in->app_name ||
	    !in->account_email)
		return QOC_EINVAL;
	enum qoc_err err = qoc_html_page_begin(out, "Allow access");
	if (!err)
		err = consent_app(out, in);
	if (!err && has_scope(in->scope)) {
		err = qoc_html_fmt(out, "<h2>This will allow %s to:</h2>\n", in->app_name);
		if (!err)
			err = scope_list(out, in->scope);
	} else if (!err) {
		err = qoc_buf_append_cstr(out,
		                          "<p>No access to your information was requested.</p>\n");
	}
	if (!err)
		err = form_begin(out, in->action ? in->action : QOC_LOGIN_PATH_CONSENT, in->csrf,
		                 in->handle);
	if (!err)
		err = qoc_buf_append_cstr(
		    out,
		    "<div class=\"actions\">\n"
		    "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n"
		    "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n"
		    "</div>\n</form>\n");
	if (!err)
		err = qoc_html_fmt(out,
		                   "<p class=\"muted\">Only allow %s if you trust it with "
		                   "this information.</p>\n",
		                   in->app_name);
	if (!err)
		err = qoc_html_page_end(out, NULL);
	return err;
}

/* ---- error ---- */

static const struct {
	unsigned status;
	const char *title;
	const char *words;
} errors[QOC_LOGIN_ERR_KIND_COUNT] = {
    [QOC_LOGIN_ERR_GENERIC] = {400, "Something went wrong",
                               "We could not complete your request. Go back to the application "
                               "and try again."},
    [QOC_LOGIN_ERR_UNKNOWN_APP] = {400, "Unknown application",
                                   "The application that sent you here is not registered with "
                                   "QOC, or it has been removed. Go back to it and try again; "
                                   "if this keeps happening, tell the people who run it."},
    [QOC_LOGIN_ERR_APP_UNAVAILABLE] = {403, "Application unavailable",
                                       "The application that sent you here is switched off at "
                                       "the moment, so you cannot sign in to it. Try again "
                                       "later or contact the people who run it."},
    [QOC_LOGIN_ERR_REDIRECT_URI] = {400, "This application is not set up correctly",
                                    "The application asked us to send you back to an address "
                                    "it has not registered with QOC. To keep your account "
                                    "safe, we stopped here. Please tell the people who run "
                                    "the application."},
    [QOC_LOGIN_ERR_EXPIRED] = {403, "This page has expired",
                               "This sign-in request is too old, was already used, or was "
                               "started in another browser. Go back to the application and "
                               "start again."},
    [QOC_LOGIN_ERR_TOO_MANY_ATTEMPTS] = {429, "Too many attempts",
                                         "There have been too many failed sign-in attempts. To "
                                         "keep your account safe, signing in is paused for a "
                                         "while."},
};

static unsigned error_index(enum qoc_login_error_kind kind)
{
	return (unsigned)kind < QOC_LOGIN_ERR_KIND_COUNT ? (unsigned)kind : QOC_LOGIN_ERR_GENERIC;
}

unsigned qoc_login_error_status(enum qoc_login_error_kind kind)
{
	return errors[error_index(kind)].status;
}

enum qoc_err qoc_login_render_error(struct qoc_buf *out, const struct qoc_login_error *in)
{
	char wait[64];
	unsigned k = error_index(in->kind);
	enum qoc_err err = qoc_html_page_begin(out, errors[k].title);
	if (!err)
		err =
		    qoc_html_fmt(out, "<h1>%s</h1>\n<p>%s</p>\n", errors[k].title, errors[k].words);
	if (!err && k == QOC_LOGIN_ERR_TOO_MANY_ATTEMPTS)
		err = qoc_html_fmt(
		    out, "<p><strong>Try again %s%s.</strong></p>\n",
		    in->retry_after > 0 ? "in " : "later",
		    in->retry_after > 0 ? wait_words(in->retry_after, wait, sizeof wait) : NULL);
	if (!err && in->detail && in->detail[0])
		err = qoc_html_fmt(out, "<p class=\"detail\">Details: %s</p>\n", in->detail);
	if (!err && in->request_id && in->request_id[0])
		err = qoc_html_fmt(out, "<p class=\"muted\">Reference: <code>%s</code></p>\n",
		                   in->request_id);
	if (!err)
		err = qoc_html_page_end(out, NULL);
	return err;
}

/* ---- logout ---- */

enum qoc_err qoc_login_render_logout(struct qoc_buf *out, const struct qoc_login_logout *in)
{
	if (!in->csrf || !in->csrf[0])
		return QOC_EINVAL;
	enum qoc_err err = qoc_html_page_begin(out, "Sign out");
	if (!err)
		err = qoc_buf_append_cstr(out, "<h1>Sign out of QOC?</h1>\n");
	if (!err && in->app_name && in->app_name[0])
		err = qoc_html_fmt(out, "<p>%s asked to sign you out.</p>\n", in->app_name);
	if (!err)
		err = qoc_buf_append_cstr(out,
		                          "<p>You will need to sign in again to use applications "
		                          "with your QOC account in this browser.</p>\n");
	if (!err)
		err = form_begin(out, in->action ? in->action : QOC_LOGIN_PATH_LOGOUT, in->csrf,
		                 in->handle);
	if (!err)
		err =
		    qoc_buf_append_cstr(out, "<div class=\"actions\"><button type=\"submit\">Sign "
		                             "out</button></div>\n</form>\n");
	if (!err)
		err = qoc_html_page_end(out, NULL);
	return err;
}

enum qoc_err qoc_login_render_signed_out(struct qoc_buf *out, const char *app_name)
{
	enum qoc_err err = qoc_html_page_begin(out, "Signed out");
	if (!err)
		err = qoc_buf_append_cstr(out, "<h1>You are signed out</h1>\n");
	if (!err && app_name && app_name[0])
		err = qoc_html_fmt(out, "<p>You have signed out of QOC and %s.</p>\n", app_name);
	if (!err)
		err = qoc_buf_append_cstr(out, "<p>You can close this window.</p>\n");
	if (!err)
		err = qoc_html_page_end(out, NULL);
	return err;
}

/* ---- form_post ---- */

/* Is uri a URL with a scheme, and not one that runs code or reads local files? Browsers
 * strip leading C0 controls and spaces, and TAB/LF/CR anywhere, before parsing (WHATWG
 * URL), so this does too before reading the scheme. */
static bool safe_action(const char *uri)
{
	static const char *const refused[] = {"javascript", "data", "vbscript", "file"};
	char scheme[16];
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)uri;
	while (*p && *p <= 0x20)
		p++;
	for (; *p && *p != ':'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			continue;
		bool alpha = (*p | 0x20) >= 'a' && (*p | 0x20) <= 'z';
		bool other = (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.';
		if (!(alpha || (n > 0 && other)) || n + 1 >= sizeof scheme)
			return false;
		scheme[n++] = (char)(alpha ? *p | 0x20 : *p);
	}
	if (*p != ':' || n == 0)
		return false;
	scheme[n] = '\0';
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if (strcmp(scheme, refused[i]) == 0)
			return false;
	return true;
}

enum qoc_err qoc_login_render_form_post(struct qoc_buf *out, const char *redirect_uri,
                                        const struct qoc_login_field *fields, size_t count)
{
	if (!redirect_uri || !safe_action(redirect_uri) || (count && !fields))
		return QOC_EINVAL;
	enum qoc_err err = qoc_html_page_begin(out, "Continue");
	if (!err)
		err = qoc_html_fmt(out,
		                   "<h1>Continue to the application</h1>\n"
		                   "<p>Select Continue to go back to the application.</p>\n"
		                   "<form method=\"post\" action=\"%s\" id=\"qoc-form-post\">\n",
		                   redirect_uri);
	for (size_t i = 0; !err && i < count; i++)
		if (fields[i].name)
			err = hidden(out, fields[i].name, fields[i].value);
	if (!err)
		err =
		    qoc_buf_append_cstr(out, "<div class=\"actions\"><button "
		                             "type=\"submit\">Continue</button></div>\n</form>\n");
	if (!err)
		err = qoc_html_page_end(out, QOC_LOGIN_PATH_AUTOSUBMIT);
	return err;
}
