/* Application settings rules (oauth/app_rules.h): defaults per type, and one table row
 * per rule, each naming the field (and list entry) it must report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "oauth/app_rules.h"

#define L(...)                                                                                     \
	((struct qoc_str_list){(const char *[]){__VA_ARGS__},                                      \
	                       sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)})
#define EMPTY ((struct qoc_str_list){NULL, 0})

struct rule_case {
	const char *what;
	const char *type; /* the defaults of this type, then the change below */
	void (*change)(struct qoc_app *app);
	const char *field; /* NULL: valid */
	int index;
};

/* Each change is one line; the table below reads as the rule book. */
#define CHANGE(fn, stmt)                                                                           \
	static void fn(struct qoc_app *a)                                                          \
	{                                                                                          \
		stmt;                                                                              \
	}

/* The list lives at file scope: the application keeps pointing at it after fn returns. */
#define LIST_CHANGE(fn, field, ...)                                                                \
	static const char *fn##_items[] = {__VA_ARGS__};                                           \
	static void fn(struct qoc_app *a)                                                          \
	{                                                                                          \
		a->field =                                                                         \
		    (struct qoc_str_list){fn##_items, sizeof(fn##_items) / sizeof(fn##_items[0])}; \
	}

static char name_101[102], name_100_accented[201], desc_1001[1002];

CHANGE(nothing, (void)a)
CHANGE(name_empty, a->name = "")
CHANGE(name_null, a->name = NULL)
CHANGE(name_long, a->name = name_101)
CHANGE(name_100_chars, a->name = name_100_accented)
CHANGE(name_control, a->name = "a\x01z")
CHANGE(name_del, a->name = "a\x7fz")
CHANGE(name_c1, a->name = "a\xc2\x85z")
CHANGE(name_newline, a->name = "two\nlines")
CHANGE(name_bad_utf8, a->name = "caf\xe9")
CHANGE(name_overlong, a->name = "\xc0\xaf")
CHANGE(name_surrogate, a->name = "\xed\xa0\x80")
CHANGE(name_blank, a->name = "   ")
CHANGE(name_unicode, a->name = "Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x9a\x80")
CHANGE(desc_long, a->description = desc_1001)
CHANGE(desc_lines, a->description = "line one\nline two\r\n\ttabbed")
CHANGE(desc_escape, a->description = "bell\x07")
CHANGE(desc_null, a->description = NULL)
CHANGE(type_bad, a->type = "desktop")
CHANGE(type_case, a->type = "Web")
CHANGE(status_bad, a->status = "paused")
CHANGE(status_inactive, a->status = "inactive")
CHANGE(status_suspended, a->status = "suspended")
CHANGE(format_jwt, a->token_format = "jwt")
CHANGE(format_bad, a->token_format = "JWT")
CHANGE(alg_es256, a->id_token_signed_response_alg = "ES256")
CHANGE(alg_eddsa, a->id_token_signed_response_alg = "EdDSA")
CHANGE(alg_none, a->id_token_signed_response_alg = "none")
CHANGE(alg_hs256, a->id_token_signed_response_alg = "HS256")
CHANGE(at_59, a->access_token_lifetime = 59)
CHANGE(at_60, a->access_token_lifetime = 60)
CHANGE(at_86400, a->access_token_lifetime = 86400)
CHANGE(at_86401, a->access_token_lifetime = 86401)
CHANGE(rt_299, a->refresh_token_lifetime = 299)
CHANGE(rt_300, a->refresh_token_lifetime = 300)
CHANGE(rt_max, a->refresh_token_lifetime = 31536000)
CHANGE(rt_over, a->refresh_token_lifetime = 31536001)
CHANGE(id_0, a->id_token_lifetime = 0)
CHANGE(id_negative, a->id_token_lifetime = -3600)
CHANGE(id_86401, a->id_token_lifetime = 86401)
CHANGE(grants_none, a->grant_types = EMPTY)
LIST_CHANGE(grants_unknown, grant_types, "password")
LIST_CHANGE(grants_twice, grant_types, "authorization_code", "authorization_code")
LIST_CHANGE(grants_cc, grant_types, "authorization_code", "client_credentials")
LIST_CHANGE(grants_implicit, grant_types, "authorization_code", "implicit")
LIST_CHANGE(grants_refresh_alone, grant_types, "refresh_token")
LIST_CHANGE(grants_refresh_cc, grant_types, "client_credentials", "refresh_token")
LIST_CHANGE(grants_all, grant_types, "authorization_code", "refresh_token", "client_credentials",
            "implicit")
LIST_CHANGE(grants_code_only, grant_types, "authorization_code")
CHANGE(pkce_off, a->pkce_required = false)
CHANGE(pkce_on, a->pkce_required = true)
LIST_CHANGE(redirect_ok, redirect_uris, "https://app.example.com/cb", "http://localhost:3000/cb",
            "https://*.example.com/cb")
LIST_CHANGE(redirect_http, redirect_uris, "https://ok.example/cb", "http://example.com/cb")
LIST_CHANGE(redirect_js, redirect_uris, "javascript:alert(1)")
LIST_CHANGE(redirect_fragment, redirect_uris, "https://app.example.com/cb#x")
LIST_CHANGE(redirect_userinfo, redirect_uris, "https://user@app.example.com/cb")
LIST_CHANGE(redirect_twice, redirect_uris, "https://a.example/cb", "https://a.example/cb")
LIST_CHANGE(redirect_case_differs, redirect_uris, "https://a.example/cb", "https://a.example/CB")
LIST_CHANGE(redirect_empty, redirect_uris, "")
LIST_CHANGE(redirect_null, redirect_uris, NULL)
LIST_CHANGE(redirect_custom, redirect_uris, "com.example.app:/oauth/cb")
LIST_CHANGE(sso_bad, sso_redirect_uris, "https://ok.example/sso", "ftp://x.example/")
LIST_CHANGE(logout_bad, logout_uris, "data:text/html,hi")
LIST_CHANGE(logout_ok, logout_uris, "https://app.example.com/bye")
LIST_CHANGE(origin_ok, allowed_origins, "https://app.example.com", "http://localhost:3000")
LIST_CHANGE(origin_path, allowed_origins, "https://app.example.com/")
LIST_CHANGE(origin_wildcard, allowed_origins, "https://*.example.com")
LIST_CHANGE(origin_twice, allowed_origins, "https://a.example", "https://a.example")

static const struct rule_case cases[] = {
    {"defaults are valid: web", "web", nothing, NULL, -1},
    {"defaults are valid: spa", "spa", nothing, NULL, -1},
    {"defaults are valid: mobile", "mobile", nothing, NULL, -1},
    {"defaults are valid: service", "service", nothing, NULL, -1},
    /* name: 1-100 characters, no control characters */
    {"name empty", "web", name_empty, "name", -1},
    {"name missing", "web", name_null, "name", -1},
    {"name of 101 characters", "web", name_long, "name", -1},
    {"name of 100 two-byte characters", "web", name_100_chars, NULL, -1},
    {"name with C0 control", "web", name_control, "name", -1},
    {"name with DEL", "web", name_del, "name", -1},
    {"name with C1 control (NEL)", "web", name_c1, "name", -1},
    {"name with a line break", "web", name_newline, "name", -1},
    {"name not UTF-8", "web", name_bad_utf8, "name", -1},
    {"name with an overlong form", "web", name_overlong, "name", -1},
    {"name with a surrogate", "web", name_surrogate, "name", -1},
    {"name blank", "web", name_blank, "name", -1},
    {"name with accents, symbols, emoji", "web", name_unicode, NULL, -1},
    /* description: up to 1000 characters, line breaks allowed */
    {"description of 1001 characters", "web", desc_long, "description", -1},
    {"description with line breaks and tab", "web", desc_lines, NULL, -1},
    {"description with a control character", "web", desc_escape, "description", -1},
    {"description absent", "web", desc_null, NULL, -1},
    /* enumerations */
    {"type unknown", "web", type_bad, "type", -1},
    {"type in another case", "web", type_case, "type", -1},
    {"status unknown", "web", status_bad, "status", -1},
    {"status inactive", "web", status_inactive, NULL, -1},
    {"status suspended", "web", status_suspended, NULL, -1},
    {"token format jwt", "web", format_jwt, NULL, -1},
    {"token format in another case", "web", format_bad, "token_format", -1},
    {"alg ES256", "web", alg_es256, NULL, -1},
    {"alg EdDSA", "spa", alg_eddsa, NULL, -1},
    {"alg none", "web", alg_none, "id_token_signed_response_alg", -1},
    {"alg HS256", "web", alg_hs256, "id_token_signed_response_alg", -1},
    /* lifetimes */
    {"access token 59 s", "web", at_59, "access_token_lifetime", -1},
    {"access token 60 s", "web", at_60, NULL, -1},
    {"access token 86400 s", "web", at_86400, NULL, -1},
    {"access token 86401 s", "web", at_86401, "access_token_lifetime", -1},
    {"refresh token 299 s", "web", rt_299, "refresh_token_lifetime", -1},
    {"refresh token 300 s", "web", rt_300, NULL, -1},
    {"refresh token 365 days", "web", rt_max, NULL, -1},
    {"refresh token over 365 days", "web", rt_over, "refresh_token_lifetime", -1},
    {"id token 0 s", "web", id_0, "id_token_lifetime", -1},
    {"id token negative", "web", id_negative, "id_token_lifetime", -1},
    {"id token 86401 s", "web", id_86401, "id_token_lifetime", -1},
    /* grant types */
    {"no grant type", "web", grants_none, "grant_types", -1},
    {"unknown grant type", "web", grants_unknown, "grant_types", 0},
    {"grant type twice", "web", grants_twice, "grant_types", 1},
    {"client_credentials for spa", "spa", grants_cc, "grant_types", 1},
    {"client_credentials for mobile", "mobile", grants_cc, "grant_types", 1},
    {"client_credentials for web", "web", grants_cc, NULL, -1},
    {"implicit for service", "service", grants_implicit, "grant_types", 1},
    {"implicit for spa (legacy, allowed)", "spa", grants_implicit, NULL, -1},
    {"refresh_token without authorization_code", "web", grants_refresh_alone, "grant_types", 0},
    {"refresh_token with client_credentials only", "service", grants_refresh_cc, "grant_types", 1},
    {"every grant for web", "web", grants_all, NULL, -1},
    {"authorization_code for service", "service", grants_code_only, NULL, -1},
    /* PKCE: always for public clients */
    {"spa without PKCE", "spa", pkce_off, "pkce_required", -1},
    {"mobile without PKCE", "mobile", pkce_off, "pkce_required", -1},
    {"web without PKCE", "web", pkce_off, NULL, -1},
    {"web with PKCE", "web", pkce_on, NULL, -1},
    /* redirect URIs (SECURITY.md "Redirect URIs") */
    {"https, loopback http, wildcard", "web", redirect_ok, NULL, -1},
    {"http off loopback", "web", redirect_http, "redirect_uris", 1},
    {"javascript: scheme", "spa", redirect_js, "redirect_uris", 0},
    {"fragment", "web", redirect_fragment, "redirect_uris", 0},
    {"userinfo", "web", redirect_userinfo, "redirect_uris", 0},
    {"the same URI twice", "web", redirect_twice, "redirect_uris", 1},
    {"URIs differing in case are different", "web", redirect_case_differs, NULL, -1},
    {"empty URI", "web", redirect_empty, "redirect_uris", 0},
    {"NULL URI", "web", redirect_null, "redirect_uris", 0},
    {"custom scheme for mobile", "mobile", redirect_custom, NULL, -1},
    {"custom scheme for web", "web", redirect_custom, "redirect_uris", 0},
    {"service with no redirect URI", "service", nothing, NULL, -1},
    {"bad SSO redirect URI", "web", sso_bad, "sso_redirect_uris", 1},
    {"bad logout URI", "web", logout_bad, "logout_uris", 0},
    {"logout URI", "web", logout_ok, NULL, -1},
    /* allowed origins: scheme://host[:port] only */
    {"origins", "spa", origin_ok, NULL, -1},
    {"origin with a path", "spa", origin_path, "allowed_origins", 0},
    {"origin with a wildcard", "spa", origin_wildcard, "allowed_origins", 0},
    {"the same origin twice", "spa", origin_twice, "allowed_origins", 1},
};

static struct qoc_app base_app(const char *type)
{
	struct qoc_app app = {.name = "My app", .description = "What it does"};
	assert_int_equal(qoc_app_defaults(type, &app), QOC_OK);
	return app;
}

static void every_rule(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rule_case *c = &cases[i];
		struct qoc_app app = base_app(c->type);
		c->change(&app);
		struct qoc_app_errors errs;
		bool ok = qoc_app_rules_check(&app, &errs);
		if (!c->field) {
			if (!ok)
				fail_msg("%s: unexpected error %s[%d]: %s", c->what,
				         errs.items[0].field, errs.items[0].index,
				         errs.items[0].message);
			continue;
		}
		if (ok || errs.count != 1)
			fail_msg("%s: want one error on %s, got %zu", c->what, c->field,
			         errs.count);
		if (strcmp(errs.items[0].field, c->field) != 0 || errs.items[0].index != c->index)
			fail_msg("%s: want %s[%d], got %s[%d] (%s)", c->what, c->field, c->index,
			         errs.items[0].field, errs.items[0].index, errs.items[0].message);
		assert_non_null(errs.items[0].message);
		assert_true(strlen(errs.items[0].message) > 0);
	}
}

/* Issue 13: the first-party application's name, and its case and spacing variants, are
 * not for another application (a look-alike consent page); near names stay free. */
static void first_party_names_are_reserved(void **state)
{
	(void)state;
	static const char *const taken[] = {
	    "QOC Cloud Console",
	    "qoc cloud console",
	    "QOC  Cloud Console",
	    " QOC Cloud Console ",
	    "QOCCloudConsole",
	    "QOC\tCloud\nConsole",
	    "QOC\xc2\xa0"
	    "Cloud Console",                                      /* NBSP */
	    "QOC\xe2\x80\x8b Cloud Console",                      /* ZWSP */
	    "\xef\xbc\xb1\xef\xbc\xaf\xef\xbc\xa3 Cloud Console", /* fullwidth QOC */
	};
	static const char *const free_names[] = {"QOC Cloud Console 2", "QOC Cloud Consol",
	                                         "My QOC Cloud Console", "Cloud Console", ""};
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		if (!qoc_app_name_reserved(taken[i]))
			fail_msg("not reserved: \"%s\"", taken[i]);
	for (size_t i = 0; i < sizeof(free_names) / sizeof(free_names[0]); i++)
		if (qoc_app_name_reserved(free_names[i]))
			fail_msg("reserved: \"%s\"", free_names[i]);
	/* the rule book names the field */
	struct qoc_app app = base_app("web");
	app.name = "qoc  CLOUD console";
	struct qoc_app_errors errs;
	assert_false(qoc_app_rules_check(&app, &errs));
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.items[0].field, "name");
	assert_non_null(strstr(errs.items[0].message, "reserved"));
}

static void defaults_per_type(void **state)
{
	(void)state;
	const char *types[] = {"web", "spa", "mobile", "service"};
	for (size_t i = 0; i < 4; i++) {
		struct qoc_app app = {0};
		assert_int_equal(qoc_app_defaults(types[i], &app), QOC_OK);
		bool service = i == 3, pub = i == 1 || i == 2;
		assert_string_equal(app.type, types[i]);
		assert_string_equal(app.status, "active");
		assert_int_equal(app.access_token_lifetime, 3600);
		assert_int_equal(app.refresh_token_lifetime, 2592000);
		assert_int_equal(app.id_token_lifetime, 3600);
		assert_string_equal(app.token_format, "opaque");
		assert_string_equal(app.id_token_signed_response_alg, "RS256");
		assert_int_equal(app.pkce_required, pub);
		assert_int_equal(app.redirect_uris.count, 0);
		assert_int_equal(app.allowed_origins.count, 0);
		assert_true(qoc_app_allows_grant(&app, "client_credentials") == service);
		assert_true(qoc_app_allows_grant(&app, "authorization_code") == !service);
		assert_true(qoc_app_allows_grant(&app, "refresh_token") == !service);
		assert_false(qoc_app_allows_grant(&app, "implicit"));
		assert_int_equal(app.grant_types.count, service ? 1 : 2);
		assert_int_equal(qoc_app_type_is_public(types[i]), pub);
	}
	/* An unknown type leaves the application as it was. */
	struct qoc_app app = {.name = "keep", .access_token_lifetime = 7};
	assert_int_equal(qoc_app_defaults("desktop", &app), QOC_EINVAL);
	assert_int_equal(qoc_app_defaults(NULL, &app), QOC_EINVAL);
	assert_int_equal(app.access_token_lifetime, 7);
	assert_null(app.type);
	assert_true(qoc_app_grant_is_legacy("implicit"));
	assert_false(qoc_app_grant_is_legacy("authorization_code"));
}

static void list_limits(void **state)
{
	(void)state;
	static char uris[QOC_APP_URIS_MAX + 1][64];
	static const char *ptrs[QOC_APP_URIS_MAX + 1];
	for (int i = 0; i <= QOC_APP_URIS_MAX; i++) {
		snprintf(uris[i], sizeof(uris[i]), "https://app%d.example.com/cb", i);
		ptrs[i] = uris[i];
	}
	struct qoc_app app = base_app("web");
	struct qoc_app_errors errs;
	app.redirect_uris = (struct qoc_str_list){ptrs, QOC_APP_URIS_MAX};
	assert_true(qoc_app_rules_check(&app, &errs));
	app.redirect_uris.count = QOC_APP_URIS_MAX + 1;
	assert_false(qoc_app_rules_check(&app, &errs));
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.items[0].field, "redirect_uris");
	assert_int_equal(errs.items[0].index, -1);

	/* 2048 bytes is the longest URI. */
	static char long_uri[QOC_APP_URI_MAX_BYTES + 2];
	const char *prefix = "https://app.example.com/";
	memset(long_uri, 'a', sizeof(long_uri) - 1);
	memcpy(long_uri, prefix, strlen(prefix));
	long_uri[QOC_APP_URI_MAX_BYTES] = '\0';
	const char *one[] = {long_uri};
	app.redirect_uris = (struct qoc_str_list){one, 1};
	assert_true(qoc_app_rules_check(&app, &errs));
	long_uri[QOC_APP_URI_MAX_BYTES] = 'a';
	assert_false(qoc_app_rules_check(&app, &errs));
	assert_int_equal(errs.count, 1);
	assert_int_equal(errs.items[0].index, 0);
}

/* Every problem is reported, not just the first; past the cap the list says so. */
static void all_errors_and_the_cap(void **state)
{
	(void)state;
	struct qoc_app app = base_app("spa");
	app.name = "";
	app.status = "x";
	app.pkce_required = false;
	app.access_token_lifetime = 1;
	app.grant_types = L("client_credentials");
	struct qoc_app_errors errs;
	assert_false(qoc_app_rules_check(&app, &errs));
	assert_int_equal(errs.count, 5);
	assert_false(errs.truncated);
	const char *fields[] = {"name", "status", "pkce_required", "access_token_lifetime",
	                        "grant_types"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(errs.items[i].field, fields[i]);

	static const char *bad[QOC_APP_URIS_MAX];
	for (int i = 0; i < QOC_APP_URIS_MAX; i++)
		bad[i] = "http://not-loopback.example/";
	app = base_app("web");
	app.redirect_uris = (struct qoc_str_list){bad, QOC_APP_URIS_MAX};
	assert_false(qoc_app_rules_check(&app, &errs));
	assert_int_equal(errs.count, QOC_APP_ERRORS_MAX);
	assert_true(errs.truncated);
}

int main(void)
{
	memset(name_101, 'n', 101);
	for (int i = 0; i < 100; i++)
		memcpy(name_100_accented + 2 * i, "\xc3\xa9", 2);
	memset(desc_1001, 'd', 1001);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_rule),
	    cmocka_unit_test(first_party_names_are_reserved),
	    cmocka_unit_test(defaults_per_type),
	    cmocka_unit_test(list_limits),
	    cmocka_unit_test(all_errors_and_the_cap),
	};
	return cmocka_run_group_tests_name("app_rules", tests, NULL, NULL);
}
