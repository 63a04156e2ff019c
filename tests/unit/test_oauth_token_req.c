/* Unit tests for src/oauth/token_req: the token request form per grant, the binding of a
 * consumed code, and refresh scope narrowing (RFC 6749 §4.1.3, §4.4, §5.2, §6; RFC 7636
 * §4.5-4.6; SECURITY.md "Codes, PKCE, tokens"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "oauth/token_req.h"
#include "oauth_testutil.h"

/* RFC 7636 Appendix B */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define CB "https://app.example.com/cb"

static const char *web_grants[] = {"authorization_code", "refresh_token", "client_credentials"};
static const char *code_only[] = {"authorization_code"};
static const char *spa_grants[] = {"authorization_code", "refresh_token", "client_credentials"};
static struct qoc_app web, narrow, spa, web_pkce;

static int setup(void **state)
{
	(void)state;
	web = (struct qoc_app){.client_id = "qoc_client_web",
	                       .type = "web",
	                       .status = "active",
	                       .grant_types = OAUTH_LIST(web_grants)};
	narrow = web;
	narrow.grant_types = OAUTH_LIST(code_only);
	/* a public client with client_credentials listed (the console refuses that; the
	 * protocol refuses it again) */
	spa = (struct qoc_app){.client_id = "qoc_client_spa",
	                       .type = "spa",
	                       .status = "active",
	                       .grant_types = OAUTH_LIST(spa_grants),
	                       .pkce_required = true};
	web_pkce = web;
	web_pkce.pkce_required = true;
	return 0;
}

enum { WEB, NARROW, SPA };

static const struct qoc_app *app_of(int which)
{
	return which == WEB ? &web : which == NARROW ? &narrow : &spa;
}

struct row {
	const char *clause;
	int app;
	const char *body;
	const char *code; /* NULL: accepted */
	enum qoc_grant grant;
};

#define IREQ QOC_OAUTH_INVALID_REQUEST
#define AC QOC_GRANT_AUTHORIZATION_CODE
#define RT QOC_GRANT_REFRESH_TOKEN
#define CC QOC_GRANT_CLIENT_CREDENTIALS

/* clang-format off */
static const struct row rows[] = {
	{"RFC 6749 §4.1.3: authorization_code", WEB, "grant_type=authorization_code&code=c1&redirect_uri=" CB, NULL, AC},
	{"RFC 7636 §4.5: with a verifier", WEB, "grant_type=authorization_code&code=c1&code_verifier=" VERIFIER, NULL, AC},
	{"RFC 6749 §5.2: grant_type missing", WEB, "code=c1", IREQ, AC},
	{"SECURITY.md: empty grant_type is absent", WEB, "grant_type=&code=c1", IREQ, AC},
	{"RFC 6749 §5.2: unknown grant_type", WEB, "grant_type=password&username=a&password=b", QOC_OAUTH_UNSUPPORTED_GRANT_TYPE, AC},
	{"RFC 6749 §5.2: grant types are case-sensitive", WEB, "grant_type=Authorization_Code&code=c", QOC_OAUTH_UNSUPPORTED_GRANT_TYPE, AC},
	{"RFC 6749 §5.2: implicit is not a token grant", WEB, "grant_type=implicit", QOC_OAUTH_UNSUPPORTED_GRANT_TYPE, AC},
	{"RFC 6749 §5.2: grant not enabled (refresh_token)", NARROW, "grant_type=refresh_token&refresh_token=r", QOC_OAUTH_UNAUTHORIZED_CLIENT, RT},
	{"RFC 6749 §5.2: grant not enabled (client_credentials)", NARROW, "grant_type=client_credentials", QOC_OAUTH_UNAUTHORIZED_CLIENT, CC},
	{"SECURITY.md: any parameter twice", WEB, "grant_type=authorization_code&code=c1&code=c2", IREQ, AC},
	{"SECURITY.md: any parameter twice (unknown)", WEB, "grant_type=authorization_code&code=c1&x=1&x=2", IREQ, AC},
	{"SECURITY.md: any parameter twice (grant_type)", WEB, "grant_type=authorization_code&grant_type=authorization_code&code=c", IREQ, AC},
	{"SECURITY.md: unknown parameters are ignored", WEB, "grant_type=authorization_code&code=c1&resource=x", NULL, AC},
	{"RFC 6749 §4.1.3: code required", WEB, "grant_type=authorization_code&redirect_uri=" CB, IREQ, AC},
	{"RFC 6749 §4.1.3: empty code is absent", WEB, "grant_type=authorization_code&code=", IREQ, AC},
	{"RFC 7636 §4.1, SECURITY.md: verifier of 42 characters", WEB, "grant_type=authorization_code&code=c&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX", IREQ, AC},
	{"RFC 7636 §4.1: verifier of 43 characters", WEB, "grant_type=authorization_code&code=c&code_verifier=" VERIFIER, NULL, AC},
	{"RFC 7636 §4.1, SECURITY.md: verifier with a forbidden character", WEB, "grant_type=authorization_code&code=c&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX%2B", IREQ, AC},
	{"RFC 7636 §4.1, SECURITY.md: verifier with a space", WEB, "grant_type=authorization_code&code=c&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+", IREQ, AC},
	{"RFC 6749 §6: refresh_token", WEB, "grant_type=refresh_token&refresh_token=r1", NULL, RT},
	{"RFC 6749 §6: refresh_token required", WEB, "grant_type=refresh_token", IREQ, RT},
	{"RFC 6749 §6: narrowing scope", WEB, "grant_type=refresh_token&refresh_token=r1&scope=openid", NULL, RT},
	{"RFC 6749 §3.3: malformed scope", WEB, "grant_type=refresh_token&refresh_token=r1&scope=a%20%20b", QOC_OAUTH_INVALID_SCOPE, RT},
	{"RFC 6749 §4.4.2: client_credentials", WEB, "grant_type=client_credentials", NULL, CC},
	{"RFC 6749 §4.4.2: client_credentials with scope", WEB, "grant_type=client_credentials&scope=api%3Aread", NULL, CC},
	{"SECURITY.md: no ID token for client_credentials", WEB, "grant_type=client_credentials&scope=openid", QOC_OAUTH_INVALID_SCOPE, CC},
	{"SECURITY.md: no refresh token for client_credentials", WEB, "grant_type=client_credentials&scope=api%20offline_access", QOC_OAUTH_INVALID_SCOPE, CC},
	{"RFC 6749 §4.4: confidential clients only", SPA, "grant_type=client_credentials", QOC_OAUTH_UNAUTHORIZED_CLIENT, CC},
};
/* clang-format on */

static void form_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct qoc_arena a;
		struct qoc_form f;
		struct qoc_token_request t;
		struct qoc_oauth_error e = {0};
		qoc_arena_init(&a, 0);
		assert_true(oauth_form(&a, r->body, &f));
		enum qoc_err got = qoc_token_request_parse(&f, app_of(r->app), &t, &e);
		if (!r->code) {
			if (got != QOC_OK)
				fail_msg("row %zu (%s): %s", i, r->clause, e.code);
			assert_int_equal(t.grant, r->grant);
		} else if (got != QOC_EINVAL || strcmp(e.code, r->code) != 0) {
			fail_msg("row %zu (%s): %d %s, want %s", i, r->clause, got,
			         e.code ? e.code : "-", r->code);
		} else {
			assert_true(oauth_description_ok(e.description));
			assert_true(oauth_code_known(e.code));
			assert_int_equal(e.status, 400);
		}
		qoc_arena_release(&a);
	}
}

static void parsed_fields(void **state)
{
	(void)state;
	struct qoc_arena a;
	struct qoc_form f;
	struct qoc_token_request t;
	struct qoc_oauth_error e;
	qoc_arena_init(&a, 0);
	assert_true(
	    oauth_form(&a,
	               "grant_type=authorization_code&code=c1&redirect_uri=https%3A%2F%2Fapp."
	               "example.com%2Fcb&code_verifier=" VERIFIER,
	               &f));
	assert_int_equal(qoc_token_request_parse(&f, &web, &t, &e), QOC_OK);
	assert_string_equal(t.code, "c1");
	assert_string_equal(t.redirect_uri, CB);
	assert_string_equal(t.code_verifier, VERIFIER);
	assert_null(t.refresh_token);
	assert_true(
	    oauth_form(&a, "grant_type=refresh_token&refresh_token=r1&scope=email+openid", &f));
	assert_int_equal(qoc_token_request_parse(&f, &web, &t, &e), QOC_OK);
	assert_string_equal(t.refresh_token, "r1");
	assert_true(t.scope_given);
	assert_int_equal(t.scope.count, 2);
	assert_true(oauth_form(&a, "grant_type=client_credentials", &f));
	assert_int_equal(qoc_token_request_parse(&f, &web, &t, &e), QOC_OK);
	assert_false(t.scope_given);
	assert_int_equal(t.scope.count, 0);
	/* over-long codes and refresh tokens cannot be ours */
	static char body[1024];
	char big[600];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s", big);
	assert_true(oauth_form(&a, body, &f));
	assert_int_equal(qoc_token_request_parse(&f, &web, &t, &e), QOC_EINVAL);
	assert_string_equal(e.code, QOC_OAUTH_INVALID_GRANT);
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s", big);
	assert_true(oauth_form(&a, body, &f));
	assert_int_equal(qoc_token_request_parse(&f, &web, &t, &e), QOC_EINVAL);
	assert_string_equal(e.code, QOC_OAUTH_INVALID_GRANT);
	qoc_arena_release(&a);
	assert_string_equal(qoc_grant_name(CC), "client_credentials");
}

struct crow {
	const char *clause;
	const struct qoc_app *app;
	const char *redirect_uri; /* token request's */
	const char *verifier;
	struct qoc_code_binding code;
	int64_t now;
	bool ok;
};

#define BIND(id, uri, req, ch)                                                                     \
	{                                                                                          \
		(id), (uri), (req), (ch), 1000                                                     \
	}

static void code_binding(void **state)
{
	(void)state;
	/* clang-format off */
	const struct crow crows[] = {
		{"RFC 6749 §4.1.3: all matching", &web, CB, NULL, BIND("qoc_client_web", CB, true, NULL), 999, true},
		{"RFC 7636 §4.6: S256 verifier matches", &web, CB, VERIFIER, BIND("qoc_client_web", CB, true, CHALLENGE), 999, true},
		{"RFC 6749 §4.1.3: code of another client", &web, CB, NULL, BIND("qoc_client_spa", CB, true, NULL), 999, false},
		{"SECURITY.md: codes <= 60 s, dead at expires_at", &web, CB, NULL, BIND("qoc_client_web", CB, true, NULL), 1000, false},
		{"SECURITY.md: dead after expires_at", &web, CB, NULL, BIND("qoc_client_web", CB, true, NULL), 5000, false},
		{"RFC 6749 §4.1.3: redirect_uri required when it was sent", &web, NULL, NULL, BIND("qoc_client_web", CB, true, NULL), 999, false},
		{"RFC 6749 §4.1.3: redirect_uri optional when it was not", &web, NULL, NULL, BIND("qoc_client_web", CB, false, NULL), 999, true},
		{"SECURITY.md: compared with the URI the code was issued to", &web, CB, NULL, BIND("qoc_client_web", CB, false, NULL), 999, true},
		{"SECURITY.md: byte-exact (trailing slash)", &web, CB "/", NULL, BIND("qoc_client_web", CB, true, NULL), 999, false},
		{"SECURITY.md: byte-exact (case)", &web, "https://APP.example.com/cb", NULL, BIND("qoc_client_web", CB, true, NULL), 999, false},
		{"SECURITY.md: byte-exact (other loopback port)", &web, "http://127.0.0.1:2/cb", NULL, BIND("qoc_client_web", "http://127.0.0.1:1/cb", true, NULL), 999, false},
		{"SECURITY.md: byte-exact even when not required", &web, CB "x", NULL, BIND("qoc_client_web", CB, false, NULL), 999, false},
		{"RFC 7636 §4.6: challenge without verifier", &web, CB, NULL, BIND("qoc_client_web", CB, true, CHALLENGE), 999, false},
		{"SECURITY.md: PKCE downgrade (verifier without challenge)", &web, CB, VERIFIER, BIND("qoc_client_web", CB, true, NULL), 999, false},
		{"RFC 7636 §4.6: S256 mismatch", &web, CB, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX", BIND("qoc_client_web", CB, true, CHALLENGE), 999, false},
		{"RFC 7636 §4.6: plain is never accepted (verifier == challenge)", &web, CB, CHALLENGE, BIND("qoc_client_web", CB, true, CHALLENGE), 999, false},
		{"SECURITY.md: public clients must use PKCE (code without challenge)", &spa, CB, NULL, BIND("qoc_client_spa", CB, true, NULL), 999, false},
		{"issue 3: pkce_required app, code without challenge", &web_pkce, CB, NULL, BIND("qoc_client_web", CB, true, NULL), 999, false},
		{"RFC 7636 §4.6: public client with PKCE", &spa, CB, VERIFIER, BIND("qoc_client_spa", CB, true, CHALLENGE), 999, true},
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		const struct crow *r = &crows[i];
		struct qoc_token_request t = {.grant = AC,
		                              .code = "c",
		                              .redirect_uri = r->redirect_uri,
		                              .code_verifier = r->verifier};
		struct qoc_oauth_error e = {0};
		enum qoc_err got = qoc_token_code_check(&t, &r->code, r->app, r->now, &e);
		if ((got == QOC_OK) != r->ok)
			fail_msg("row %zu (%s): %d %s", i, r->clause, got, e.code ? e.code : "-");
		if (!r->ok) {
			/* RFC 6749 §5.2: invalid_grant; the caller has burned the code already */
			assert_string_equal(e.code, QOC_OAUTH_INVALID_GRANT);
			assert_true(oauth_description_ok(e.description));
		}
	}
	struct qoc_token_request t = {.grant = RT, .refresh_token = "r"};
	struct qoc_code_binding b = BIND("qoc_client_web", CB, false, NULL);
	struct qoc_oauth_error e;
	assert_int_equal(qoc_token_code_check(&t, &b, &web, 0, &e), QOC_EINVAL);
}

static struct qoc_scope scope_of(const char *s)
{
	struct qoc_scope sc;
	assert_int_equal(qoc_scope_parse(s, strlen(s), &sc), QOC_OK);
	return sc;
}

/* RFC 6749 §6, SECURITY.md: no scope escalation on refresh */
static void refresh_scope_narrows_only(void **state)
{
	(void)state;
	struct qoc_scope original = scope_of("openid email offline_access");
	struct qoc_scope granted;
	struct qoc_oauth_error e;
	char s[QOC_SCOPE_MAX_BYTES + 1];
	struct qoc_token_request t = {.grant = RT, .refresh_token = "r"};
	qoc_scope_init(&t.scope);
	assert_int_equal(qoc_token_refresh_scope(&t, &original, &granted, &e), QOC_OK);
	qoc_scope_format(&granted, s);
	assert_string_equal(s, "email offline_access openid");
	t.scope_given = true;
	t.scope = scope_of("email openid");
	assert_int_equal(qoc_token_refresh_scope(&t, &original, &granted, &e), QOC_OK);
	qoc_scope_format(&granted, s);
	assert_string_equal(s, "email openid");
	t.scope = scope_of("email profile");
	assert_int_equal(qoc_token_refresh_scope(&t, &original, &granted, &e), QOC_EINVAL);
	assert_string_equal(e.code, QOC_OAUTH_INVALID_SCOPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(form_rows),
	    cmocka_unit_test(parsed_fields),
	    cmocka_unit_test(code_binding),
	    cmocka_unit_test(refresh_scope_narrows_only),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
