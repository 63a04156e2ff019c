/* Unit tests for src/oauth/authorize: every branch of authorization request validation,
 * each row citing its clause. "SECURITY.md" means /work/shared/SECURITY.md, "issue 3" the
 * QOC Login issue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "oauth/authorize.h"
#include "oauth_testutil.h"

/* RFC 7636 Appendix B */
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define PKCE "&code_challenge=" CHALLENGE "&code_challenge_method=S256"

#define WEB_CB "https%3A%2F%2Fapp.example.com%2Fcb"
#define SSO_CB "https%3A%2F%2Fsso.example.com%2Fcb"
#define W "client_id=qoc_client_web&redirect_uri=" WEB_CB
#define WC W "&response_type=code"
#define SPA "client_id=qoc_client_spa&redirect_uri=https%3A%2F%2Fspa.example.com%2Fcb"
#define IMP "client_id=qoc_client_imp&redirect_uri=https%3A%2F%2Fimp.example.com%2Fcb"

enum app_id {
	NO_APP = -1,
	WEB,
	SPA_APP,
	ONE,
	IMPLICIT,
	INACTIVE,
	SUSPENDED,
	WILD,
	SERVICE,
	NO_URI,
	MOBILE,
	WEB_PKCE,
	APP_COUNT
};

static struct qoc_app apps[APP_COUNT];

static struct qoc_app make_app(const char *id, const char *type, const char *status,
                               struct qoc_str_list redirects, struct qoc_str_list grants)
{
	struct qoc_app a = {0};
	a.client_id = id;
	a.type = type;
	a.status = status;
	a.redirect_uris = redirects;
	a.grant_types = grants;
	a.pkce_required = strcmp(type, "spa") == 0 || strcmp(type, "mobile") == 0;
	return a;
}

static const char *code_refresh[] = {"authorization_code", "refresh_token"};
static const char *code_only[] = {"authorization_code"};
static const char *code_implicit[] = {"authorization_code", "implicit"};
static const char *cc_only[] = {"client_credentials"};
static const char *web_uris[] = {"https://app.example.com/cb", "https://app.example.com/cb2?x=1",
                                 "http://127.0.0.1/loop"};
static const char *web_sso[] = {"https://sso.example.com/cb"};
static const char *spa_uris[] = {"https://spa.example.com/cb"};
static const char *one_uris[] = {"https://one.example.com/cb"};
static const char *imp_uris[] = {"https://imp.example.com/cb"};
static const char *wild_uris[] = {"https://*.wild.example.com/cb"};
static const char *svc_uris[] = {"https://svc.example.com/cb"};
static const char *mob_uris[] = {"com.example.app:/cb"};

static int setup_apps(void **state)
{
	(void)state;
	apps[WEB] = make_app("qoc_client_web", "web", "active", OAUTH_LIST(web_uris),
	                     OAUTH_LIST(code_refresh));
	apps[WEB].sso_redirect_uris = OAUTH_LIST(web_sso);
	apps[SPA_APP] = make_app("qoc_client_spa", "spa", "active", OAUTH_LIST(spa_uris),
	                         OAUTH_LIST(code_refresh));
	apps[ONE] = make_app("qoc_client_one", "web", "active", OAUTH_LIST(one_uris),
	                     OAUTH_LIST(code_only));
	apps[IMPLICIT] = make_app("qoc_client_imp", "web", "active", OAUTH_LIST(imp_uris),
	                          OAUTH_LIST(code_implicit));
	apps[INACTIVE] = apps[WEB];
	apps[INACTIVE].status = "inactive";
	apps[SUSPENDED] = apps[WEB];
	apps[SUSPENDED].status = "suspended";
	apps[WILD] = make_app("qoc_client_wild", "web", "active", OAUTH_LIST(wild_uris),
	                      OAUTH_LIST(code_refresh));
	apps[SERVICE] = make_app("qoc_client_svc", "service", "active", OAUTH_LIST(svc_uris),
	                         OAUTH_LIST(cc_only));
	apps[NO_URI] = make_app("qoc_client_nouri", "web", "active", OAUTH_EMPTY_LIST,
	                        OAUTH_LIST(code_refresh));
	apps[MOBILE] = make_app("qoc_client_mob", "mobile", "active", OAUTH_LIST(mob_uris),
	                        OAUTH_LIST(code_refresh));
	apps[WEB_PKCE] = apps[WEB];
	apps[WEB_PKCE].pkce_required = true;
	return 0;
}

static struct qoc_scope supported;

static struct qoc_authz_policy policy(int which)
{
	if (which == 0)
		return (struct qoc_authz_policy){.implicit = true, .form_post = true};
	const char *s = "openid profile email offline_access api";
	assert_int_equal(qoc_scope_parse(s, strlen(s), &supported), QOC_OK);
	return (struct qoc_authz_policy){
	    .implicit = false, .form_post = false, .scopes_supported = &supported};
}

/* Runs one request; fails the test when the form does not decode. */
static enum qoc_authz_disposition run(struct qoc_arena *a, int app, int pol, const char *query,
                                      struct qoc_authz_request *out, struct qoc_oauth_error *err)
{
	struct qoc_form f;
	struct qoc_authz_policy p = policy(pol);
	if (!oauth_form(a, query, &f))
		fail_msg("query does not decode: %s", query);
	return qoc_authz_validate(&f, app == NO_APP ? NULL : &apps[app], &p, out, err);
}

struct row {
	const char *clause;
	int app;
	int policy;
	const char *query;
	enum qoc_authz_disposition want;
	const char *code; /* NULL when valid */
};

#define V QOC_AUTHZ_VALID
#define SHOW QOC_AUTHZ_SHOW
#define REDIR QOC_AUTHZ_REDIRECT
#define IREQ QOC_OAUTH_INVALID_REQUEST

/* clang-format off */
static const struct row rows[] = {
	/* ---- client_id first: never redirected ---- */
	{"RFC 6749 §4.1.2.1: missing client_id", NO_APP, 0, "response_type=code&redirect_uri=" WEB_CB, SHOW, IREQ},
	{"RFC 6749 §4.1.2.1: missing client_id, app passed anyway", WEB, 0, "response_type=code&redirect_uri=" WEB_CB, SHOW, IREQ},
	{"RFC 6749 §4.1.2.1: empty client_id is absent", WEB, 0, "client_id=&response_type=code&redirect_uri=" WEB_CB, SHOW, IREQ},
	{"RFC 6749 §4.1.2.1: unknown client", NO_APP, 0, WC, SHOW, QOC_OAUTH_INVALID_CLIENT},
	{"RFC 6749 §4.1.2.1: record of another client", SPA_APP, 0, WC, SHOW, QOC_OAUTH_INVALID_CLIENT},
	{"SECURITY.md: client_id twice", WEB, 0, WC "&client_id=qoc_client_web", SHOW, IREQ},
	{"ARCHITECTURE.md §5: inactive app", INACTIVE, 0, WC, SHOW, QOC_OAUTH_INVALID_CLIENT},
	{"ARCHITECTURE.md §5: suspended app", SUSPENDED, 0, WC, SHOW, QOC_OAUTH_INVALID_CLIENT},
	{"SECURITY.md: client_id before everything (bad response_type too)", NO_APP, 0, W "&response_type=bogus", SHOW, QOC_OAUTH_INVALID_CLIENT},

	/* ---- redirect_uri second: never redirected ---- */
	{"RFC 6749 §3.1.2.3: absent with several registered", WEB, 0, "client_id=qoc_client_web&response_type=code", SHOW, IREQ},
	{"RFC 6749 §3.1.2.3: absent with one registered", ONE, 0, "client_id=qoc_client_one&response_type=code", V, NULL},
	{"RFC 6749 §3.1.2.3: absent, the one registered is a wildcard", WILD, 0, "client_id=qoc_client_wild&response_type=code", SHOW, IREQ},
	{"RFC 6749 §3.1.2.3: absent, none registered", NO_URI, 0, "client_id=qoc_client_nouri&response_type=code", SHOW, IREQ},
	{"OIDC Core §3.1.2.1: redirect_uri required with openid", ONE, 0, "client_id=qoc_client_one&response_type=code&scope=openid", SHOW, IREQ},
	{"SECURITY.md: not registered", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=https%3A%2F%2Fevil.example.com%2Fcb", SHOW, IREQ},
	{"SECURITY.md: no prefix match", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=" WEB_CB "%2F", SHOW, IREQ},
	{"SECURITY.md: no prefix match (extra path)", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=" WEB_CB "%2Fevil", SHOW, IREQ},
	{"SECURITY.md: no case folding", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=https%3A%2F%2FAPP.example.com%2Fcb", SHOW, IREQ},
	{"SECURITY.md: no percent-decoding", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fc%2562", SHOW, IREQ},
	{"SECURITY.md: no extra query", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=" WEB_CB "%3Fx%3D1", SHOW, IREQ},
	{"SECURITY.md: no fragment", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=" WEB_CB "%23x", SHOW, IREQ},
	{"SECURITY.md: no userinfo", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%40evil.com%2Fcb", SHOW, IREQ},
	{"RFC 6749 §3.1.2: registered query kept, exact", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb2%3Fx%3D1", V, NULL},
	{"RFC 8252 §7.3: loopback, any port", WEB, 0, "client_id=qoc_client_web&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A51234%2Floop", V, NULL},
	{"SECURITY.md: redirect_uri twice", WEB, 0, WC "&redirect_uri=" WEB_CB, SHOW, IREQ},
	{"SECURITY.md: redirect_uri checked before the rest", WEB, 0, "client_id=qoc_client_web&response_type=bogus&redirect_uri=https%3A%2F%2Fevil.example.com%2Fcb", SHOW, IREQ},
	{"issue 3: SSO URI for an OpenID request", WEB, 0, "client_id=qoc_client_web&response_type=code&scope=openid&redirect_uri=" SSO_CB, V, NULL},
	{"issue 3: SSO URI not for a plain OAuth request", WEB, 0, "client_id=qoc_client_web&response_type=code&scope=email&redirect_uri=" SSO_CB, SHOW, IREQ},
	{"issue 3: SSO URI not when the scope is malformed", WEB, 0, "client_id=qoc_client_web&response_type=code&scope=openid%20%20email&redirect_uri=" SSO_CB, SHOW, IREQ},
	{"issue 3: SSO URI not when scope is given twice", WEB, 0, "client_id=qoc_client_web&response_type=code&scope=openid&scope=openid&redirect_uri=" SSO_CB, SHOW, IREQ},
	{"SECURITY.md: wildcard matches one label", WILD, 0, "client_id=qoc_client_wild&response_type=code&redirect_uri=https%3A%2F%2Ft1.wild.example.com%2Fcb", V, NULL},
	{"SECURITY.md: wildcard never two labels", WILD, 0, "client_id=qoc_client_wild&response_type=code&redirect_uri=https%3A%2F%2Fa.b.wild.example.com%2Fcb", SHOW, IREQ},
	{"RFC 8252 §7.1: custom scheme for a mobile app", MOBILE, 0, "client_id=qoc_client_mob&response_type=code&redirect_uri=com.example.app%3A%2Fcb" PKCE, V, NULL},

	/* ---- state third: shown when it could not be echoed exactly ---- */
	{"SECURITY.md: state twice cannot be echoed", WEB, 0, WC "&state=a&state=b", SHOW, IREQ},
	{"SECURITY.md: empty state is absent", WEB, 0, WC "&state=", V, NULL},

	/* ---- everything else: redirected ---- */
	{"SECURITY.md: any parameter twice (unknown)", WEB, 0, WC "&foo=1&foo=2", REDIR, IREQ},
	{"SECURITY.md: any parameter twice (known)", WEB, 0, WC "&scope=openid&scope=email", REDIR, IREQ},
	{"SECURITY.md: any parameter twice (even empty)", WEB, 0, WC "&nonce=&nonce=", REDIR, IREQ},
	{"SECURITY.md: unknown parameters are ignored", WEB, 0, WC "&foo=bar&resource=x", V, NULL},
	{"SECURITY.md: empty parameters are absent", WEB, 0, WC "&code_challenge=&code_challenge_method=&prompt=&max_age=&claims=", V, NULL},
	{"OIDC Core §6.1: request object", WEB, 0, WC "&request=eyJhbGciOiJub25lIn0.e30.", REDIR, QOC_OAUTH_REQUEST_NOT_SUPPORTED},
	{"OIDC Core §6.2: request_uri", WEB, 0, WC "&request_uri=https%3A%2F%2Fx", REDIR, QOC_OAUTH_REQUEST_URI_NOT_SUPPORTED},
	{"RFC 6749 §4.1.1: response_type required", WEB, 0, W, REDIR, IREQ},
	{"RFC 6749 §4.1.2.1: unknown response_type", WEB, 0, W "&response_type=bogus", REDIR, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE},
	{"RFC 6749 §3.1.1: values are case-sensitive", WEB, 0, W "&response_type=Code", REDIR, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE},
	{"issue 3: hybrid flows are not offered", IMPLICIT, 0, IMP "&response_type=code%20id_token&scope=openid&nonce=n", REDIR, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE},
	{"Multiple Response Types §4: none is not offered", WEB, 0, W "&response_type=none", REDIR, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE},
	{"RFC 6749 §3.1.1: a value twice in response_type", WEB, 0, W "&response_type=code%20code", REDIR, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE},
	{"RFC 6749 §3.1.1: empty value in response_type", IMPLICIT, 0, IMP "&response_type=id_token%20%20token&scope=openid&nonce=n", REDIR, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE},
	{"RFC 6749 §4.2.2.1: implicit not enabled for the app", WEB, 0, W "&response_type=token", REDIR, QOC_OAUTH_UNAUTHORIZED_CLIENT},
	{"RFC 6749 §4.2.2.1: implicit not enabled (id_token)", WEB, 0, W "&response_type=id_token&scope=openid&nonce=n", REDIR, QOC_OAUTH_UNAUTHORIZED_CLIENT},
	{"RFC 6749 §4.1.2.1: code flow not enabled for the app", SERVICE, 0, "client_id=qoc_client_svc&response_type=code&redirect_uri=https%3A%2F%2Fsvc.example.com%2Fcb", REDIR, QOC_OAUTH_UNAUTHORIZED_CLIENT},
	{"RFC 6749 §4.2.1: token for an app with implicit", IMPLICIT, 0, IMP "&response_type=token", V, NULL},
	{"OIDC Core §3.2.2.1: id_token token", IMPLICIT, 0, IMP "&response_type=id_token%20token&scope=openid&nonce=n", V, NULL},
	{"Multiple Response Types §3: order does not matter", IMPLICIT, 0, IMP "&response_type=token%20id_token&scope=openid&nonce=n", V, NULL},
	{"issue 3: implicit switched off for the issuer", IMPLICIT, 1, IMP "&response_type=token", REDIR, QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE},
	{"OIDC Core §3.2.2.1: id_token needs openid", IMPLICIT, 0, IMP "&response_type=id_token&nonce=n&scope=email", REDIR, QOC_OAUTH_INVALID_SCOPE},
	{"OIDC Core §3.2.2.1: id_token needs a nonce", IMPLICIT, 0, IMP "&response_type=id_token&scope=openid", REDIR, IREQ},
	{"OIDC Core §3.2.2.1: id_token token needs a nonce", IMPLICIT, 0, IMP "&response_type=id_token%20token&scope=openid", REDIR, IREQ},
	{"Multiple Response Types §2.1: no tokens in the query", IMPLICIT, 0, IMP "&response_type=token&response_mode=query", REDIR, IREQ},
	{"Multiple Response Types §2.1: unknown response_mode", WEB, 0, WC "&response_mode=web_message", REDIR, IREQ},
	{"Form Post Response Mode: offered", WEB, 0, WC "&response_mode=form_post", V, NULL},
	{"Form Post Response Mode: switched off", WEB, 1, WC "&response_mode=form_post", REDIR, IREQ},
	{"Multiple Response Types §2.1: code in the fragment", WEB, 0, WC "&response_mode=fragment", V, NULL},
	{"RFC 6749 §3.3: malformed scope", WEB, 0, WC "&scope=openid%20%20email", REDIR, QOC_OAUTH_INVALID_SCOPE},
	{"RFC 6749 §3.3: scope with a quote", WEB, 0, WC "&scope=a%22b", REDIR, QOC_OAUTH_INVALID_SCOPE},
	{"RFC 6749 §3.3: scope not offered", WEB, 1, WC "&scope=openid%20admin", REDIR, QOC_OAUTH_INVALID_SCOPE},
	{"RFC 6749 §3.3: scope offered", WEB, 1, WC "&scope=openid%20api", V, NULL},
	{"RFC 6749 §3.3: absent scope is allowed", WEB, 0, WC, V, NULL},
	{"RFC 7636 §4.3, SECURITY.md: S256 only (plain)", WEB, 0, WC "&code_challenge=" CHALLENGE "&code_challenge_method=plain", REDIR, IREQ},
	{"RFC 7636 §4.3, SECURITY.md: S256 only (case)", WEB, 0, WC "&code_challenge=" CHALLENGE "&code_challenge_method=s256", REDIR, IREQ},
	{"SECURITY.md: a method without a challenge", WEB, 0, WC "&code_challenge_method=S256", REDIR, IREQ},
	{"RFC 7636 §4.3: no method means plain, which is not offered", WEB, 0, WC "&code_challenge=" CHALLENGE, REDIR, IREQ},
	{"RFC 7636 §4.2: challenge of 42 characters", WEB, 0, WC "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c&code_challenge_method=S256", REDIR, IREQ},
	{"RFC 7636 §4.2: challenge of 44 characters", WEB, 0, WC "&code_challenge=" CHALLENGE "M&code_challenge_method=S256", REDIR, IREQ},
	{"RFC 7636 §4.2: challenge not base64url", WEB, 0, WC "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM&code_challenge_method=S256", REDIR, IREQ},
	{"SECURITY.md: public SPA must use PKCE", SPA_APP, 0, SPA "&response_type=code", REDIR, IREQ},
	{"SECURITY.md: public mobile app must use PKCE", MOBILE, 0, "client_id=qoc_client_mob&response_type=code&redirect_uri=com.example.app%3A%2Fcb", REDIR, IREQ},
	{"issue 3: pkce_required web app must use PKCE", WEB_PKCE, 0, WC, REDIR, IREQ},
	{"RFC 7636 §4.3: SPA with S256", SPA_APP, 0, SPA "&response_type=code" PKCE, V, NULL},
	{"issue 3: PKCE honoured for confidential clients", WEB, 0, WC PKCE, V, NULL},
	{"RFC 7636 §4.3: a bad method is ignored without a code", IMPLICIT, 0, IMP "&response_type=token&code_challenge_method=plain", V, NULL},
	{"OIDC Core §3.1.2.1: prompt=none alone", WEB, 0, WC "&prompt=none", V, NULL},
	{"OIDC Core §3.1.2.1: prompt=none with another value", WEB, 0, WC "&prompt=none%20login", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: prompt=login consent", WEB, 0, WC "&prompt=login%20consent", V, NULL},
	{"OIDC Core §3.1.2.1: prompt=select_account", WEB, 0, WC "&prompt=select_account", V, NULL},
	{"OIDC Core §3.1.2.1: unknown prompt value", WEB, 0, WC "&prompt=always", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: prompt with an empty value", WEB, 0, WC "&prompt=login%20%20consent", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: max_age=0", WEB, 0, WC "&max_age=0", V, NULL},
	{"OIDC Core §3.1.2.1: max_age negative", WEB, 0, WC "&max_age=-1", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: max_age with a sign", WEB, 0, WC "&max_age=%2B5", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: max_age not a number", WEB, 0, WC "&max_age=1h", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: max_age with spaces", WEB, 0, WC "&max_age=%2010", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: max_age overflowing", WEB, 0, WC "&max_age=99999999999999999999999", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: max_age over ten years", WEB, 0, WC "&max_age=315360001", REDIR, IREQ},
	{"OIDC Core §3.1.2.1: display=popup", WEB, 0, WC "&display=popup", V, NULL},
	{"OIDC Core §3.1.2.1: unknown display", WEB, 0, WC "&display=tv", REDIR, IREQ},
	{"OIDC Core §5.5: claims not JSON", WEB, 0, WC "&scope=openid&claims=%7B", REDIR, IREQ},
	{"OIDC Core §5.5: claims an array", WEB, 0, WC "&scope=openid&claims=%5B%5D", REDIR, IREQ},
	{"OIDC Core §5.5: claims.userinfo not an object", WEB, 0, WC "&scope=openid&claims=%7B%22userinfo%22%3A%5B%5D%7D", REDIR, IREQ},
	{"OIDC Core §5.5.1: essential not a boolean", WEB, 0, WC "&scope=openid&claims=%7B%22id_token%22%3A%7B%22email%22%3A%7B%22essential%22%3A%22yes%22%7D%7D%7D", REDIR, IREQ},
	{"OIDC Core §5.5.1: values not an array", WEB, 0, WC "&scope=openid&claims=%7B%22id_token%22%3A%7B%22acr%22%3A%7B%22values%22%3A%22x%22%7D%7D%7D", REDIR, IREQ},
	{"OIDC Core §5.5.1: a claim request not null or an object", WEB, 0, WC "&scope=openid&claims=%7B%22id_token%22%3A%7B%22email%22%3Atrue%7D%7D", REDIR, IREQ},
	{"RFC 8259 §4 / SECURITY.md: duplicate JSON keys", WEB, 0, WC "&scope=openid&claims=%7B%22id_token%22%3A%7B%7D%2C%22id_token%22%3A%7B%7D%7D", REDIR, IREQ},
	{"OIDC Core §5.5: unknown members are ignored", WEB, 0, WC "&scope=openid&claims=%7B%22x%22%3A1%2C%22userinfo%22%3Anull%7D", V, NULL},
	{"OIDC Core §5.5: errors after the first are not reached", WEB, 0, WC "&response_mode=bogus&prompt=bogus", REDIR, IREQ},
};
/* clang-format on */

static void rows_follow_their_clauses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct qoc_arena a;
		struct qoc_authz_request out;
		struct qoc_oauth_error err;
		qoc_arena_init(&a, 0);
		enum qoc_authz_disposition got = run(&a, r->app, r->policy, r->query, &out, &err);
		if (got != r->want)
			fail_msg("row %zu (%s): disposition %d, want %d (%s: %s)", i, r->clause,
			         got, r->want, err.code ? err.code : "-",
			         err.description ? err.description : "-");
		if (r->want == V) {
			if (err.code)
				fail_msg("row %zu (%s): error set on success", i, r->clause);
			assert_non_null(out.redirect_uri);
			assert_non_null(out.client_id);
		} else {
			if (!err.code || strcmp(err.code, r->code) != 0)
				fail_msg("row %zu (%s): code %s, want %s", i, r->clause,
				         err.code ? err.code : "-", r->code);
			/* RFC 6749 §4.1.2.1: error_description charset, static text */
			if (!oauth_description_ok(err.description) || !oauth_code_known(err.code))
				fail_msg("row %zu (%s): bad description", i, r->clause);
			if (got == SHOW && err.status != 400)
				fail_msg("row %zu: a shown error is a 400 page", i);
			if (got == REDIR && !out.redirect_uri)
				fail_msg("row %zu: a redirected error needs a redirect_uri", i);
		}
		qoc_arena_release(&a);
	}
}

static enum qoc_authz_disposition run1(int app, const char *query, struct qoc_authz_request *out,
                                       struct qoc_oauth_error *err, struct qoc_arena *a)
{
	qoc_arena_init(a, 0);
	return run(a, app, 0, query, out, err);
}

/* RFC 6749 §4.1.1, OIDC Core §3.1.2.1: what a valid code request yields */
static void valid_request_fields(void **state)
{
	(void)state;
	struct qoc_arena a;
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	assert_int_equal(
	    run1(WEB,
	         WC "&scope=profile%20openid%20email%20openid&state=af0ifjsldkj&nonce=n-0S6"
	            "&prompt=login%20consent&max_age=3600&login_hint=a%40b.c&ui_locales=fr"
	            "&acr_values=1&display=touch&id_token_hint=h.p.s" PKCE,
	         &r, &e, &a),
	    V);
	assert_string_equal(r.client_id, "qoc_client_web");
	assert_string_equal(r.redirect_uri, "https://app.example.com/cb");
	assert_true(r.redirect_uri_given);
	assert_int_equal(r.response_type, QOC_RESPONSE_TYPE_CODE);
	assert_int_equal(r.response_mode, QOC_RESPONSE_MODE_QUERY); /* Multiple RT §2.1 */
	char scope[QOC_SCOPE_MAX_BYTES + 1];
	qoc_scope_format(&r.scope, scope);
	assert_string_equal(scope, "email openid profile");
	assert_true(r.openid);
	assert_false(r.offline_access);
	assert_string_equal(r.state, "af0ifjsldkj");
	assert_string_equal(r.nonce, "n-0S6");
	assert_string_equal(r.code_challenge, CHALLENGE);
	assert_int_equal(r.prompt, QOC_PROMPT_LOGIN | QOC_PROMPT_CONSENT);
	assert_int_equal(r.max_age, 3600);
	assert_string_equal(r.login_hint, "a@b.c");
	assert_string_equal(r.ui_locales, "fr");
	assert_string_equal(r.acr_values, "1");
	assert_string_equal(r.id_token_hint, "h.p.s");
	assert_int_equal(r.display, QOC_DISPLAY_TOUCH);
	assert_null(r.claims);
	qoc_arena_release(&a);

	/* absent optional parameters */
	assert_int_equal(run1(WEB, WC, &r, &e, &a), V);
	assert_null(r.state);
	assert_null(r.nonce);
	assert_null(r.code_challenge);
	assert_int_equal(r.max_age, -1);
	assert_int_equal(r.prompt, 0);
	assert_int_equal(r.display, QOC_DISPLAY_PAGE);
	assert_int_equal(r.scope.count, 0);
	assert_false(r.openid);
	qoc_arena_release(&a);

	/* RFC 6749 §3.1.2.3: the default redirect URI is not "given" (RFC 6749 §4.1.3) */
	assert_int_equal(run1(ONE, "client_id=qoc_client_one&response_type=code", &r, &e, &a), V);
	assert_string_equal(r.redirect_uri, "https://one.example.com/cb");
	assert_false(r.redirect_uri_given);
	qoc_arena_release(&a);

	/* RFC 8252 §7.3: the URI the response goes to is the one sent, port included */
	assert_int_equal(
	    run1(WEB,
	         "client_id=qoc_client_web&response_type=code&redirect_uri=http%3A%2F%2F"
	         "127.0.0.1%3A51234%2Floop",
	         &r, &e, &a),
	    V);
	assert_string_equal(r.redirect_uri, "http://127.0.0.1:51234/loop");
	qoc_arena_release(&a);
}

/* Multiple Response Type Encoding Practices §2.1 and §5, Form Post Response Mode */
static void response_modes(void **state)
{
	(void)state;
	struct qoc_arena a;
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	static const struct {
		int app;
		const char *query;
		enum qoc_authz_disposition disp;
		enum qoc_response_mode mode;
	} cases[] = {
	    /* defaults: code -> query, tokens -> fragment */
	    {WEB, WC, V, QOC_RESPONSE_MODE_QUERY},
	    {IMPLICIT, IMP "&response_type=token", V, QOC_RESPONSE_MODE_FRAGMENT},
	    {IMPLICIT, IMP "&response_type=id_token&scope=openid&nonce=n", V,
	     QOC_RESPONSE_MODE_FRAGMENT},
	    {WEB, WC "&response_mode=form_post", V, QOC_RESPONSE_MODE_FORM_POST},
	    {IMPLICIT, IMP "&response_type=token&response_mode=form_post", V,
	     QOC_RESPONSE_MODE_FORM_POST},
	    /* errors go where the response would have gone */
	    {WEB, WC "&scope=a%22b&response_mode=form_post", REDIR, QOC_RESPONSE_MODE_FORM_POST},
	    {WEB, WC "&scope=a%22b&response_mode=fragment", REDIR, QOC_RESPONSE_MODE_FRAGMENT},
	    {IMPLICIT, IMP "&response_type=token&prompt=x", REDIR, QOC_RESPONSE_MODE_FRAGMENT},
	    /* RFC 6749 §4.2.2.1: implicit errors in the fragment, even unauthorized_client */
	    {WEB, W "&response_type=token", REDIR, QOC_RESPONSE_MODE_FRAGMENT},
	    /* a query refused for tokens: the error goes in the fragment */
	    {IMPLICIT, IMP "&response_type=token&response_mode=query", REDIR,
	     QOC_RESPONSE_MODE_FRAGMENT},
	    /* unknown response_type: RFC 6749 §4.1.2.1 query */
	    {WEB, W "&response_type=bogus", REDIR, QOC_RESPONSE_MODE_QUERY},
	    {WEB, W "&response_type=bogus&response_mode=fragment", REDIR,
	     QOC_RESPONSE_MODE_FRAGMENT},
	    /* an invalid response_mode is not used for the error */
	    {WEB, WC "&response_mode=bogus", REDIR, QOC_RESPONSE_MODE_QUERY},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum qoc_authz_disposition d = run1(cases[i].app, cases[i].query, &r, &e, &a);
		if (d != cases[i].disp || r.response_mode != cases[i].mode)
			fail_msg("case %zu: disposition %d mode %d", i, d, r.response_mode);
		qoc_arena_release(&a);
	}
}

/* SECURITY.md: state byte-exact; limit 1024 bytes, never truncated */
static void state_is_kept_exact_and_bounded(void **state)
{
	(void)state;
	struct qoc_arena a;
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	char q[4096];
	char st[1100];
	memset(st, 'x', sizeof(st));
	st[1024] = '\0';
	snprintf(q, sizeof(q), "%s&state=%s", WC, st);
	assert_int_equal(run1(WEB, q, &r, &e, &a), V);
	assert_int_equal(strlen(r.state), 1024);
	qoc_arena_release(&a);
	st[1024] = 'x';
	st[1025] = '\0';
	snprintf(q, sizeof(q), "%s&state=%s", WC, st);
	assert_int_equal(run1(WEB, q, &r, &e, &a), SHOW);
	assert_string_equal(e.code, IREQ);
	qoc_arena_release(&a);

	assert_int_equal(run1(WEB, WC "&state=a%20b%2Bc%26d%3De%23f%25%C3%A9%3C%3E", &r, &e, &a),
	                 V);
	assert_string_equal(r.state, "a b+c&d=e#f%\xc3\xa9<>");
	qoc_arena_release(&a);

	/* a redirected error carries the state (RFC 6749 §4.1.2.1) */
	assert_int_equal(run1(WEB, WC "&state=s1&prompt=bogus", &r, &e, &a), REDIR);
	assert_string_equal(r.state, "s1");
	assert_string_equal(r.redirect_uri, "https://app.example.com/cb");
	qoc_arena_release(&a);
}

static void over_long_values_are_refused(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		size_t max;
	} limits[] = {
	    {"nonce", QOC_AUTHZ_NONCE_MAX},
	    {"login_hint", QOC_AUTHZ_HINT_MAX},
	    {"ui_locales", QOC_AUTHZ_HINT_MAX},
	    {"acr_values", QOC_AUTHZ_HINT_MAX},
	    {"id_token_hint", QOC_AUTHZ_ID_TOKEN_HINT_MAX},
	};
	static char q[16384], v[9000];
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		for (int over = 0; over < 2; over++) {
			struct qoc_arena a;
			struct qoc_authz_request r;
			struct qoc_oauth_error e;
			size_t n = limits[i].max + (size_t)over;
			memset(v, 'a', n);
			v[n] = '\0';
			snprintf(q, sizeof(q), "%s&%s=%s", WC, limits[i].name, v);
			enum qoc_authz_disposition d = run1(WEB, q, &r, &e, &a);
			if (d != (over ? REDIR : V))
				fail_msg("%s of %zu bytes: %d", limits[i].name, n, d);
			qoc_arena_release(&a);
		}
	}
	/* OIDC Core §5.5: claims bounded too */
	struct qoc_arena a;
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	memset(v, ' ', 5000);
	v[0] = '{';
	v[4999] = '}';
	v[5000] = '\0';
	char *p = q + snprintf(q, sizeof(q), "%s&scope=openid&claims=", WC);
	for (size_t i = 0; i < 5000; i++)
		*p++ = v[i] == ' ' ? '+' : v[i];
	*p = '\0';
	assert_int_equal(run1(WEB, q, &r, &e, &a), REDIR);
	qoc_arena_release(&a);
}

/* OIDC Core §11: offline_access only with a code, openid and the refresh_token grant */
static void offline_access_rule(void **state)
{
	(void)state;
	struct qoc_arena a;
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	char s[QOC_SCOPE_MAX_BYTES + 1];
	assert_int_equal(run1(WEB, WC "&scope=openid%20offline_access", &r, &e, &a), V);
	assert_true(r.offline_access);
	qoc_scope_format(&r.scope, s);
	assert_string_equal(s, "offline_access openid");
	qoc_arena_release(&a);
	/* without openid it is not an OpenID request: dropped */
	assert_int_equal(run1(WEB, WC "&scope=offline_access%20email", &r, &e, &a), V);
	assert_false(r.offline_access);
	qoc_scope_format(&r.scope, s);
	assert_string_equal(s, "email");
	qoc_arena_release(&a);
	/* §11: "MUST ignore" unless a code is returned */
	assert_int_equal(
	    run1(IMPLICIT,
	         IMP "&response_type=id_token%20token&scope=openid%20offline_access&nonce=n", &r,
	         &e, &a),
	    V);
	assert_false(r.offline_access);
	assert_false(qoc_scope_contains(&r.scope, "offline_access"));
	qoc_arena_release(&a);
	/* the app cannot use refresh tokens */
	assert_int_equal(
	    run1(ONE,
	         "client_id=qoc_client_one&response_type=code&scope=openid%20offline_access&"
	         "redirect_uri=https%3A%2F%2Fone.example.com%2Fcb",
	         &r, &e, &a),
	    V);
	assert_false(r.offline_access);
	qoc_arena_release(&a);
}

/* OIDC Core §5.5: the claims parameter, known claims as bits, essential noted */
static void claims_are_summarised(void **state)
{
	(void)state;
	struct qoc_arena a;
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	/* {"userinfo":{"email":{"essential":true},"name":null,"nickname":null},
	 *  "id_token":{"auth_time":{"essential":true},"acr":{"values":["1"]},"email":{"essential":false}}}
	 */
	const char *q =
	    WC "&scope=openid&claims=%7B%22userinfo%22%3A%7B%22email%22%3A%7B%22essential%22"
	       "%3Atrue%7D%2C%22name%22%3Anull%2C%22nickname%22%3Anull%7D%2C%22id_token%22%3A"
	       "%7B%22auth_time%22%3A%7B%22essential%22%3Atrue%7D%2C%22acr%22%3A%7B%22values"
	       "%22%3A%5B%221%22%5D%7D%2C%22email%22%3A%7B%22essential%22%3Afalse%7D%7D%7D";
	assert_int_equal(run1(WEB, q, &r, &e, &a), V);
	assert_non_null(r.claims);
	assert_int_equal(r.claims_userinfo, QOC_CLAIM_EMAIL | QOC_CLAIM_NAME);
	assert_int_equal(r.claims_userinfo_essential, QOC_CLAIM_EMAIL);
	assert_int_equal(r.claims_id_token, QOC_CLAIM_AUTH_TIME | QOC_CLAIM_ACR | QOC_CLAIM_EMAIL);
	assert_int_equal(r.claims_id_token_essential, QOC_CLAIM_AUTH_TIME);
	qoc_arena_release(&a);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(qoc_response_type_name(QOC_RESPONSE_TYPE_CODE), "code");
	assert_string_equal(qoc_response_type_name(QOC_RESPONSE_TYPE_ID_TOKEN_TOKEN),
	                    "id_token token");
	assert_false(qoc_response_type_is_implicit(QOC_RESPONSE_TYPE_CODE));
	assert_true(qoc_response_type_is_implicit(QOC_RESPONSE_TYPE_TOKEN));
	struct qoc_arena a;
	struct qoc_form f;
	qoc_arena_init(&a, 0);
	assert_true(oauth_form(&a, "client_id=x&client_id=y", &f));
	assert_null(qoc_authz_client_id(&f));
	assert_true(oauth_form(&a, "client_id=", &f));
	assert_null(qoc_authz_client_id(&f));
	assert_true(oauth_form(&a, "client_id=abc", &f));
	assert_string_equal(qoc_authz_client_id(&f), "abc");
	qoc_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rows_follow_their_clauses),
	    cmocka_unit_test(valid_request_fields),
	    cmocka_unit_test(response_modes),
	    cmocka_unit_test(state_is_kept_exact_and_bounded),
	    cmocka_unit_test(over_long_values_are_refused),
	    cmocka_unit_test(offline_access_rule),
	    cmocka_unit_test(claims_are_summarised),
	    cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, setup_apps, NULL);
}
