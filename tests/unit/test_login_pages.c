/* Unit tests for src/login/pages.c: every QOC Login page, its required names and values,
 * its accessibility wiring, and that no input ever lands in it unescaped.
 * "SECURITY.md Browser" is the "Browser and console" section of /work/shared/SECURITY.md,
 * "SECURITY.md Passwords" its "Passwords" rule, "issue 3" the QOC Login pages list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "login/pages.h"

/* Every context breaker at once. */
#define EVIL "\"'><script>alert(1)</script><b onmouseover=\"x\" style=\"y\">&"
#define EVIL_ESC                                                                                   \
	"&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onmouseover=&quot;x&quot; "     \
	"style=&quot;y&quot;&gt;&amp;"
#define CSRF "Q1NSRi10b2tlbi1mb3ItdGVzdHMtMDEyMzQ1Njc4OWFi"
#define HANDLE "aGFuZGxlLWZvci10ZXN0cw"
#define CLIENT_ID "qoc_client_abcdefghijklmnopqrstuvwx"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#define assert_has(page, s) assert_true(count((page), (s)) >= 1)
#define assert_once(page, s) assert_int_equal(count((page), (s)), 1)
#define assert_lacks(page, s) assert_int_equal(count((page), (s)), 0)

/* Copies the value of the attribute starting right after `p` (which points just past
 * `name="`) into out. */
static void attr_value(const char *p, char *out, size_t size)
{
	size_t n = strcspn(p, "\"");
	assert_true(n < size);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Accessibility wiring: every visible input has an id with a <label for> of that id,
 * every label points at an input, every aria-describedby id exists. */
static void assert_labels_bound(const char *page)
{
	char id[128], want[160];
	for (const char *p = strstr(page, "<label for=\""); p; p = strstr(p + 1, "<label for=\"")) {
		attr_value(p + 12, id, sizeof id);
		snprintf(want, sizeof want, "<input id=\"%s\"", id);
		assert_once(page, want);
	}
	for (const char *p = strstr(page, "<input "); p; p = strstr(p + 1, "<input ")) {
		if (strncmp(p, "<input type=\"hidden\"", 20) == 0)
			continue;
		assert_true(strncmp(p, "<input id=\"", 11) == 0);
		attr_value(p + 11, id, sizeof id);
		snprintf(want, sizeof want, "<label for=\"%s\">", id);
		assert_once(page, want);
	}
	for (const char *p = strstr(page, "aria-describedby=\""); p;
	     p = strstr(p + 1, "aria-describedby=\"")) {
		char ids[256];
		attr_value(p + 18, ids, sizeof ids);
		for (const char *tok = ids; *tok; tok += strspn(tok, " ")) {
			int n = (int)strcspn(tok, " ");
			snprintf(want, sizeof want, " id=\"%.*s\"", n, tok);
			assert_once(page, want);
			tok += n;
		}
	}
}

/* Walks every tag of the page and refuses an attribute called on* (an event handler)
 * or style, and an unquoted attribute value. Our markup quotes every value with '"' and
 * escaped text holds no '<', '>' or '"', so this reads the tags as a browser would. */
static void assert_no_inline_attributes(const char *page)
{
	const char *p = page;
	while ((p = strchr(p, '<')) != NULL) {
		p++;
		p += strcspn(p, " \t\n>"); /* the tag name */
		while (*p && *p != '>') {
			p += strspn(p, " \t\n");
			size_t n = strcspn(p, "= \t\n>");
			if (n == 0) {
				assert_true(*p == '>' ||
				            *p == '\0'); /* no "=value" without a name */
				continue;
			}
			assert_false(n >= 2 && (p[0] | 0x20) == 'o' && (p[1] | 0x20) == 'n');
			assert_false(n == 5 && strncasecmp(p, "style", 5) == 0);
			p += n;
			if (*p == '=') {
				assert_int_equal(p[1], '"');
				const char *end = strchr(p + 2, '"');
				assert_non_null(end);
				p = end + 1;
			}
		}
	}
}

/* SECURITY.md Browser: CSP "default-src 'self'" holds - no inline script, no inline
 * style, no event handler attribute; and no input came through unescaped. */
static void assert_csp_clean(const char *page)
{
	assert_lacks(page, "<script>");
	assert_lacks(page, "<style");
	assert_no_inline_attributes(page);
	assert_lacks(page, "javascript:");
	assert_lacks(page, "<b ");
	assert_true(strncmp(page, "<!doctype html>\n<html lang=\"en\">", 32) == 0);
	assert_has(page, "<meta name=\"viewport\"");
	assert_has(page, "<main>");
}

static void assert_no_script(const char *page)
{
	assert_lacks(page, "<script");
	assert_csp_clean(page);
	assert_labels_bound(page);
}

struct fixture {
	struct qoc_buf b;
};

static int setup(void **state)
{
	static struct fixture f;
	qoc_buf_init(&f.b, 1 << 20);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	qoc_buf_release(&f->b);
	return 0;
}

static struct qoc_buf *buf(void **state)
{
	struct fixture *f = *state;
	qoc_buf_reset(&f->b);
	return &f->b;
}

/* issue 3: sign-in form with inputs named email and password. */
static void signin_has_the_required_fields(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_signin in = {.app_name = "My App", .csrf = CSRF, .handle = HANDLE};
	assert_int_equal(qoc_login_render_signin(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_once(p, "<h1>Sign in to My App</h1>");
	assert_once(p, "<form method=\"post\" action=\"/login\">");
	assert_once(p, "name=\"email\"");
	assert_once(p, "<input id=\"email\" name=\"email\" type=\"email\" "
	               "autocomplete=\"username\" required");
	assert_once(p, "name=\"password\"");
	assert_once(p, "<input id=\"password\" name=\"password\" type=\"password\" "
	               "autocomplete=\"current-password\" required");
	assert_once(p, "<label for=\"email\">Email</label>");
	assert_once(p, "<label for=\"password\">Password</label>");
	assert_once(p, "<input type=\"hidden\" name=\"csrf\" value=\"" CSRF "\">");
	assert_once(p, "<input type=\"hidden\" name=\"handle\" value=\"" HANDLE "\">");
	assert_once(p, "<button type=\"submit\">Sign in</button>");
	assert_lacks(p, "role=\"alert\"");
	assert_lacks(p, "Create an account"); /* sign-up off */
	assert_no_script(p);

	b = buf(state);
	const struct qoc_login_signin bare = {.csrf = CSRF, .action = "/other"};
	assert_int_equal(qoc_login_render_signin(b, &bare), QOC_OK);
	p = qoc_buf_cstr(b);
	assert_once(p, "<h1>Sign in to QOC</h1>");
	assert_once(p, "action=\"/other\"");
	assert_lacks(p, "name=\"handle\"");
	assert_no_script(p);
}

/* SECURITY.md Passwords: same answer for unknown account - one message for every
 * failure, the page the same bytes whatever failed. */
static void signin_failure_says_one_thing(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_signin in = {
	    .csrf = CSRF, .handle = HANDLE, .email = "nobody@example.com", .failed = true};
	assert_int_equal(qoc_login_render_signin(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_once(p, "<div class=\"alert\" id=\"form-error\" role=\"alert\">Wrong email or "
	               "password.</div>");
	assert_lacks(p, "not found");
	assert_lacks(p, "unknown");
	assert_lacks(p, "no account");
	char first[16384];
	assert_true(b->len < sizeof first);
	memcpy(first, p, b->len + 1);
	/* The handler renders the same struct for an unknown account and a wrong password. */
	b = buf(state);
	assert_int_equal(qoc_login_render_signin(b, &in), QOC_OK);
	assert_string_equal(qoc_buf_cstr(b), first);
	assert_no_script(first);
}

static void signin_throttled_says_when(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_signin in = {.csrf = CSRF, .failed = true, .retry_after = 241};
	assert_int_equal(qoc_login_render_signin(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_once(p, "role=\"alert\">Too many attempts. Try again in 5 minutes.</div>");
	assert_lacks(p, "Wrong email");
	b = buf(state);
	const struct qoc_login_signin s = {.csrf = CSRF, .retry_after = 30};
	assert_int_equal(qoc_login_render_signin(b, &s), QOC_OK);
	assert_has(qoc_buf_cstr(b), "Try again in 30 seconds.");
}

/* login_hint pre-fills the email, escaped; the password field gets the focus. */
static void signin_prefills_login_hint(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_signin in = {
	    .csrf = CSRF, .email = EVIL, .signup_enabled = true, .handle = "h/1+2=="};
	assert_int_equal(qoc_login_render_signin(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_once(p, "value=\"" EVIL_ESC "\"");
	assert_lacks(p, EVIL);
	assert_once(p, "<a href=\"/login/signup?handle=h%2F1%2B2%3D%3D\">Create an account</a>");
	assert_once(p, "autofocus");
	assert_has(p, "autocomplete=\"current-password\" required maxlength=\"1024\" autofocus");
	assert_no_script(p);
}

/* SECURITY.md Browser: a form that changes state is never rendered without its token. */
static void forms_refuse_to_render_without_csrf(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_signin si = {.handle = HANDLE};
	assert_int_equal(qoc_login_render_signin(b, &si), QOC_EINVAL);
	const struct qoc_login_signin si2 = {.csrf = ""};
	assert_int_equal(qoc_login_render_signin(b, &si2), QOC_EINVAL);
	const struct qoc_login_signup su = {.handle = HANDLE};
	assert_int_equal(qoc_login_render_signup(b, &su), QOC_EINVAL);
	const struct qoc_login_consent co = {
	    .handle = HANDLE, .app_name = "A", .account_email = "a@b.c"};
	assert_int_equal(qoc_login_render_consent(b, &co), QOC_EINVAL);
	const struct qoc_login_consent co2 = {
	    .csrf = CSRF, .app_name = "A", .account_email = "a@b.c"};
	assert_int_equal(qoc_login_render_consent(b, &co2), QOC_EINVAL); /* no handle */
	const struct qoc_login_logout lo = {0};
	assert_int_equal(qoc_login_render_logout(b, &lo), QOC_EINVAL);
}

/* issue 3: self sign-up with name, email, password; errors beside their field. */
static void signup_has_fields_and_field_errors(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_signup in = {.csrf = CSRF,
	                                    .handle = HANDLE,
	                                    .app_name = "My App",
	                                    .name = "Ada",
	                                    .email = "taken@example.com",
	                                    .email_error = "An account with this email exists.",
	                                    .password_error = EVIL};
	assert_int_equal(qoc_login_render_signup(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_once(p, "<form method=\"post\" action=\"/login/signup\">");
	assert_once(p, "<input id=\"name\" name=\"name\" type=\"text\" autocomplete=\"name\" "
	               "required value=\"Ada\"");
	assert_once(p, "name=\"email\" type=\"email\"");
	assert_once(p, "value=\"taken@example.com\" aria-describedby=\"email-error\" "
	               "aria-invalid=\"true\"");
	assert_once(p, "<p class=\"field-error\" id=\"email-error\">An account with this email "
	               "exists.</p>");
	assert_once(p, "<input id=\"password\" name=\"password\" type=\"password\" "
	               "autocomplete=\"new-password\" required aria-describedby=\"password-hint "
	               "password-error\" aria-invalid=\"true\" minlength=\"8\"");
	assert_once(p, "<p class=\"field-error\" id=\"password-error\">" EVIL_ESC "</p>");
	assert_lacks(p, "name-error"); /* no error, no reference */
	assert_once(p, "<input type=\"hidden\" name=\"csrf\" value=\"" CSRF "\">");
	assert_once(p, "<input type=\"hidden\" name=\"handle\" value=\"" HANDLE "\">");
	assert_once(p, "<a href=\"/login?handle=" HANDLE "\">Sign in</a>");
	assert_once(p, "<p class=\"lead\">to continue to My App</p>");
	assert_no_script(p);
	/* The password is never echoed: its input has no value attribute. */
	const char *pw = strstr(p, "<input id=\"password\"");
	assert_non_null(pw);
	size_t len = strcspn(pw, ">");
	char tag[512];
	assert_true(len < sizeof tag);
	memcpy(tag, pw, len);
	tag[len] = '\0';
	assert_null(strstr(tag, "value="));
}

/* issue 3: consent lists the app's name, icon and scopes; decision allow / deny. */
static void consent_has_decision_buttons_and_scopes(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_consent in = {.csrf = CSRF,
	                                     .handle = HANDLE,
	                                     .app_name = "Photo Book",
	                                     .client_id = CLIENT_ID,
	                                     .app_has_icon = true,
	                                     .scope = "openid profile  email offline_access "
	                                              "photos:read <x>",
	                                     .account_name = "Ada Lovelace",
	                                     .account_email = "ada@example.com",
	                                     .team_name = "Photo <Co>"};
	assert_int_equal(qoc_login_render_consent(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	/* issue 13: the page names the team that registered the application (escaped) */
	assert_once(p, "Registered by the team <strong>Photo &lt;Co&gt;</strong>");
	assert_once(p, "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>");
	assert_once(p, "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>");
	assert_int_equal(count(p, "name=\"decision\""), 2);
	assert_once(p, "<form method=\"post\" action=\"/login/consent\">");
	assert_once(p, "<input type=\"hidden\" name=\"csrf\" value=\"" CSRF "\">");
	assert_once(p, "<input type=\"hidden\" name=\"handle\" value=\"" HANDLE "\">");
	assert_once(p, "<img class=\"app-icon\" src=\"/api/v1/applications/" CLIENT_ID
	               "/icon\" alt=\"\"");
	assert_once(p, "<h1>Photo Book wants to access your QOC account</h1>");
	assert_once(p, "<li>Sign you in with your QOC account</li>");
	assert_once(p, "<li>Your name</li>");
	assert_once(p, "<li>Your email address</li>");
	assert_once(p, "<li>Stay signed in (keep access when you are away)</li>");
	assert_once(p, "<li><code>photos:read</code></li>");
	assert_once(p, "<li><code>&lt;x&gt;</code></li>");
	assert_int_equal(count(p, "<li>"), 6);
	assert_once(p, "Signed in as <strong>Ada Lovelace</strong> (ada@example.com)");
	assert_no_script(p);
	assert_string_equal(qoc_login_scope_description("email"), "Your email address");
	assert_null(qoc_login_scope_description("emails"));
	assert_null(qoc_login_scope_description(NULL));
}

static void consent_icon_only_when_there_is_one(void **state)
{
	struct qoc_buf *b = buf(state);
	struct qoc_login_consent in = {.csrf = CSRF,
	                               .handle = HANDLE,
	                               .app_name = EVIL,
	                               .client_id = CLIENT_ID,
	                               .scope = "",
	                               .account_email = EVIL};
	assert_int_equal(qoc_login_render_consent(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_lacks(p, "<img");
	assert_lacks(p, EVIL);
	assert_once(p, "<h1>" EVIL_ESC " wants to access your QOC account</h1>");
	assert_once(p, "Signed in as <strong>" EVIL_ESC "</strong></p>");
	assert_once(p, "No access to your information was requested.");
	assert_lacks(p, "<ul");
	assert_no_script(p);
	/* An icon with a client id that is not of the client id form is left out. */
	b = buf(state);
	in.app_has_icon = true;
	in.client_id = "../../admin";
	assert_int_equal(qoc_login_render_consent(b, &in), QOC_OK);
	assert_lacks(qoc_buf_cstr(b), "<img");
}

/* issue 3: an error page that explains in plain words; SECURITY.md Redirect URIs: an
 * invalid client or redirect URI shows an error page; parameters only ever escaped. */
static void error_pages_explain_and_never_echo_raw(void **state)
{
	static const struct {
		enum qoc_login_error_kind kind;
		unsigned status;
		const char *title;
	} rows[] = {
	    {QOC_LOGIN_ERR_GENERIC, 400, "<h1>Something went wrong</h1>"},
	    {QOC_LOGIN_ERR_UNKNOWN_APP, 400, "<h1>Unknown application</h1>"},
	    {QOC_LOGIN_ERR_APP_UNAVAILABLE, 403, "<h1>Application unavailable</h1>"},
	    {QOC_LOGIN_ERR_REDIRECT_URI, 400, "<h1>This application is not set up correctly</h1>"},
	    {QOC_LOGIN_ERR_EXPIRED, 403, "<h1>This page has expired</h1>"},
	    {QOC_LOGIN_ERR_TOO_MANY_ATTEMPTS, 429, "<h1>Too many attempts</h1>"},
	    {(enum qoc_login_error_kind)99, 400, "<h1>Something went wrong</h1>"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct qoc_buf *b = buf(state);
		const struct qoc_login_error in = {.kind = rows[i].kind,
		                                   .retry_after = 900,
		                                   .detail = "redirect_uri=" EVIL,
		                                   .request_id = EVIL};
		assert_int_equal(qoc_login_render_error(b, &in), QOC_OK);
		const char *p = qoc_buf_cstr(b);
		assert_once(p, rows[i].title);
		assert_int_equal(qoc_login_error_status(rows[i].kind), rows[i].status);
		assert_lacks(p, EVIL);
		assert_once(p, "<p class=\"detail\">Details: redirect_uri=" EVIL_ESC "</p>");
		assert_once(p, "Reference: <code>" EVIL_ESC "</code>");
		assert_lacks(p, "<form");
		assert_no_script(p);
		if (rows[i].kind == QOC_LOGIN_ERR_TOO_MANY_ATTEMPTS)
			assert_once(p, "Try again in 15 minutes.");
		else
			assert_lacks(p, "Try again in");
	}
	struct qoc_buf *b = buf(state);
	const struct qoc_login_error later = {.kind = QOC_LOGIN_ERR_TOO_MANY_ATTEMPTS};
	assert_int_equal(qoc_login_render_error(b, &later), QOC_OK);
	assert_once(qoc_buf_cstr(b), "Try again later.");
	assert_lacks(qoc_buf_cstr(b), "Details");
}

/* RP-Initiated Logout 1.0 §2 / issue 3: a confirmation page when there is no hint. */
static void logout_confirmation_and_signed_out(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_logout in = {.csrf = CSRF, .app_name = EVIL, .handle = HANDLE};
	assert_int_equal(qoc_login_render_logout(b, &in), QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_once(p, "<h1>Sign out of QOC?</h1>");
	assert_once(p, "<form method=\"post\" action=\"/oauth2/logout\">");
	assert_once(p, "<input type=\"hidden\" name=\"csrf\" value=\"" CSRF "\">");
	assert_once(p, "<input type=\"hidden\" name=\"handle\" value=\"" HANDLE "\">");
	assert_once(p, "<button type=\"submit\">Sign out</button>");
	assert_once(p, "<p>" EVIL_ESC " asked to sign you out.</p>");
	assert_no_script(p);

	b = buf(state);
	assert_int_equal(qoc_login_render_signed_out(b, EVIL), QOC_OK);
	p = qoc_buf_cstr(b);
	assert_once(p, "<h1>You are signed out</h1>");
	assert_lacks(p, EVIL);
	assert_lacks(p, "<form");
	assert_no_script(p);
	b = buf(state);
	assert_int_equal(qoc_login_render_signed_out(b, NULL), QOC_OK);
	assert_lacks(qoc_buf_cstr(b), " and ");
}

/* OAuth 2.0 Form Post Response Mode §2: hidden fields posted to the redirect URI;
 * SECURITY.md Redirect URIs: state comes back byte-exact, never unescaped into HTML. */
static void form_post_posts_hidden_fields(void **state)
{
	struct qoc_buf *b = buf(state);
	const struct qoc_login_field fields[] = {
	    {"code", "c0de"},
	    {"state", "a\"b<c>\r\n&d"},
	    {"iss", "https://id.example.com"},
	    {"error", NULL}, /* left out */
	};
	assert_int_equal(
	    qoc_login_render_form_post(b, "https://app.example.com/cb?x=1&y=\"2\"", fields, 4),
	    QOC_OK);
	const char *p = qoc_buf_cstr(b);
	assert_once(p, "<form method=\"post\" action=\"https://app.example.com/cb?x=1&amp;y=&quot;"
	               "2&quot;\" id=\"qoc-form-post\">");
	assert_once(p, "<input type=\"hidden\" name=\"code\" value=\"c0de\">");
	assert_once(p, "<input type=\"hidden\" name=\"state\" value=\"a&quot;b&lt;c&gt;&#13;&#10;"
	               "&amp;d\">");
	assert_once(p, "<input type=\"hidden\" name=\"iss\" value=\"https://id.example.com\">");
	assert_lacks(p, "name=\"error\"");
	assert_once(p, "<button type=\"submit\">Continue</button>");
	/* The only script: the same-origin auto-submit file, after the form. */
	assert_once(p, "<script");
	assert_once(p, "<script src=\"/login/static/autosubmit.js\"></script>");
	assert_true(strstr(p, "</form>") < strstr(p, "<script"));
	assert_csp_clean(p);
}

/* A last guard: the action of a form_post is never a script or local URL. */
static void form_post_refuses_dangerous_actions(void **state)
{
	static const char *const bad[] = {
	    "javascript:alert(1)",
	    " JavaScript:alert(1)",
	    "java\tscript:alert(1)",
	    "\x01javascript:x",
	    "data:text/html,x",
	    "VBScript:x",
	    "file:///etc/passwd",
	    "/relative/path",
	    "no-scheme",
	    "",
	    ":x",
	    "1http://x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct qoc_buf *b = buf(state);
		assert_int_equal(qoc_login_render_form_post(b, bad[i], NULL, 0), QOC_EINVAL);
		assert_int_equal(b->len, 0);
	}
	struct qoc_buf *b = buf(state);
	assert_int_equal(qoc_login_render_form_post(b, NULL, NULL, 0), QOC_EINVAL);
	assert_int_equal(qoc_login_render_form_post(b, "com.example.app:/cb", NULL, 0), QOC_OK);
	b = buf(state);
	assert_int_equal(qoc_login_render_form_post(b, "http://127.0.0.1:3000/cb", NULL, 0),
	                 QOC_OK);
}

/* Every page fails cleanly when its buffer is too small (never a truncated page sent as
 * OK). */
static void small_buffer_is_an_error(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 200);
	const struct qoc_login_signin si = {.csrf = CSRF};
	assert_int_equal(qoc_login_render_signin(&b, &si), QOC_ELIMIT);
	qoc_buf_reset(&b);
	const struct qoc_login_error er = {0};
	assert_int_equal(qoc_login_render_error(&b, &er), QOC_ELIMIT);
	qoc_buf_release(&b);
}

typedef enum qoc_err render_fn(struct qoc_buf *b);

static enum qoc_err r_signin(struct qoc_buf *b)
{
	const struct qoc_login_signin in = {.csrf = CSRF,
	                                    .handle = HANDLE,
	                                    .email = EVIL,
	                                    .retry_after = 90,
	                                    .signup_enabled = true};
	return qoc_login_render_signin(b, &in);
}

static enum qoc_err r_signup(struct qoc_buf *b)
{
	const struct qoc_login_signup in = {.csrf = CSRF,
	                                    .handle = HANDLE,
	                                    .app_name = EVIL,
	                                    .name = EVIL,
	                                    .name_error = EVIL,
	                                    .error = EVIL};
	return qoc_login_render_signup(b, &in);
}

static enum qoc_err r_consent(struct qoc_buf *b)
{
	const struct qoc_login_consent in = {.csrf = CSRF,
	                                     .handle = HANDLE,
	                                     .app_name = EVIL,
	                                     .client_id = CLIENT_ID,
	                                     .app_has_icon = true,
	                                     .scope = "openid x<y",
	                                     .account_name = "A",
	                                     .account_email = EVIL};
	return qoc_login_render_consent(b, &in);
}

static enum qoc_err r_error(struct qoc_buf *b)
{
	const struct qoc_login_error in = {.kind = QOC_LOGIN_ERR_TOO_MANY_ATTEMPTS,
	                                   .retry_after = 5,
	                                   .detail = EVIL,
	                                   .request_id = "r"};
	return qoc_login_render_error(b, &in);
}

static enum qoc_err r_logout(struct qoc_buf *b)
{
	const struct qoc_login_logout in = {.csrf = CSRF, .handle = HANDLE, .app_name = EVIL};
	enum qoc_err err = qoc_login_render_logout(b, &in);
	return err ? err : qoc_login_render_signed_out(b, EVIL);
}

static enum qoc_err r_form_post(struct qoc_buf *b)
{
	const struct qoc_login_field f[] = {{"code", "c"}, {"state", EVIL}};
	return qoc_login_render_form_post(b, "https://app.example.com/cb", f, 2);
}

/* Every page, under every buffer bound short of its length, fails with QOC_ELIMIT: each
 * error path is taken once and none reports a truncated page as done (the curl torture
 * test idea, with the bound standing in for the allocator). */
static void every_bound_fails_cleanly(void **state)
{
	(void)state;
	render_fn *const pages[] = {r_signin, r_signup, r_consent, r_error, r_logout, r_form_post};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		struct qoc_buf b;
		qoc_buf_init(&b, 1 << 20);
		assert_int_equal(pages[i](&b), QOC_OK);
		size_t full = b.len;
		qoc_buf_release(&b);
		for (size_t max = 0; max < full; max++) {
			qoc_buf_init(&b, max);
			assert_int_equal(pages[i](&b), QOC_ELIMIT);
			qoc_buf_release(&b);
		}
		qoc_buf_init(&b, full);
		assert_int_equal(pages[i](&b), QOC_OK);
		qoc_buf_release(&b);
	}
}

/* The stylesheet and the script are self-contained: no network, no web fonts. */
static void assets_need_no_network(void **state)
{
	(void)state;
	assert_true(strlen(qoc_login_css) > 500);
	assert_lacks(qoc_login_css, "url(");
	assert_lacks(qoc_login_css, "@import");
	assert_lacks(qoc_login_css, "@font-face");
	assert_lacks(qoc_login_css, "http");
	assert_has(qoc_login_css, "system-ui");
	assert_has(qoc_login_css, "@media");
	assert_has(qoc_login_autosubmit_js, "getElementById(\"qoc-form-post\")");
	assert_has(qoc_login_autosubmit_js, ".submit()");
	assert_lacks(qoc_login_autosubmit_js, "eval");
	assert_lacks(qoc_login_autosubmit_js, "http");
	assert_string_equal(QOC_LOGIN_PATH_CSS, "/login/static/login.css");
	assert_string_equal(QOC_LOGIN_PATH_AUTOSUBMIT, "/login/static/autosubmit.js");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(signin_has_the_required_fields),
	    cmocka_unit_test(signin_failure_says_one_thing),
	    cmocka_unit_test(signin_throttled_says_when),
	    cmocka_unit_test(signin_prefills_login_hint),
	    cmocka_unit_test(forms_refuse_to_render_without_csrf),
	    cmocka_unit_test(signup_has_fields_and_field_errors),
	    cmocka_unit_test(consent_has_decision_buttons_and_scopes),
	    cmocka_unit_test(consent_icon_only_when_there_is_one),
	    cmocka_unit_test(error_pages_explain_and_never_echo_raw),
	    cmocka_unit_test(logout_confirmation_and_signed_out),
	    cmocka_unit_test(form_post_posts_hidden_fields),
	    cmocka_unit_test(form_post_refuses_dangerous_actions),
	    cmocka_unit_test(small_buffer_is_an_error),
	    cmocka_unit_test(every_bound_fails_cleanly),
	    cmocka_unit_test(assets_need_no_network),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
