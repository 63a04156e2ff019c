/* Unit tests for src/oidc/id_token_hint.c and src/oauth/logout.c: OpenID Connect
 * RP-Initiated Logout 1.0 §2-§4 and SECURITY.md "Logout redirects only to a registered
 * post-logout URI, and only with a valid id_token_hint". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/jws.h"
#include "oidc/access_token_jwt.h"
#include "oidc/id_token.h"
#include "oidc/id_token_hint.h"
#include "oauth/logout.h"
#include "support/oidc_fixture.h"

#define CLIENT "qoc_client_abcdefghijklmnopqrstuvwx"

struct hint_fixture {
	struct oidc_fixture f;
	struct qoc_arena a;
	struct qoc_buf tok; /* a genuine ES256 ID token for CLIENT */
	char es_kid[QOC_SIGKEY_KID_MAX + 1];
};

static int setup(void **state)
{
	struct hint_fixture *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	oidc_fixture_open(&h->f);
	qoc_arena_init(&h->a, 0);
	qoc_buf_init(&h->tok, 1 << 16);
	struct qoc_app app = {
	    .client_id = CLIENT, .id_token_lifetime = 600, .id_token_signed_response_alg = "ES256"};
	struct qoc_id_token_params p = {
	    .issuer = OIDC_TEST_ISSUER, .sub = "acct_1", .now = h->f.now, .sid = "sid_1"};
	assert_int_equal(qoc_id_token_issue(h->f.signer, &app, &p, &h->tok), QOC_OK);
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(h->f.signer, QOC_JWS_ES256, h->f.now, &ref), QOC_OK);
	snprintf(h->es_kid, sizeof(h->es_kid), "%s", ref.key->kid);
	qoc_signer_put(&ref);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct hint_fixture *h = *state;
	qoc_buf_release(&h->tok);
	qoc_arena_release(&h->a);
	oidc_fixture_close(&h->f);
	free(h);
	return 0;
}

static enum qoc_err check_at(struct hint_fixture *h, const char *client, const char *tok,
                             int64_t now, struct qoc_id_token_hint *out)
{
	return qoc_id_token_hint_verify(h->f.signer, OIDC_TEST_ISSUER, client, tok, strlen(tok),
	                                now, &h->a, out);
}

static enum qoc_err check(struct hint_fixture *h, const char *client, const char *tok)
{
	struct qoc_id_token_hint out;
	return check_at(h, client, tok, h->f.now, &out);
}

/* Signs header.payload (both JSON texts) with the signer's key of alg: a token that
 * carries a genuine signature of ours over whatever we choose to say in it. */
static char *sign_raw(struct hint_fixture *h, enum qoc_jws_alg alg, const char *header,
                      const char *payload)
{
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(h->f.signer, alg, h->f.now, &ref), QOC_OK);
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 16);
	assert_int_equal(qoc_b64url_encode(header, strlen(header), &b), QOC_OK);
	assert_int_equal(qoc_buf_append_char(&b, '.'), QOC_OK);
	assert_int_equal(qoc_b64url_encode(payload, strlen(payload), &b), QOC_OK);
	size_t input_len = b.len;
	assert_int_equal(qoc_buf_append_char(&b, '.'), QOC_OK);
	struct qoc_buf sig;
	qoc_buf_init(&sig, 4096);
	assert_int_equal(qoc_jws_sign_input(ref.key, b.data, input_len, &sig), QOC_OK);
	assert_int_equal(qoc_buf_append_str(&b, qoc_buf_str(&sig)), QOC_OK);
	char *s = strdup(qoc_buf_cstr(&b));
	qoc_buf_release(&sig);
	qoc_buf_release(&b);
	qoc_signer_put(&ref);
	return s;
}

static char *es_header(struct hint_fixture *h, const char *alg, char *buf, size_t size)
{
	snprintf(buf, size, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", alg, h->es_kid);
	return buf;
}

/* §2: a hint the OP issued is accepted; it says who and which session. */
static void a_valid_hint_is_accepted(void **state)
{
	struct hint_fixture *h = *state;
	struct qoc_id_token_hint out;
	assert_int_equal(check_at(h, CLIENT, qoc_buf_cstr(&h->tok), h->f.now, &out), QOC_OK);
	assert_string_equal(out.sub, "acct_1");
	assert_string_equal(out.client_id, CLIENT);
	assert_string_equal(out.sid, "sid_1");
	assert_false(out.expired);
	/* Without a client_id parameter, the client is the token's own (azp). */
	assert_int_equal(check_at(h, NULL, qoc_buf_cstr(&h->tok), h->f.now, &out), QOC_OK);
	assert_string_equal(out.client_id, CLIENT);
}

/* §4: the OP SHOULD accept an expired ID token it issued; but not one from the future. */
static void expired_accepted_future_refused(void **state)
{
	struct hint_fixture *h = *state;
	struct qoc_id_token_hint out;
	assert_int_equal(check_at(h, CLIENT, qoc_buf_cstr(&h->tok), h->f.now + 7200, &out), QOC_OK);
	assert_true(out.expired);
	assert_int_equal(
	    check_at(h, CLIENT, qoc_buf_cstr(&h->tok), h->f.now - QOC_ID_TOKEN_HINT_SKEW, &out),
	    QOC_OK); /* within the skew */
	assert_int_equal(
	    check_at(h, CLIENT, qoc_buf_cstr(&h->tok), h->f.now - QOC_ID_TOKEN_HINT_SKEW - 1, &out),
	    QOC_EPERM);
	assert_null(out.sub);
}

/* §4: the OP verifies it was the issuer. */
static void another_issuer_is_refused(void **state)
{
	struct hint_fixture *h = *state;
	struct qoc_id_token_hint out;
	const char *t = qoc_buf_cstr(&h->tok);
	assert_int_equal(qoc_id_token_hint_verify(h->f.signer, "https://other.example.com", CLIENT,
	                                          t, strlen(t), h->f.now, &h->a, &out),
	                 QOC_EPERM);
	char hdr[256];
	char *forged = sign_raw(h, QOC_JWS_ES256, es_header(h, "ES256", hdr, sizeof(hdr)),
	                        "{\"iss\":\"https://evil.example\",\"sub\":\"a\",\"aud\":\"" CLIENT
	                        "\",\"iat\":1795705445,\"exp\":1795709045}");
	assert_int_equal(check(h, CLIENT, forged), QOC_EPERM);
	free(forged);
}

/* §2/§3: the client of the request must be an audience of the hint (and agree with azp);
 * several audiences and no client named is ambiguous. */
static void wrong_audience_is_refused(void **state)
{
	struct hint_fixture *h = *state;
	assert_int_equal(check(h, "qoc_client_someoneelse0000000000", qoc_buf_cstr(&h->tok)),
	                 QOC_EPERM);
	char hdr[256];
	es_header(h, "ES256", hdr, sizeof(hdr));
	char *t =
	    sign_raw(h, QOC_JWS_ES256, hdr,
	             "{\"iss\":\"" OIDC_TEST_ISSUER "\",\"sub\":\"a\",\"aud\":[\"c1\",\"c2\"],"
	             "\"azp\":\"c2\",\"iat\":1795705445,\"exp\":1795709045}");
	assert_int_equal(check(h, "c1", t), QOC_EPERM); /* an audience, but azp says c2 */
	assert_int_equal(check(h, "c2", t), QOC_OK);
	free(t);
	t = sign_raw(h, QOC_JWS_ES256, hdr,
	             "{\"iss\":\"" OIDC_TEST_ISSUER "\",\"sub\":\"a\",\"aud\":[\"c1\",\"c2\"],"
	             "\"iat\":1795705445,\"exp\":1795709045}");
	assert_int_equal(check(h, NULL, t), QOC_EINVAL);
	assert_int_equal(check(h, "c1", t), QOC_OK);
	free(t);
}

/* Any change to a signed part breaks the signature (RFC 7515 §5.2). */
static void tampered_hints_are_refused(void **state)
{
	struct hint_fixture *h = *state;
	json_t *c = oidc_test_jwt_part(qoc_buf_cstr(&h->tok), 1);
	json_object_set_new(c, "sub", json_string("acct_admin"));
	char *text = json_dumps(c, JSON_COMPACT);
	char *t = oidc_test_jwt_replace(qoc_buf_cstr(&h->tok), 1, text);
	assert_int_equal(check(h, CLIENT, t), QOC_ECRYPTO);
	free(t);
	free(text);
	json_decref(c);
	/* One signature character changed (the first: its bits all count). */
	t = strdup(qoc_buf_cstr(&h->tok));
	char *sig = strrchr(t, '.') + 1;
	sig[0] = sig[0] == 'A' ? 'B' : 'A';
	assert_int_equal(check(h, CLIENT, t), QOC_ECRYPTO);
	free(t);
}

/* RFC 8725 §2.1, §3.1: the algorithm is the key's, never the header's. An RS256 header
 * over the ES256 key's kid is refused, whether the signature is the ES256 one or a real
 * RS256 signature made with our own RSA key. */
static void switched_alg_is_refused(void **state)
{
	struct hint_fixture *h = *state;
	char hdr[256];
	char *t = oidc_test_jwt_replace(qoc_buf_cstr(&h->tok), 0,
	                                es_header(h, "RS256", hdr, sizeof(hdr)));
	assert_int_equal(check(h, CLIENT, t), QOC_EPERM);
	free(t);
	json_t *c = oidc_test_jwt_part(qoc_buf_cstr(&h->tok), 1);
	char *payload = json_dumps(c, JSON_COMPACT);
	t = sign_raw(h, QOC_JWS_RS256, es_header(h, "RS256", hdr, sizeof(hdr)), payload);
	assert_int_equal(check(h, CLIENT, t), QOC_EPERM);
	free(t);
	/* HS256 keyed with anything (the classic public-key-as-HMAC-secret confusion). */
	t = oidc_test_jwt_replace(qoc_buf_cstr(&h->tok), 0,
	                          es_header(h, "HS256", hdr, sizeof(hdr)));
	assert_int_equal(check(h, CLIENT, t), QOC_EPERM);
	free(t);
	free(payload);
	json_decref(c);
}

/* SECURITY.md "ID tokens": never alg none. */
static void alg_none_is_refused(void **state)
{
	struct hint_fixture *h = *state;
	char hdr[256];
	char *t =
	    oidc_test_jwt_replace(qoc_buf_cstr(&h->tok), 0, es_header(h, "none", hdr, sizeof(hdr)));
	assert_int_not_equal(check(h, CLIENT, t), QOC_OK);
	*(strrchr(t, '.') + 1) = '\0'; /* and with the empty signature "none" implies */
	enum qoc_err e = check(h, CLIENT, t);
	assert_true(e == QOC_EPERM || e == QOC_EINVAL);
	free(t);
}

/* A kid that no published key has, no kid, and kids of keys past their window. */
static void unknown_kid_is_refused(void **state)
{
	struct hint_fixture *h = *state;
	char *t = oidc_test_jwt_replace(
	    qoc_buf_cstr(&h->tok), 0, "{\"alg\":\"ES256\",\"kid\":\"not-a-key\",\"typ\":\"JWT\"}");
	assert_int_equal(check(h, CLIENT, t), QOC_ENOTFOUND);
	free(t);
	t = oidc_test_jwt_replace(qoc_buf_cstr(&h->tok), 0, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}");
	assert_int_equal(check(h, CLIENT, t), QOC_EINVAL);
	free(t);
	/* Rotated out and past key_retention: the key left the JWKS, the hint goes with it. */
	char kid[128];
	h->f.kp.alg = "ES256";
	h->f.kp.retention = 60;
	assert_int_equal(qoc_keyring_rotate(&h->f.kp, kid, sizeof(kid)), QOC_OK);
	struct qoc_id_token_hint out;
	assert_int_equal(check_at(h, CLIENT, qoc_buf_cstr(&h->tok), h->f.now + 30, &out), QOC_OK);
	assert_int_equal(check_at(h, CLIENT, qoc_buf_cstr(&h->tok), h->f.now + 61, &out),
	                 QOC_ENOTFOUND);
}

/* RFC 8725 §3.11: an access token (typ at+jwt, same keys) is not an ID token; neither
 * are headers that pick their own key (jku/jwk, RFC 8725 §3.10). */
static void other_token_types_and_key_headers_are_refused(void **state)
{
	struct hint_fixture *h = *state;
	struct qoc_access_token_jwt_params p = {
	    .issuer = OIDC_TEST_ISSUER,
	    .audience = CLIENT,
	    .sub = "acct_1",
	    .client_id = CLIENT,
	    .now = h->f.now,
	    .lifetime = 60,
	};
	struct qoc_buf at;
	qoc_buf_init(&at, 1 << 16);
	assert_int_equal(qoc_access_token_jwt_issue(h->f.signer, QOC_JWS_ES256, &p, &at, NULL),
	                 QOC_OK);
	assert_int_equal(check(h, CLIENT, qoc_buf_cstr(&at)), QOC_EPERM);
	qoc_buf_release(&at);
	char hdr[512];
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"%s\",\"jku\":\"https://evil/k\"}",
	         h->es_kid);
	json_t *c = oidc_test_jwt_part(qoc_buf_cstr(&h->tok), 1);
	char *payload = json_dumps(c, JSON_COMPACT);
	char *t = sign_raw(h, QOC_JWS_ES256, hdr, payload);
	assert_int_equal(check(h, CLIENT, t), QOC_EPERM);
	free(t);
	free(payload);
	json_decref(c);
}

static void malformed_hints_are_refused(void **state)
{
	struct hint_fixture *h = *state;
	static const char *const bad[] = {"x", "a.b.c", "..", "eyJhbGciOiJFUzI1NiJ9",
	                                  "e30.e30.e30"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(h, CLIENT, bad[i]), QOC_EINVAL);
	struct qoc_id_token_hint out;
	assert_int_equal(qoc_id_token_hint_verify(h->f.signer, OIDC_TEST_ISSUER, CLIENT, "", 0,
	                                          h->f.now, &h->a, &out),
	                 QOC_EINVAL);
	char *big = malloc(QOC_JWS_MAX_LEN + 2);
	memset(big, 'a', QOC_JWS_MAX_LEN + 1);
	big[QOC_JWS_MAX_LEN + 1] = '\0';
	assert_int_equal(check(h, CLIENT, big), QOC_ELIMIT);
	free(big);
	/* Claims of the wrong type, signed by us: still refused. */
	char hdr[256];
	char *t = sign_raw(h, QOC_JWS_ES256, es_header(h, "ES256", hdr, sizeof(hdr)),
	                   "{\"iss\":\"" OIDC_TEST_ISSUER "\",\"sub\":7,\"aud\":\"" CLIENT
	                   "\",\"iat\":1,\"exp\":2}");
	assert_int_equal(check(h, CLIENT, t), QOC_EINVAL);
	free(t);
}

static struct qoc_app logout_app(void)
{
	static const char *uris[] = {"https://app.example.com/bye", "myapp://logged-out"};
	return (struct qoc_app){.client_id = CLIENT, .logout_uris = {uris, 2}};
}

/* RP-Initiated Logout §3: post_logout_redirect_uri must be registered: exact match only. */
static void logout_uri_exact_match(void **state)
{
	(void)state;
	struct qoc_app app = logout_app();
	assert_int_equal(qoc_logout_check(&app, "https://app.example.com/bye"), QOC_OK);
	assert_int_equal(qoc_logout_check(&app, "myapp://logged-out"), QOC_OK);
	static const char *const bad[] = {
	    "https://app.example.com/bye/",  "https://app.example.com/by",
	    "HTTPS://app.example.com/bye",   "https://app.example.com/bye?x=1",
	    "https://app.example.com/bye#f", "https://app.example.com/%62ye",
	    "https://evil.example.com/bye",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(qoc_logout_check(&app, bad[i]), QOC_EPERM);
	assert_int_equal(qoc_logout_check(&app, ""), QOC_EINVAL);
	assert_int_equal(qoc_logout_check(&app, NULL), QOC_EINVAL);
	struct qoc_app none = {.client_id = CLIENT};
	assert_int_equal(qoc_logout_check(&none, "https://app.example.com/bye"), QOC_EPERM);
}

/* SECURITY.md: only a registered URI, and only with a valid id_token_hint for that app. */
/* Attack: a post-logout URI registered before percent-encoded control characters were
 * refused (%0d%0a splits the Location header wherever it is decoded) is never followed,
 * even though it matches byte-exact. */
static void logout_uri_with_encoded_control_is_refused(void **state)
{
	(void)state;
	static const char *uris[] = {"https://app.example.com/bye%0d%0aSet-Cookie:a=1",
	                             "https://app.example.com/x%7F",
	                             "https://app.example.com/ok%20"};
	struct qoc_app app = {.client_id = CLIENT, .logout_uris = {uris, 3}};
	assert_int_equal(qoc_logout_check(&app, uris[0]), QOC_EPERM);
	assert_int_equal(qoc_logout_check(&app, uris[1]), QOC_EPERM);
	assert_int_equal(qoc_logout_check(&app, uris[2]), QOC_OK);
}

static void logout_redirect_needs_a_valid_hint_of_the_app(void **state)
{
	struct hint_fixture *h = *state;
	struct qoc_app app = logout_app();
	struct qoc_id_token_hint hint;
	assert_int_equal(check_at(h, NULL, qoc_buf_cstr(&h->tok), h->f.now, &hint), QOC_OK);
	assert_int_equal(qoc_logout_redirect_allowed(&app, &hint, "https://app.example.com/bye"),
	                 QOC_OK);
	assert_int_equal(qoc_logout_redirect_allowed(&app, &hint, "https://evil.example.com/"),
	                 QOC_EPERM);
	assert_int_equal(qoc_logout_redirect_allowed(&app, NULL, "https://app.example.com/bye"),
	                 QOC_EPERM);
	struct qoc_app other = logout_app();
	other.client_id = "qoc_client_other00000000000000000";
	assert_int_equal(qoc_logout_redirect_allowed(&other, &hint, "https://app.example.com/bye"),
	                 QOC_EPERM);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(a_valid_hint_is_accepted),
	    T(expired_accepted_future_refused),
	    T(another_issuer_is_refused),
	    T(wrong_audience_is_refused),
	    T(tampered_hints_are_refused),
	    T(switched_alg_is_refused),
	    T(alg_none_is_refused),
	    T(unknown_kid_is_refused),
	    T(other_token_types_and_key_headers_are_refused),
	    T(malformed_hints_are_refused),
	    cmocka_unit_test(logout_uri_exact_match),
	    cmocka_unit_test(logout_uri_with_encoded_control_is_refused),
	    T(logout_redirect_needs_a_valid_hint_of_the_app),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
