/* Unit tests for src/oauth/grant.c, issue.c and introspect.c on a real SQLite store, no
 * socket: code exchange, reuse, PKCE, refresh rotation and reuse, client credentials,
 * introspection rules. Each security rule names its SECURITY.md clause or RFC. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "console/accounts.h"
#include "console/apps.h"
#include "crypto/pkce.h"
#include "crypto/token.h"
#include "oauth/grant.h"
#include "oauth/introspect.h"
#include "oauth_testutil.h"
#include "oidc/access_token_verify.h"
#include "oidc/id_token.h"
#include "store/store_oauth.h"
#include "support/oidc_fixture.h"

#define REDIRECT "https://app.example.com/cb"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

struct fx {
	struct oidc_fixture o;
	struct qoc_apps_ctx apps;
	struct qoc_issue_ctx ictx;
	struct qoc_introspect_ctx nctx;
	struct qoc_arena a;
	char account_id[32];
	char team_id[64];
	struct qoc_app web, svc, other; /* read back from the store, in a */
	int seq;
};

static void make_app(struct fx *f, const char *type, const char *format, struct qoc_app *out)
{
	static const char *const uris[] = {REDIRECT};
	static const struct qoc_str_list redirects = {(const char **)uris, 1};
	struct qoc_app_input in = {.team_id = f->team_id,
	                           .owner_id = f->account_id,
	                           .type = type,
	                           .name = "App",
	                           .token_format = format};
	if (strcmp(type, "service") != 0)
		in.redirect_uris = &redirects;
	struct qoc_apps_actor actor = {f->account_id, NULL};
	struct qoc_apps_created c;
	assert_int_equal(qoc_apps_create(&f->apps, &actor, &in, &f->a, &c), QOC_OK);
	qoc_apps_secret_wipe(&c.secret);
	assert_int_equal(qoc_store_app_get(f->o.t.st, &f->a, c.app.client_id, out), QOC_OK);
}

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	oidc_fixture_open(&f.o);
	qoc_arena_init(&f.a, 0);
	struct qoc_account_input in = {"ada@example.com", "Ada", NULL, 0, false};
	const char *why = NULL;
	assert_int_equal(
	    qoc_account_create(f.o.t.st, &f.o.clock, &in, f.account_id, sizeof(f.account_id), &why),
	    QOC_OK);
	snprintf(f.team_id, sizeof(f.team_id), "team_%s", f.account_id);
	assert_int_equal(qoc_apps_ctx_init(&f.apps, f.o.t.st, &f.o.clock, oidc_test_master),
	                 QOC_OK);
	make_app(&f, "web", NULL, &f.web);
	make_app(&f, "service", NULL, &f.svc);
	make_app(&f, "web", NULL, &f.other);
	f.ictx = (struct qoc_issue_ctx){f.o.t.st, f.o.signer, &f.o.clock, OIDC_TEST_ISSUER,
	                                QOC_JWS_ES256};
	f.nctx = (struct qoc_introspect_ctx){f.o.t.st, f.o.signer, OIDC_TEST_ISSUER};
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	qoc_apps_ctx_release(&f->apps);
	qoc_arena_release(&f->a);
	oidc_fixture_close(&f->o);
	return 0;
}

/* A code as the authorization endpoint stores it; returns the clear code (arena). */
static const char *make_code(struct fx *f, const struct qoc_app *app, const char *scope,
                             const char *challenge)
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	const char *code =
	    qoc_arena_printf(&f->a, "qoc_ac_test_code_%d_0123456789abcdef", ++f->seq);
	const char *fam = qoc_arena_printf(&f->a, "fam_test_%d", f->seq);
	assert_int_equal(qoc_token_hash(code, strlen(code), hash), QOC_OK);
	struct qoc_auth_code c = {.code_hash = hash,
	                          .client_id = app->client_id,
	                          .account_id = f->account_id,
	                          .redirect_uri = REDIRECT,
	                          .scope = scope,
	                          .nonce = "n-0S6_WzA2Mj",
	                          .code_challenge = challenge,
	                          .auth_time = f->o.now - 5,
	                          .sid = "sid-1",
	                          .family_id = fam,
	                          .created_at = f->o.now,
	                          .expires_at = f->o.now + 60};
	assert_int_equal(qoc_store_code_create(f->o.t.st, &c), QOC_OK);
	return code;
}

/* Parses a token request for app from a query-like string and runs the grant. */
static enum qoc_err grant(struct fx *f, const struct qoc_app *app, const char *form_text,
                          struct qoc_issued *out, struct qoc_oauth_error *err)
{
	struct qoc_form form;
	struct qoc_token_request req;
	assert_true(oauth_form(&f->a, form_text, &form));
	enum qoc_err e = qoc_token_request_parse(&form, app, &req, err);
	if (e)
		return e;
	return qoc_grant_run(&f->ictx, app, &req, &f->a, out, err);
}

static enum qoc_err redeem(struct fx *f, const struct qoc_app *app, const char *code,
                           const char *extra, struct qoc_issued *out, struct qoc_oauth_error *err)
{
	const char *text =
	    qoc_arena_printf(&f->a, "grant_type=authorization_code&code=%s&redirect_uri=%s%s", code,
	                     "https%3A%2F%2Fapp.example.com%2Fcb", extra ? extra : "");
	return grant(f, app, text, out, err);
}

static struct qoc_token get_token(struct fx *f, const char *token)
{
	char hash[QOC_TOKEN_HASH_LEN + 1];
	struct qoc_token t;
	assert_int_equal(qoc_token_hash(token, strlen(token), hash), QOC_OK);
	assert_int_equal(qoc_store_token_get(f->o.t.st, &f->a, hash, &t), QOC_OK);
	return t;
}

static bool active(struct fx *f, const struct qoc_app *caller, const char *token)
{
	struct qoc_token_info info;
	enum qoc_err e = qoc_introspect_for_client(&f->nctx, caller, token, strlen(token), f->o.now,
	                                           &f->a, &info);
	assert_true(e == QOC_OK || e == QOC_ENOTFOUND);
	return e == QOC_OK;
}

static void code_exchange_issues_tokens(void **state)
{
	struct fx *f = *state;
	struct qoc_issued t;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &f->web, "email offline_access openid", NULL);
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_OK);
	assert_true(strncmp(t.access_token, "qoc_at_", 7) == 0);
	assert_true(strncmp(t.refresh_token, "qoc_rt_", 7) == 0);
	assert_non_null(t.id_token);
	assert_int_equal(t.expires_in, f->web.access_token_lifetime);
	assert_string_equal(t.scope, "email offline_access openid");
	struct qoc_token at = get_token(f, t.access_token), rt = get_token(f, t.refresh_token);
	assert_int_equal(at.kind, QOC_TOKEN_ACCESS);
	assert_int_equal(rt.kind, QOC_TOKEN_REFRESH);
	assert_string_equal(at.family_id, rt.family_id);
	assert_string_equal(at.account_id, f->account_id);
	assert_int_equal(at.expires_at, f->o.now + f->web.access_token_lifetime);
	assert_int_equal(rt.expires_at, f->o.now + f->web.refresh_token_lifetime);
	/* OIDC Core §3.1.3.6: nonce, auth_time, sid, at_hash, aud = client */
	json_t *claims = oidc_test_jwt_part(t.id_token, 1);
	assert_string_equal(json_string_value(json_object_get(claims, "nonce")), "n-0S6_WzA2Mj");
	assert_string_equal(json_string_value(json_object_get(claims, "sid")), "sid-1");
	assert_string_equal(json_string_value(json_object_get(claims, "aud")), f->web.client_id);
	assert_int_equal(json_integer_value(json_object_get(claims, "auth_time")), f->o.now - 5);
	char half[QOC_HALF_HASH_MAX];
	assert_int_equal(
	    qoc_id_token_half_hash(QOC_JWS_RS256, t.access_token, strlen(t.access_token), half),
	    QOC_OK);
	assert_string_equal(json_string_value(json_object_get(claims, "at_hash")), half);
	json_decref(claims);
	assert_true(active(f, &f->web, t.access_token));
}

static void refresh_rule(void **state)
{
	struct fx *f = *state;
	/* OIDC Core §11: an OpenID grant gets a refresh token only with offline_access */
	assert_false(qoc_grant_code_wants_refresh(&f->web, "openid email"));
	assert_true(qoc_grant_code_wants_refresh(&f->web, "openid offline_access"));
	assert_true(qoc_grant_code_wants_refresh(&f->web, "api.read"));
	assert_true(qoc_grant_code_wants_refresh(&f->web, ""));
	assert_false(qoc_grant_code_wants_refresh(&f->svc, "api.read"));
	struct qoc_issued t;
	struct qoc_oauth_error err = {0};
	assert_int_equal(redeem(f, &f->web, make_code(f, &f->web, "openid", NULL), NULL, &t, &err),
	                 QOC_OK);
	assert_null(t.refresh_token);
	assert_non_null(t.id_token);
	assert_int_equal(
	    redeem(f, &f->web, make_code(f, &f->web, "api.read", NULL), NULL, &t, &err), QOC_OK);
	assert_non_null(t.refresh_token);
	assert_null(t.id_token); /* no openid: no ID token */
}

/* SECURITY.md "A reused code is invalid_grant and revokes every token issued from it" */
static void code_reuse_revokes_family(void **state)
{
	struct fx *f = *state;
	struct qoc_issued t, t2;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &f->web, "openid offline_access", NULL);
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_OK);
	assert_true(active(f, &f->web, t.access_token));
	assert_int_equal(redeem(f, &f->web, code, NULL, &t2, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_GRANT);
	assert_false(active(f, &f->web, t.access_token)); /* the first access token too */
	assert_false(active(f, &f->web, t.refresh_token));
	assert_int_not_equal(get_token(f, t.access_token).revoked_at, 0);
}

/* SECURITY.md "A failed PKCE check burns the code"; RFC 7636 §4.6 */
static void pkce_failure_burns_code(void **state)
{
	struct fx *f = *state;
	char challenge[QOC_PKCE_CHALLENGE_LEN + 1];
	assert_int_equal(qoc_pkce_s256(VERIFIER, strlen(VERIFIER), challenge), QOC_OK);
	struct qoc_issued t;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &f->web, "openid", challenge);
	const char *wrong = "&code_verifier=" VERIFIER "x";
	assert_int_equal(redeem(f, &f->web, code, wrong, &t, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_GRANT);
	assert_int_equal(redeem(f, &f->web, code, "&code_verifier=" VERIFIER, &t, &err),
	                 QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_GRANT);
	/* The right verifier on a fresh code works; none at all is a downgrade. */
	code = make_code(f, &f->web, "openid", challenge);
	assert_int_equal(redeem(f, &f->web, code, "&code_verifier=" VERIFIER, &t, &err), QOC_OK);
	code = make_code(f, &f->web, "openid", challenge);
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_EINVAL);
	/* SECURITY.md "a verifier without a challenge (downgrade)" */
	code = make_code(f, &f->web, "openid", NULL);
	assert_int_equal(redeem(f, &f->web, code, "&code_verifier=" VERIFIER, &t, &err),
	                 QOC_EINVAL);
}

/* RFC 6749 §4.1.3: the code was issued to the authenticated client; exact redirect_uri */
static void code_binding(void **state)
{
	struct fx *f = *state;
	struct qoc_issued t;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &f->web, "openid", NULL);
	assert_int_equal(redeem(f, &f->other, code, NULL, &t, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_GRANT);
	code = make_code(f, &f->web, "openid", NULL);
	const char *text = qoc_arena_printf(&f->a,
	                                    "grant_type=authorization_code&code=%s&"
	                                    "redirect_uri=https%%3A%%2F%%2Fapp.example.com%%2FCB",
	                                    code);
	assert_int_equal(grant(f, &f->web, text, &t, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_GRANT);
	/* the store does not say whether redirect_uri was given: always required */
	code = make_code(f, &f->web, "openid", NULL);
	text = qoc_arena_printf(&f->a, "grant_type=authorization_code&code=%s", code);
	assert_int_equal(grant(f, &f->web, text, &t, &err), QOC_EINVAL);
	/* expired: RFC 6749 §4.1.2 */
	code = make_code(f, &f->web, "openid", NULL);
	f->o.now += 61;
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_EINVAL);
	f->o.now -= 61;
	assert_int_equal(redeem(f, &f->web, "qoc_ac_unknown", NULL, &t, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_GRANT);
}

static enum qoc_err refresh(struct fx *f, const char *rt, const char *scope, struct qoc_issued *out,
                            struct qoc_oauth_error *err)
{
	const char *text = qoc_arena_printf(&f->a, "grant_type=refresh_token&refresh_token=%s%s%s",
	                                    rt, scope ? "&scope=" : "", scope ? scope : "");
	return grant(f, &f->web, text, out, err);
}

/* SECURITY.md "Refresh tokens rotate; presenting a used one revokes its whole family,
 * access tokens included" */
static void refresh_rotation_and_reuse(void **state)
{
	struct fx *f = *state;
	struct qoc_issued t, r1, r2;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &f->web, "email offline_access openid", NULL);
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_OK);
	f->o.now += 10;
	assert_int_equal(refresh(f, t.refresh_token, NULL, &r1, &err), QOC_OK);
	assert_string_not_equal(r1.refresh_token, t.refresh_token);
	assert_non_null(r1.id_token);
	json_t *claims = oidc_test_jwt_part(r1.id_token, 1);
	assert_null(json_object_get(claims, "nonce")); /* OIDC Core §12.2 */
	assert_int_equal(json_integer_value(json_object_get(claims, "auth_time")), f->o.now - 15);
	json_decref(claims);
	struct qoc_token old = get_token(f, t.refresh_token), neu = get_token(f, r1.refresh_token);
	assert_int_equal(old.used_at, f->o.now);
	assert_string_equal(neu.parent_hash, old.token_hash);
	assert_string_equal(neu.family_id, old.family_id);
	assert_int_equal(neu.expires_at, f->o.now + f->web.refresh_token_lifetime);
	assert_true(active(f, &f->web, r1.access_token));
	/* reuse of the old one: invalid_grant, and the new tokens die */
	assert_int_equal(refresh(f, t.refresh_token, NULL, &r2, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_GRANT);
	assert_false(active(f, &f->web, r1.access_token));
	assert_false(active(f, &f->web, r1.refresh_token));
	assert_false(active(f, &f->web, t.access_token));
	assert_int_equal(refresh(f, r1.refresh_token, NULL, &r2, &err), QOC_EINVAL);
}

/* RFC 6749 §6: narrowing only; the new refresh token keeps the grant's scope */
static void refresh_scope_narrowing(void **state)
{
	struct fx *f = *state;
	struct qoc_issued t, r;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &f->web, "email offline_access openid", NULL);
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_OK);
	assert_int_equal(refresh(f, t.refresh_token, "openid+profile", &r, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_SCOPE);
	assert_true(active(f, &f->web, t.refresh_token)); /* not consumed by the refusal */
	assert_int_equal(refresh(f, t.refresh_token, "email", &r, &err), QOC_OK);
	assert_string_equal(r.scope, "email");
	assert_null(r.id_token);
	assert_string_equal(get_token(f, r.access_token).scope, "email");
	assert_string_equal(get_token(f, r.refresh_token).scope, "email offline_access openid");
	/* another client's refresh token is not found, and is not burnt */
	const char *text =
	    qoc_arena_printf(&f->a, "grant_type=refresh_token&refresh_token=%s", r.refresh_token);
	assert_int_equal(grant(f, &f->other, text, &t, &err), QOC_EINVAL);
	assert_true(active(f, &f->web, r.refresh_token));
}

/* Writes over the stack below the caller, where a returned function's locals were. */
static __attribute__((noinline)) void clobber_stack(void)
{
	volatile char junk[16384];
	memset((char *)junk, 0xff, sizeof(junk));
}

/* SECURITY.md "No refresh token for client_credentials"; RFC 6749 §4.4.3 */
static void client_credentials_access_only(void **state)
{
	struct fx *f = *state;
	struct qoc_issued t;
	struct qoc_oauth_error err = {0};
	assert_int_equal(
	    grant(f, &f->svc, "grant_type=client_credentials&scope=api.read", &t, &err), QOC_OK);
	assert_non_null(t.access_token);
	assert_null(t.refresh_token);
	assert_null(t.id_token);
	/* The answer is written later, maybe on another thread: nothing may point into the
	 * grant's stack (its scope buffer did once). */
	clobber_stack();
	assert_string_equal(t.scope, "api.read");
	struct qoc_token at = get_token(f, t.access_token);
	assert_null(at.account_id);
	assert_string_equal(at.scope, "api.read");
	struct qoc_token_info info;
	assert_int_equal(qoc_introspect_for_client(&f->nctx, &f->svc, t.access_token,
	                                           strlen(t.access_token), f->o.now, &f->a, &info),
	                 QOC_OK);
	assert_string_equal(info.sub, f->svc.client_id);
	assert_int_equal(grant(f, &f->svc, "grant_type=client_credentials&scope=openid", &t, &err),
	                 QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_INVALID_SCOPE);
	assert_int_equal(grant(f, &f->web, "grant_type=client_credentials", &t, &err), QOC_EINVAL);
	assert_string_equal(err.code, QOC_OAUTH_UNAUTHORIZED_CLIENT);
}

/* Issue 13 "JWT access tokens after revocation": a user's JWT access token is stored with
 * the grant (same write) and dies with its family: refresh reuse (SECURITY.md "presenting
 * a used one revokes its whole family, access tokens included"), code reuse ("revokes
 * every token issued from it") and RFC 7009 revocation of the refresh token (§2.1). */
static void jwt_access_tokens_die_with_their_family(void **state)
{
	struct fx *f = *state;
	struct qoc_app jw;
	make_app(f, "web", "jwt", &jw);
	struct qoc_issued t, r1, r2;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &jw, "offline_access openid", NULL);
	assert_int_equal(redeem(f, &jw, code, NULL, &t, &err), QOC_OK);
	assert_int_equal(t.record_count, 2); /* the JWT's record and the refresh token */
	assert_true(active(f, &jw, t.access_token));
	f->o.now += 5;
	assert_int_equal(grant(f, &jw,
	                       qoc_arena_printf(&f->a, "grant_type=refresh_token&refresh_token=%s",
	                                        t.refresh_token),
	                       &r1, &err),
	                 QOC_OK);
	assert_true(active(f, &jw, r1.access_token));
	/* refresh reuse: both JWTs of the family are inactive before their exp */
	assert_int_equal(grant(f, &jw,
	                       qoc_arena_printf(&f->a, "grant_type=refresh_token&refresh_token=%s",
	                                        t.refresh_token),
	                       &r2, &err),
	                 QOC_EINVAL);
	assert_false(active(f, &jw, t.access_token));
	assert_false(active(f, &jw, r1.access_token));
	struct qoc_token_info info;
	assert_int_equal(qoc_introspect_for_resource(&f->nctx, r1.access_token,
	                                             strlen(r1.access_token), f->o.now, &f->a,
	                                             &info, NULL),
	                 QOC_ENOTFOUND); /* userinfo's path refuses it too */

	/* code reuse */
	code = make_code(f, &jw, "openid", NULL);
	assert_int_equal(redeem(f, &jw, code, NULL, &t, &err), QOC_OK);
	assert_int_equal(t.record_count, 1);
	assert_true(active(f, &jw, t.access_token));
	assert_int_equal(redeem(f, &jw, code, NULL, &r2, &err), QOC_EINVAL);
	assert_false(active(f, &jw, t.access_token));

	/* RFC 7009 §2.1: revoking the refresh token takes the family's JWTs with it */
	code = make_code(f, &jw, "offline_access openid", NULL);
	assert_int_equal(redeem(f, &jw, code, NULL, &t, &err), QOC_OK);
	assert_int_equal(qoc_introspect_revoke(&f->nctx, &jw, t.refresh_token,
	                                       strlen(t.refresh_token), f->o.now, &f->a),
	                 QOC_OK);
	assert_false(active(f, &jw, t.access_token));
}

/* RFC 9068 access tokens: client_credentials ones not stored, verified by signature, typ
 * at+jwt */
static void jwt_access_tokens(void **state)
{
	struct fx *f = *state;
	struct qoc_app jwt;
	make_app(f, "service", "jwt", &jwt);
	struct qoc_issued t;
	struct qoc_oauth_error err = {0};
	assert_int_equal(grant(f, &jwt, "grant_type=client_credentials&scope=api.read", &t, &err),
	                 QOC_OK);
	assert_int_equal(t.record_count, 0);
	json_t *hdr = oidc_test_jwt_part(t.access_token, 0);
	assert_string_equal(json_string_value(json_object_get(hdr, "typ")), "at+jwt");
	assert_string_equal(json_string_value(json_object_get(hdr, "alg")), "ES256");
	json_decref(hdr);
	struct qoc_token_info info;
	assert_int_equal(qoc_introspect_for_client(&f->nctx, &jwt, t.access_token,
	                                           strlen(t.access_token), f->o.now, &f->a, &info),
	                 QOC_OK);
	assert_true(info.jwt);
	assert_string_equal(info.scope, "api.read");
	assert_null(info.account_id);
	assert_false(active(f, &f->svc, t.access_token)); /* another client's */
	f->o.now += jwt.access_token_lifetime;
	assert_false(active(f, &jwt, t.access_token)); /* expired */
	f->o.now -= jwt.access_token_lifetime;
	/* RFC 7009 §2.2.1: cannot be revoked alone */
	assert_int_equal(qoc_introspect_revoke(&f->nctx, &jwt, t.access_token,
	                                       strlen(t.access_token), f->o.now, &f->a),
	                 QOC_EPERM);
	/* an ID token is not an access token (RFC 9068 §4) */
	const char *code = make_code(f, &f->web, "openid", NULL);
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_OK);
	struct qoc_access_token_claims c;
	assert_int_equal(qoc_access_token_jwt_verify(f->o.signer, OIDC_TEST_ISSUER, t.id_token,
	                                             strlen(t.id_token), f->o.now, &f->a, &c),
	                 QOC_EPERM);
}

/* SECURITY.md "Inactive, suspended or deleted applications ... their live tokens
 * introspect as {"active": false}"; a client sees only its own tokens (RFC 7662 §4) */
static void resource_needs_active_app(void **state)
{
	struct fx *f = *state;
	struct qoc_app app;
	make_app(f, "web", NULL, &app);
	struct qoc_issued t;
	struct qoc_oauth_error err = {0};
	const char *code = make_code(f, &app, "openid", NULL);
	assert_int_equal(redeem(f, &app, code, NULL, &t, &err), QOC_OK);
	struct qoc_token_info info;
	struct qoc_app got;
	size_t n = strlen(t.access_token);
	assert_int_equal(
	    qoc_introspect_for_resource(&f->nctx, t.access_token, n, f->o.now, &f->a, &info, &got),
	    QOC_OK);
	assert_string_equal(got.client_id, app.client_id);
	assert_false(active(f, &f->web, t.access_token));
	struct qoc_apps_actor actor = {f->account_id, NULL};
	assert_int_equal(qoc_apps_set_status(&f->apps, &actor, app.client_id, "suspended"), QOC_OK);
	assert_int_equal(
	    qoc_introspect_for_resource(&f->nctx, t.access_token, n, f->o.now, &f->a, &info, &got),
	    QOC_ENOTFOUND);
	assert_int_equal(qoc_apps_set_status(&f->apps, &actor, app.client_id, "active"), QOC_OK);
	assert_int_equal(qoc_apps_delete(&f->apps, &actor, app.client_id), QOC_OK);
	assert_int_equal(
	    qoc_introspect_for_resource(&f->nctx, t.access_token, n, f->o.now, &f->a, &info, &got),
	    QOC_ENOTFOUND);
	/* revocation: another client's token is answered OK and stays active */
	code = make_code(f, &f->web, "openid", NULL);
	assert_int_equal(redeem(f, &f->web, code, NULL, &t, &err), QOC_OK);
	n = strlen(t.access_token);
	assert_int_equal(
	    qoc_introspect_revoke(&f->nctx, &f->other, t.access_token, n, f->o.now, &f->a), QOC_OK);
	assert_true(active(f, &f->web, t.access_token));
	assert_int_equal(
	    qoc_introspect_revoke(&f->nctx, &f->web, t.access_token, n, f->o.now, &f->a), QOC_OK);
	assert_false(active(f, &f->web, t.access_token));
}

static enum qoc_err failing_revoke(struct qoc_store *st, const char *token_hash,
                                   const char *client_id, int64_t now)
{
	(void)st;
	(void)token_hash;
	(void)client_id;
	(void)now;
	return QOC_EDB;
}

/* SECURITY.md "revocation fails closed if the store fails": the error comes back (the
 * handler answers 503), never a success */
static void revocation_fails_closed(void **state)
{
	struct fx *f = *state;
	static const struct qoc_store_ops ops = {
	    .version = QOC_STORE_OPS_VERSION, .name = "failing", .token_revoke = failing_revoke};
	struct qoc_store broken = {&ops};
	struct qoc_introspect_ctx ctx = {&broken, f->o.signer, OIDC_TEST_ISSUER};
	const char *t = "qoc_rt_0123456789abcdef0123456789abcdef0123456";
	assert_int_equal(qoc_introspect_revoke(&ctx, &f->web, t, strlen(t), f->o.now, &f->a),
	                 QOC_EDB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(code_exchange_issues_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(refresh_rule, setup, teardown),
	    cmocka_unit_test_setup_teardown(code_reuse_revokes_family, setup, teardown),
	    cmocka_unit_test_setup_teardown(pkce_failure_burns_code, setup, teardown),
	    cmocka_unit_test_setup_teardown(code_binding, setup, teardown),
	    cmocka_unit_test_setup_teardown(refresh_rotation_and_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(refresh_scope_narrowing, setup, teardown),
	    cmocka_unit_test_setup_teardown(client_credentials_access_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(jwt_access_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(jwt_access_tokens_die_with_their_family, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(resource_needs_active_app, setup, teardown),
	    cmocka_unit_test_setup_teardown(revocation_fails_closed, setup, teardown),
	};
	return cmocka_run_group_tests_name("oauth_grant", tests, NULL, NULL);
}
