/* store_contract_oauth.c - the contract for the OAuth/OIDC protocol state: SSO sessions,
 * authorization requests, codes, tokens, families, consents, cascades (see
 * store_contract.h). Token issue, rotation, revocation and purge are in
 * store_contract_tokens.c; races and group commit in store_contract_oauth_race.c.
 * Only store.h and store_oauth.h are used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "support/store_contract_priv.h"

static const struct qoc_audit_event ev = {.actor_id = "acct_1", .action = "test", .at = 1};
static const unsigned char hash1[] = {1, 2, 3, 4}, sealed1[] = {9, 8, 7};
static const char *redirects[] = {"https://app.example.com/cb"};

static struct qoc_app oauth_app(const char *client_id, const char *type)
{
	bool pub = strcmp(type, "spa") == 0;
	return (struct qoc_app){
	    .client_id = client_id,
	    .team_id = "team_acct_1",
	    .owner_id = "acct_1",
	    .name = client_id,
	    .type = type,
	    .status = "active",
	    .redirect_uris = {redirects, 1},
	    .access_token_lifetime = 3600,
	    .refresh_token_lifetime = 86400,
	    .id_token_lifetime = 3600,
	    .pkce_required = pub,
	    .token_format = "opaque",
	    .id_token_signed_response_alg = "RS256",
	    .secret_hash = pub ? NULL : hash1,
	    .secret_hash_len = pub ? 0 : sizeof(hash1),
	    .secret_sealed = pub ? NULL : sealed1,
	    .secret_sealed_len = pub ? 0 : sizeof(sealed1),
	    .secret_created_at = pub ? 0 : 1,
	    .created_at = 1,
	    .updated_at = 1,
	};
}

void contract_oauth_people(struct qoc_store *st)
{
	struct qoc_account a1 = {.id = "acct_1", .email = "one@example.com", .created_at = 1};
	struct qoc_account a2 = {.id = "acct_2", .email = "two@example.com", .created_at = 1};
	assert_int_equal(qoc_store_account_create(st, &a1), QOC_OK);
	assert_int_equal(qoc_store_account_create(st, &a2), QOC_OK);
	struct qoc_app a = oauth_app(CONTRACT_APP_A, "web"), b = oauth_app(CONTRACT_APP_B, "spa");
	assert_int_equal(qoc_store_app_create(st, &a, &ev), QOC_OK);
	assert_int_equal(qoc_store_app_create(st, &b, &ev), QOC_OK);
}

const char *contract_hash(struct qoc_arena *a, const char *fmt, ...)
{
	char label[44];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(label, sizeof(label), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && n <= 40);
	char *h = qoc_arena_alloc(a, 44);
	assert_non_null(h);
	memset(h, 'Q', 43);
	h[43] = '\0';
	memcpy(h, label, (size_t)n);
	h[n] = '-'; /* ends the label, so "a" and "aQ" differ */
	return h;
}

struct qoc_token contract_token(const char *hash, enum qoc_token_kind kind, const char *fam)
{
	return (struct qoc_token){
	    .token_hash = hash,
	    .kind = kind,
	    .client_id = CONTRACT_APP_A,
	    .account_id = "acct_1",
	    .family_id = fam,
	    .scope = "openid offline_access",
	    .sid = "sid_1",
	    .auth_time = 900,
	    .created_at = 1000,
	    .expires_at = 5000,
	};
}

static struct contract_fixture *people(void **state)
{
	struct contract_fixture *f = *state;
	contract_oauth_people(f->st);
	return f;
}

#define H(...) contract_hash(&f->a, __VA_ARGS__)

/* --- SSO sessions --- */

static void sessions_live_until_they_expire(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_sso_session s = {.id_hash = H("s1"),
	                            .sid = "sid_1",
	                            .account_id = "acct_1",
	                            .auth_time = 90,
	                            .created_at = 100,
	                            .expires_at = 200};
	assert_int_equal(qoc_store_session_create(f->st, &s), QOC_OK);
	struct qoc_sso_session out;
	assert_int_equal(qoc_store_session_get(f->st, &f->a, H("s1"), 199, &out), QOC_OK);
	assert_string_equal(out.id_hash, H("s1"));
	assert_string_equal(out.sid, "sid_1");
	assert_string_equal(out.account_id, "acct_1");
	assert_int_equal(out.auth_time, 90);
	assert_int_equal(out.created_at, 100);
	assert_int_equal(out.expires_at, 200);
	/* Live while now < expires_at. */
	assert_int_equal(qoc_store_session_get(f->st, &f->a, H("s1"), 200, &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_session_get(f->st, &f->a, H("nope"), 100, &out), QOC_ENOTFOUND);

	/* touch extends a live session, never shortens one, cannot revive an expired one. */
	assert_int_equal(qoc_store_session_touch(f->st, H("s1"), 150, 300), QOC_OK);
	assert_int_equal(qoc_store_session_touch(f->st, H("s1"), 150, 250), QOC_OK);
	assert_int_equal(qoc_store_session_get(f->st, &f->a, H("s1"), 299, &out), QOC_OK);
	assert_int_equal(out.expires_at, 300);
	assert_int_equal(qoc_store_session_touch(f->st, H("s1"), 300, 900), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_session_get(f->st, &f->a, H("s1"), 299, &out), QOC_OK);
	assert_int_equal(out.expires_at, 300);
}

static void session_refusals_and_deletes(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_sso_session s = {.id_hash = H("s1"),
	                            .sid = "sid_1",
	                            .account_id = "acct_1",
	                            .auth_time = 90,
	                            .created_at = 100,
	                            .expires_at = 200};
	assert_int_equal(qoc_store_session_create(f->st, &s), QOC_OK);
	struct qoc_sso_session dup = s;
	assert_int_equal(qoc_store_session_create(f->st, &dup), QOC_ECONFLICT); /* same id */
	dup.id_hash = H("s2");
	assert_int_equal(qoc_store_session_create(f->st, &dup), QOC_ECONFLICT); /* same sid */
	dup.sid = "sid_2";
	dup.account_id = "acct_nobody";
	assert_int_equal(qoc_store_session_create(f->st, &dup), QOC_ENOTFOUND);
	/* Secrets are never stored: a raw cookie value is refused. */
	dup.account_id = "acct_1";
	dup.id_hash = "qoc_sess_rawvalue";
	assert_int_equal(qoc_store_session_create(f->st, &dup), QOC_EINVAL);
	dup.id_hash = H("s2");
	assert_int_equal(qoc_store_session_create(f->st, &dup), QOC_OK);

	/* RP-initiated logout ends the session by its sid. */
	struct qoc_sso_session out;
	assert_int_equal(qoc_store_session_delete_by_sid(f->st, "sid_2"), QOC_OK);
	assert_int_equal(qoc_store_session_get(f->st, &f->a, H("s2"), 100, &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_session_delete_by_sid(f->st, "sid_2"), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_session_delete(f->st, H("s1")), QOC_OK);
	assert_int_equal(qoc_store_session_get(f->st, &f->a, H("s1"), 100, &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_session_delete(f->st, H("s1")), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_session_delete(f->st, "short"), QOC_EINVAL);
}

/* --- authorization requests --- */

static struct qoc_auth_request authreq(struct contract_fixture *f, const char *handle)
{
	return (struct qoc_auth_request){
	    .handle_hash = H("%s", handle),
	    .browser_hash = H("browser"),
	    .client_id = CONTRACT_APP_A,
	    .params = "{\"redirect_uri\":\"https://app.example.com/cb\",\"state\":\"xyz\"}",
	    .created_at = 100,
	    .expires_at = 700,
	};
}

static void authreqs_are_bound_to_their_browser(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_request r = authreq(f, "h1"), out;
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("h1"), H("browser"), 100, &out),
	                 QOC_OK);
	assert_string_equal(out.handle_hash, H("h1"));
	assert_string_equal(out.browser_hash, H("browser"));
	assert_string_equal(out.client_id, CONTRACT_APP_A);
	assert_string_equal(out.params, r.params);
	assert_null(out.account_id);
	assert_int_equal(out.auth_time, 0);
	assert_int_equal(out.created_at, 100);
	assert_int_equal(out.expires_at, 700);

	/* SECURITY.md "Browser and console": another browser cannot read, sign in or take. */
	const char *other = H("other-browser");
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("h1"), other, 100, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_authreq_set_account(f->st, H("h1"), other, "acct_1", 150, 150),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_authreq_take(f->st, &f->a, H("h1"), other, 150, &out),
	                 QOC_ENOTFOUND);

	assert_int_equal(
	    qoc_store_authreq_set_account(f->st, H("h1"), H("browser"), "acct_nobody", 150, 150),
	    QOC_ENOTFOUND);
	assert_int_equal(
	    qoc_store_authreq_set_account(f->st, H("h1"), H("browser"), "acct_2", 150, 150),
	    QOC_OK);
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("h1"), H("browser"), 160, &out),
	                 QOC_OK);
	assert_string_equal(out.account_id, "acct_2");
	assert_int_equal(out.auth_time, 150);
	/* Expired: neither readable nor changeable. */
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("h1"), H("browser"), 700, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(
	    qoc_store_authreq_set_account(f->st, H("h1"), H("browser"), "acct_2", 700, 700),
	    QOC_ENOTFOUND);
}

static void an_authreq_is_taken_once(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_request r = authreq(f, "h1"), out;
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_ECONFLICT);
	assert_int_equal(
	    qoc_store_authreq_set_account(f->st, H("h1"), H("browser"), "acct_1", 150, 150),
	    QOC_OK);
	assert_int_equal(qoc_store_authreq_take(f->st, &f->a, H("h1"), H("browser"), 200, &out),
	                 QOC_OK);
	assert_string_equal(out.account_id, "acct_1");
	assert_string_equal(out.params, r.params);
	/* A double submit of the consent form finds nothing the second time. */
	assert_int_equal(qoc_store_authreq_take(f->st, &f->a, H("h1"), H("browser"), 200, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("h1"), H("browser"), 200, &out),
	                 QOC_ENOTFOUND);

	/* An expired request is not handed out, and is gone afterwards. */
	struct qoc_auth_request r2 = authreq(f, "h2");
	assert_int_equal(qoc_store_authreq_create(f->st, &r2), QOC_OK);
	assert_int_equal(qoc_store_authreq_take(f->st, &f->a, H("h2"), H("browser"), 700, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_authreq_take(f->st, &f->a, H("h2"), H("browser"), 100, &out),
	                 QOC_ENOTFOUND);

	/* delete (deny, cancel) */
	struct qoc_auth_request r3 = authreq(f, "h3");
	assert_int_equal(qoc_store_authreq_create(f->st, &r3), QOC_OK);
	assert_int_equal(qoc_store_authreq_delete(f->st, H("h3")), QOC_OK);
	assert_int_equal(qoc_store_authreq_delete(f->st, H("h3")), QOC_ENOTFOUND);
}

static void authreq_refusals(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_request r = authreq(f, "h1");
	r.client_id = "qoc_client_nobody";
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_ENOTFOUND);
	r = authreq(f, "h1");
	r.params = "[1,2]";
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_EINVAL);
	r.params = "{\"a\":";
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_EINVAL);
	r = authreq(f, "h1");
	r.account_id = "acct_1"; /* set only by authreq_set_account */
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_EINVAL);
	r = authreq(f, "h1");
	r.browser_hash = NULL;
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_EINVAL);
	struct qoc_auth_request out;
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("h1"), H("browser"), 100, &out),
	                 QOC_ENOTFOUND);
}

/* --- authorization codes --- */

static struct qoc_auth_code code_of(struct contract_fixture *f, const char *label)
{
	return (struct qoc_auth_code){
	    .code_hash = H("%s", label),
	    .client_id = CONTRACT_APP_A,
	    .account_id = "acct_1",
	    .redirect_uri = "https://app.example.com/cb",
	    .scope = "openid profile",
	    .nonce = "n-0S6_WzA2Mj",
	    .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	    .auth_time = 990,
	    .sid = "sid_1",
	    .family_id = "fam_code",
	    .created_at = 1000,
	    .expires_at = 1060,
	};
}

static void a_code_is_redeemed_once(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = code_of(f, "c1"), out;
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_ECONFLICT);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1010, &out),
	                 QOC_OK);
	assert_string_equal(out.code_hash, H("c1"));
	assert_string_equal(out.client_id, CONTRACT_APP_A);
	assert_string_equal(out.account_id, "acct_1");
	assert_string_equal(out.redirect_uri, "https://app.example.com/cb");
	assert_string_equal(out.scope, "openid profile");
	assert_string_equal(out.nonce, c.nonce);
	assert_string_equal(out.code_challenge, c.code_challenge);
	assert_int_equal(out.auth_time, 990);
	assert_string_equal(out.sid, "sid_1");
	assert_string_equal(out.family_id, "fam_code");
	assert_int_equal(out.created_at, 1000);
	assert_int_equal(out.expires_at, 1060);
	assert_int_equal(out.consumed_at, 1010);

	/* RFC 6749 §4.1.2: a second redemption is refused; the row says when it was used. */
	memset(&out, 0, sizeof(out));
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1011, &out),
	                 QOC_ECONFLICT);
	assert_string_equal(out.family_id, "fam_code");
	assert_int_equal(out.consumed_at, 1010);
	assert_int_equal(
	    qoc_store_code_consume(f->st, &f->a, H("unknown"), CONTRACT_APP_A, 1010, &out),
	    QOC_ENOTFOUND);

	/* No nonce, no challenge, no sid: NULLs come back as NULL. */
	struct qoc_auth_code bare = code_of(f, "c2");
	bare.nonce = bare.code_challenge = bare.sid = NULL;
	assert_int_equal(qoc_store_code_create(f->st, &bare), QOC_OK);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c2"), CONTRACT_APP_A, 1010, &out),
	                 QOC_OK);
	assert_null(out.nonce);
	assert_null(out.code_challenge);
	assert_null(out.sid);
}

static void an_expired_code_is_burnt_too(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = code_of(f, "c1"), out;
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1060, &out),
	                 QOC_ENOTFOUND);
	/* Even with a clock that goes back, it never redeems again. */
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1001, &out),
	                 QOC_ECONFLICT);
	assert_int_equal(out.consumed_at, 1060);
}

/* Attack (issue 13): a client that learnt another client's code presents it with its own
 * credentials. The store refuses it as unknown and writes nothing: the code is neither
 * redeemed nor burnt, and no family is revoked, so the rightful client still redeems it. */
static void another_clients_code_is_refused_and_stays_valid(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = code_of(f, "c1"), out;
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	struct qoc_token t = contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_code");
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_OK);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_B, 1010, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_B, 1011, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1012, &out),
	                 QOC_OK);
	assert_int_equal(out.consumed_at, 1012);
	/* Once redeemed, another client's presentation is still not a reuse: nothing revoked. */
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_B, 1013, &out),
	                 QOC_ENOTFOUND);
	struct qoc_token got;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at1"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 0);
	/* The rightful client's second presentation is the reuse it always was. */
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1014, &out),
	                 QOC_ECONFLICT);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at1"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 1014);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), NULL, 1015, &out),
	                 QOC_EINVAL);
}

static void code_refusals(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = code_of(f, "c1"), out;
	c.client_id = "qoc_client_nobody";
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_ENOTFOUND);
	c = code_of(f, "c1");
	c.account_id = "acct_nobody";
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_ENOTFOUND);
	c = code_of(f, "c1");
	c.code_hash = "qoc_code_raw"; /* SECURITY.md: codes are stored only as hashes */
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_EINVAL);
	c = code_of(f, "c1");
	c.family_id = "";
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_EINVAL);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1010, &out),
	                 QOC_ENOTFOUND);
}

/* SECURITY.md "A reused code is invalid_grant and revokes every token issued from it". */
static void a_reused_code_revokes_its_tokens(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = code_of(f, "c1"), out;
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1010, &out),
	                 QOC_OK);
	struct qoc_token t[2] = {contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_code"),
	                         contract_token(H("rt1"), QOC_TOKEN_REFRESH, "fam_code")};
	assert_int_equal(qoc_store_tokens_issue(f->st, t, 2), QOC_OK);
	struct qoc_token other = contract_token(H("at-other"), QOC_TOKEN_ACCESS, "fam_other");
	assert_int_equal(qoc_store_tokens_issue(f->st, &other, 1), QOC_OK);

	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1020, &out),
	                 QOC_ECONFLICT);
	struct qoc_token got;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at1"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 1020);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("rt1"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 1020);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at-other"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 0);
}

/* The reuse lands between the winner's redemption and its token issue: what the winner
 * issues afterwards is born revoked. */
static void tokens_issued_after_a_reuse_are_born_revoked(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = code_of(f, "c1"), out;
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1010, &out),
	                 QOC_OK);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1011, &out),
	                 QOC_ECONFLICT);
	struct qoc_token t[2] = {contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_code"),
	                         contract_token(H("rt1"), QOC_TOKEN_REFRESH, "fam_code")};
	assert_int_equal(qoc_store_tokens_issue(f->st, t, 2), QOC_OK);
	struct qoc_token got;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at1"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 1011);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("rt1"), &got), QOC_OK);
	assert_int_equal(got.revoked_at, 1011);
	/* And the refresh token cannot be rotated. */
	struct qoc_token next = contract_token(H("rt2"), QOC_TOKEN_REFRESH, "x");
	assert_int_equal(
	    qoc_store_refresh_rotate(f->st, &f->a, H("rt1"), CONTRACT_APP_A, 1012, &next, 1, NULL),
	    QOC_ECONFLICT);
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("rt2"), &got), QOC_ENOTFOUND);
}

/* --- consents --- */

static void consents_are_upserted(void **state)
{
	struct contract_fixture *f = people(state);
	const char *scope = "unset";
	assert_int_equal(qoc_store_consent_get(f->st, &f->a, "acct_1", CONTRACT_APP_A, &scope),
	                 QOC_ENOTFOUND);
	assert_null(scope);
	assert_int_equal(qoc_store_consent_put(f->st, "acct_1", CONTRACT_APP_A, "openid", 10),
	                 QOC_OK);
	assert_int_equal(qoc_store_consent_get(f->st, &f->a, "acct_1", CONTRACT_APP_A, &scope),
	                 QOC_OK);
	assert_string_equal(scope, "openid");
	assert_int_equal(
	    qoc_store_consent_put(f->st, "acct_1", CONTRACT_APP_A, "openid profile email", 20),
	    QOC_OK);
	assert_int_equal(qoc_store_consent_get(f->st, &f->a, "acct_1", CONTRACT_APP_A, &scope),
	                 QOC_OK);
	assert_string_equal(scope, "openid profile email");
	/* Per account and application. */
	assert_int_equal(qoc_store_consent_get(f->st, &f->a, "acct_2", CONTRACT_APP_A, &scope),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_consent_get(f->st, &f->a, "acct_1", CONTRACT_APP_B, &scope),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_consent_put(f->st, "acct_1", "qoc_client_nobody", "openid", 10),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_consent_put(f->st, "acct_nobody", CONTRACT_APP_A, "openid", 10),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_consent_put(f->st, "acct_1", CONTRACT_APP_A, NULL, 10),
	                 QOC_EINVAL);
}

/* ARCHITECTURE.md §5: deleting an application removes everything of it at once. */
static void deleting_an_application_deletes_its_protocol_state(void **state)
{
	struct contract_fixture *f = people(state);
	struct qoc_auth_code c = code_of(f, "c1"), cb = code_of(f, "c2"), co;
	cb.client_id = CONTRACT_APP_B;
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	assert_int_equal(qoc_store_code_create(f->st, &cb), QOC_OK);
	struct qoc_token t = contract_token(H("at1"), QOC_TOKEN_ACCESS, "fam_a");
	struct qoc_token tb = contract_token(H("at2"), QOC_TOKEN_ACCESS, "fam_b");
	tb.client_id = CONTRACT_APP_B;
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_OK);
	assert_int_equal(qoc_store_tokens_issue(f->st, &tb, 1), QOC_OK);
	struct qoc_auth_request r = authreq(f, "h1"), ro;
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	assert_int_equal(qoc_store_consent_put(f->st, "acct_1", CONTRACT_APP_A, "openid", 10),
	                 QOC_OK);
	assert_int_equal(qoc_store_consent_put(f->st, "acct_1", CONTRACT_APP_B, "openid", 10),
	                 QOC_OK);

	assert_int_equal(qoc_store_app_delete(f->st, CONTRACT_APP_A, &ev), QOC_OK);
	struct qoc_token got;
	const char *scope;
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at1"), &got), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c1"), CONTRACT_APP_A, 1010, &co),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_authreq_get(f->st, &f->a, H("h1"), H("browser"), 100, &ro),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_consent_get(f->st, &f->a, "acct_1", CONTRACT_APP_A, &scope),
	                 QOC_ENOTFOUND);
	/* The other application keeps its own. */
	assert_int_equal(qoc_store_token_get(f->st, &f->a, H("at2"), &got), QOC_OK);
	assert_int_equal(qoc_store_code_consume(f->st, &f->a, H("c2"), CONTRACT_APP_B, 1010, &co),
	                 QOC_OK);
	assert_int_equal(qoc_store_consent_get(f->st, &f->a, "acct_1", CONTRACT_APP_B, &scope),
	                 QOC_OK);
	/* Writes for the deleted application find nothing to attach to. */
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_ENOTFOUND);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, contract_setup_migrated, contract_teardown)

int store_contract_oauth_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    T(sessions_live_until_they_expire),
	    T(session_refusals_and_deletes),
	    T(authreqs_are_bound_to_their_browser),
	    T(an_authreq_is_taken_once),
	    T(authreq_refusals),
	    T(a_code_is_redeemed_once),
	    T(another_clients_code_is_refused_and_stays_valid),
	    T(an_expired_code_is_burnt_too),
	    T(code_refusals),
	    T(a_reused_code_revokes_its_tokens),
	    T(tokens_issued_after_a_reuse_are_born_revoked),
	    T(consents_are_upserted),
	    T(deleting_an_application_deletes_its_protocol_state),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
