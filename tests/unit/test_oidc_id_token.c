/* Unit tests for src/oidc/id_token.c: ID tokens for each algorithm an application may
 * choose, verified as a relying party would (with the published JWK), every claim of
 * OIDC Core §2, at_hash (§3.1.3.6, §3.2.2.10) against vectors computed outside QOC. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <string.h>

#include "crypto/jws.h"
#include "oidc/id_token.h"
#include "support/oidc_fixture.h"

static const char access_token[] = "qoc_at_dGhpcyBpcyBhbiBhY2Nlc3MgdG9rZW4";

/* base64url of the left half of EVP digest md over s, computed with OpenSSL alone. */
static void independent_half_hash(const EVP_MD *md, const char *s, char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE], b64[128];
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(s, strlen(s), d, &n, md, NULL), 1);
	int len = EVP_EncodeBlock(b64, d, (int)n / 2);
	size_t j = 0;
	for (int i = 0; i < len; i++) {
		char c = (char)b64[i];
		if (c == '=')
			break;
		out[j++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	out[j] = '\0';
}

/* §3.1.3.6: SHA-256 for RS256/PS256/ES256; SHA-512 for EdDSA/Ed25519 (id_token.h).
 * The literals were computed with Python's hashlib and agree with OpenSSL. */
static void at_hash_vectors(void **state)
{
	(void)state;
	char got[QOC_HALF_HASH_MAX], want[128];
	for (enum qoc_jws_alg a = QOC_JWS_RS256; a <= QOC_JWS_ES256; a++) {
		assert_int_equal(qoc_id_token_half_hash(a, access_token, strlen(access_token), got),
		                 QOC_OK);
		assert_string_equal(got, "0B49qjI_NS3nh-7Th8hN5g");
	}
	independent_half_hash(EVP_sha256(), access_token, want);
	assert_string_equal(got, want);
	assert_int_equal(
	    qoc_id_token_half_hash(QOC_JWS_EDDSA, access_token, strlen(access_token), got), QOC_OK);
	assert_string_equal(got, "MPEKMFjHIMcoePry6huTbbiPBIoSf-altY15WmhEQIk");
	independent_half_hash(EVP_sha512(), access_token, want);
	assert_string_equal(got, want);
	assert_int_equal(qoc_id_token_half_hash(QOC_JWS_ALG_UNSET, "x", 1, got), QOC_EINVAL);
}

static struct qoc_app app_with(const char *alg)
{
	return (struct qoc_app){
	    .client_id = "qoc_client_abcdefghijklmnopqrstuvwx",
	    .id_token_lifetime = 1800,
	    .id_token_signed_response_alg = alg,
	};
}

static struct qoc_id_token_params full_params(int64_t now)
{
	return (struct qoc_id_token_params){
	    .issuer = OIDC_TEST_ISSUER,
	    .sub = "acct_123",
	    .client_id = "ignored: issue takes the app's",
	    .now = now,
	    .lifetime = 1,
	    .auth_time = now - 30,
	    .nonce = "n-0S6_WzA2Mj",
	    .sid = "sid_42",
	    .access_token = access_token,
	    .access_token_len = sizeof(access_token) - 1,
	};
}

/* Verifies as a relying party does: the key is the JWKS entry named by the header's kid,
 * the algorithm the one the application registered (OIDC Core §3.1.3.7 steps 6-7). */
static json_t *verify_as_rp(struct oidc_fixture *f, const char *jwt, const char *alg_name)
{
	json_t *h = oidc_test_jwt_part(jwt, 0);
	assert_string_equal(json_string_value(json_object_get(h, "alg")), alg_name);
	assert_string_equal(json_string_value(json_object_get(h, "typ")), "JWT");
	assert_int_equal(json_object_size(h), 3);
	struct qoc_sigkey *pub =
	    oidc_fixture_jwks_key(f, json_string_value(json_object_get(h, "kid")));
	json_decref(h);
	struct qoc_buf payload;
	qoc_buf_init(&payload, 1 << 16);
	assert_int_equal(qoc_jws_verify(jwt, strlen(jwt),
	                                qoc_sigkey_alg_parse(alg_name, strlen(alg_name)), pub,
	                                &payload),
	                 QOC_OK);
	qoc_sigkey_free(pub);
	json_error_t e;
	json_t *c = json_loads(qoc_buf_cstr(&payload), JSON_REJECT_DUPLICATES, &e);
	qoc_buf_release(&payload);
	assert_non_null(c);
	return c;
}

static void claim_str(const json_t *c, const char *name, const char *want)
{
	assert_true(json_is_string(json_object_get(c, name)));
	assert_string_equal(json_string_value(json_object_get(c, name)), want);
}

static void claim_int(const json_t *c, const char *name, int64_t want)
{
	assert_true(json_is_integer(json_object_get(c, name)));
	assert_int_equal(json_integer_value(json_object_get(c, name)), want);
}

/* SECURITY.md "ID tokens": iss aud exp iat sub (+ nonce, auth_time, azp, at_hash), a kid
 * that resolves in the JWKS, never alg none - for each of the four algorithms. */
static void each_alg_verifies_with_the_published_jwk(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	static const char *const algs[] = {"RS256", "PS256", "ES256", "EdDSA"};
	for (size_t i = 0; i < 4; i++) {
		struct qoc_app app = app_with(algs[i]);
		struct qoc_id_token_params p = full_params(f.now);
		struct qoc_buf tok;
		qoc_buf_init(&tok, 1 << 16);
		assert_int_equal(qoc_id_token_issue(f.signer, &app, &p, &tok), QOC_OK);
		json_t *c = verify_as_rp(&f, qoc_buf_cstr(&tok), algs[i]);
		claim_str(c, "iss", OIDC_TEST_ISSUER);
		claim_str(c, "sub", "acct_123");
		claim_str(c, "aud", app.client_id);
		claim_int(c, "exp", f.now + 1800); /* the app's id_token_lifetime */
		claim_int(c, "iat", f.now);
		claim_int(c, "auth_time", f.now - 30);
		claim_str(c, "nonce", "n-0S6_WzA2Mj");
		claim_str(c, "azp", app.client_id);
		claim_str(c, "sid", "sid_42");
		char want[128];
		independent_half_hash(i == 3 ? EVP_sha512() : EVP_sha256(), access_token, want);
		claim_str(c, "at_hash", want);
		assert_null(json_object_get(c, "name")); /* an access token was issued: §5.4 */
		assert_null(json_object_get(c, "email"));
		assert_int_equal(json_object_size(c), 10);
		json_decref(c);
		qoc_buf_release(&tok);
	}
	oidc_fixture_close(&f);
}

/* RS256 is the default when the app names no algorithm (OIDC Registration §2); an
 * algorithm we do not sign with, or "none", is refused rather than substituted. */
static void app_alg_default_and_refusals(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	struct qoc_id_token_params p = full_params(f.now);
	struct qoc_buf tok;
	qoc_buf_init(&tok, 1 << 16);
	struct qoc_app app = app_with(NULL);
	assert_int_equal(qoc_id_token_issue(f.signer, &app, &p, &tok), QOC_OK);
	json_t *h = oidc_test_jwt_part(qoc_buf_cstr(&tok), 0);
	assert_string_equal(json_string_value(json_object_get(h, "alg")), "RS256");
	json_decref(h);
	static const char *const bad[] = {"none", "HS256", "rs256", "ES384"};
	for (size_t i = 0; i < 4; i++) {
		app = app_with(bad[i]);
		size_t before = tok.len;
		assert_int_equal(qoc_id_token_issue(f.signer, &app, &p, &tok), QOC_EINVAL);
		assert_int_equal(tok.len, before);
	}
	qoc_buf_release(&tok);
	oidc_fixture_close(&f);
}

/* Optional claims are absent, not empty, when there is nothing to say (§2). */
static void optional_claims_are_omitted(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_ES256, f.now, &ref), QOC_OK);
	struct qoc_id_token_params p = {
	    .issuer = OIDC_TEST_ISSUER,
	    .sub = "acct_1",
	    .client_id = "c1",
	    .now = f.now,
	    .lifetime = 60,
	};
	struct qoc_buf tok;
	qoc_buf_init(&tok, 1 << 16);
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_OK);
	json_t *c = verify_as_rp(&f, qoc_buf_cstr(&tok), "ES256");
	assert_int_equal(json_object_size(c), 6); /* iss sub aud exp iat azp */
	claim_int(c, "exp", f.now + 60);
	claim_str(c, "azp", "c1");
	json_decref(c);
	qoc_buf_release(&tok);
	qoc_signer_put(&ref);
	oidc_fixture_close(&f);
}

/* §5.4: with no access token (response_type=id_token), the scope's claims go in the ID
 * token; email_verified is false until QOC verifies addresses. */
static void scope_claims_without_an_access_token(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_EDDSA, f.now, &ref), QOC_OK);
	struct qoc_account acct = {.id = "acct_9", .email = "ada@example.com", .name = "Ada"};
	struct qoc_id_token_params p = {
	    .issuer = OIDC_TEST_ISSUER,
	    .sub = acct.id,
	    .client_id = "c1",
	    .now = f.now,
	    .lifetime = 60,
	    .nonce = "n",
	    .scope_claims = true,
	    .scope = "openid profile email",
	    .account = &acct,
	};
	struct qoc_buf tok;
	qoc_buf_init(&tok, 1 << 16);
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_OK);
	json_t *c = verify_as_rp(&f, qoc_buf_cstr(&tok), "EdDSA");
	claim_str(c, "name", "Ada");
	claim_str(c, "email", "ada@example.com");
	assert_true(json_is_false(json_object_get(c, "email_verified")));
	assert_null(json_object_get(c, "at_hash"));
	json_decref(c);

	qoc_buf_reset(&tok);
	p.scope = "openid profile";
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_OK);
	c = verify_as_rp(&f, qoc_buf_cstr(&tok), "EdDSA");
	claim_str(c, "name", "Ada");
	assert_null(json_object_get(c, "email"));
	json_decref(c);
	qoc_buf_release(&tok);
	qoc_signer_put(&ref);
	oidc_fixture_close(&f);
}

static void invalid_params_are_refused(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	struct qoc_signer_ref ref;
	assert_int_equal(qoc_signer_get(f.signer, QOC_JWS_ES256, f.now, &ref), QOC_OK);
	struct qoc_buf tok;
	qoc_buf_init(&tok, 1 << 16);
	const struct qoc_id_token_params ok = {
	    .issuer = OIDC_TEST_ISSUER,
	    .sub = "a",
	    .client_id = "c",
	    .now = f.now,
	    .lifetime = 60,
	};
	struct qoc_id_token_params p = ok;
	p.sub = "";
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_EINVAL);
	p = ok;
	p.issuer = NULL;
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_EINVAL);
	p = ok;
	p.lifetime = 0;
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_EINVAL);
	p.lifetime = QOC_ID_TOKEN_MAX_LIFETIME + 1;
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_EINVAL);
	p = ok;
	p.nonce = "";
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_EINVAL);
	p = ok;
	p.scope_claims = true; /* but no account */
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_EINVAL);
	p = ok;
	p.sub = "\xff\xfe"; /* not UTF-8: JSON cannot carry it */
	assert_int_equal(qoc_id_token_sign(&p, ref.key, &tok), QOC_EINVAL);
	assert_int_equal(qoc_id_token_sign(&ok, NULL, &tok), QOC_EINVAL);
	assert_int_equal(tok.len, 0);
	qoc_buf_release(&tok);
	qoc_signer_put(&ref);
	oidc_fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(at_hash_vectors),
	    cmocka_unit_test(each_alg_verifies_with_the_published_jwk),
	    cmocka_unit_test(app_alg_default_and_refusals),
	    cmocka_unit_test(optional_claims_are_omitted),
	    cmocka_unit_test(scope_claims_without_an_access_token),
	    cmocka_unit_test(invalid_params_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
