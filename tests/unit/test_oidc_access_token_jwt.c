/* Unit tests for src/oidc/access_token_jwt.c: RFC 9068 JWT access tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/jws.h"
#include "oidc/access_token_jwt.h"
#include "support/oidc_fixture.h"

static json_t *verify(struct oidc_fixture *f, const char *jwt, const char *alg)
{
	json_t *h = oidc_test_jwt_part(jwt, 0);
	/* RFC 9068 §2.1: typ "at+jwt" (explicit typing, RFC 8725 §3.11). */
	assert_string_equal(json_string_value(json_object_get(h, "typ")), "at+jwt");
	assert_string_equal(json_string_value(json_object_get(h, "alg")), alg);
	struct qoc_sigkey *pub =
	    oidc_fixture_jwks_key(f, json_string_value(json_object_get(h, "kid")));
	json_decref(h);
	struct qoc_buf payload;
	qoc_buf_init(&payload, 1 << 16);
	assert_int_equal(qoc_jws_verify(jwt, strlen(jwt), pub->alg, pub, &payload), QOC_OK);
	qoc_sigkey_free(pub);
	json_error_t e;
	json_t *c = json_loads(qoc_buf_cstr(&payload), JSON_REJECT_DUPLICATES, &e);
	qoc_buf_release(&payload);
	assert_non_null(c);
	return c;
}

static const char *str(const json_t *c, const char *name)
{
	const json_t *v = json_object_get(c, name);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static int64_t num(const json_t *c, const char *name)
{
	const json_t *v = json_object_get(c, name);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti required; scope (§2.2.3) and
 * auth_time (§2.2.1) when there are. Default algorithm ES256 (access_token_jwt.h). */
static void claims_and_header(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	struct qoc_access_token_jwt_params p = {
	    .issuer = OIDC_TEST_ISSUER,
	    .sub = "acct_7",
	    .client_id = "qoc_client_x",
	    .scope = "openid profile",
	    .now = f.now,
	    .lifetime = 3600,
	    .auth_time = f.now - 5,
	};
	struct qoc_buf tok;
	qoc_buf_init(&tok, 1 << 16);
	char jti[QOC_ACCESS_TOKEN_JWT_JTI_MAX];
	assert_int_equal(qoc_access_token_jwt_issue(f.signer, QOC_JWS_ALG_UNSET, &p, &tok, jti),
	                 QOC_OK);
	json_t *c = verify(&f, qoc_buf_cstr(&tok), "ES256");
	assert_string_equal(str(c, "iss"), OIDC_TEST_ISSUER);
	assert_string_equal(str(c, "sub"), "acct_7");
	assert_string_equal(str(c, "aud"), OIDC_TEST_ISSUER); /* no resource configured */
	assert_int_equal(num(c, "exp"), f.now + 3600);
	assert_int_equal(num(c, "iat"), f.now);
	assert_string_equal(str(c, "jti"), jti);
	assert_int_equal(strlen(jti), 22); /* 128 bits */
	assert_string_equal(str(c, "client_id"), "qoc_client_x");
	assert_string_equal(str(c, "scope"), "openid profile");
	assert_int_equal(num(c, "auth_time"), f.now - 5);
	assert_int_equal(json_object_size(c), 9);
	json_decref(c);

	/* A second token has another jti (RFC 7519 §4.1.7). */
	char jti2[QOC_ACCESS_TOKEN_JWT_JTI_MAX];
	qoc_buf_reset(&tok);
	assert_int_equal(qoc_access_token_jwt_issue(f.signer, QOC_JWS_ALG_UNSET, &p, &tok, jti2),
	                 QOC_OK);
	assert_string_not_equal(jti, jti2);
	qoc_buf_release(&tok);
	oidc_fixture_close(&f);
}

static enum qoc_err fixed_fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0xfb, len);
	return QOC_OK;
}

/* client_credentials: the subject is the client (RFC 9068 §2.2); a configured resource
 * is the audience; RS256 (mandatory to implement, §4) on request; no scope, no
 * auth_time when there are none. */
static void client_credentials_rs256_and_audience(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	const struct qoc_random rng = {fixed_fill, NULL};
	struct qoc_access_token_jwt_params p = {
	    .issuer = OIDC_TEST_ISSUER,
	    .audience = "https://api.example.com",
	    .sub = "qoc_client_svc",
	    .client_id = "qoc_client_svc",
	    .now = f.now,
	    .lifetime = 60,
	    .rng = &rng,
	};
	struct qoc_buf tok;
	qoc_buf_init(&tok, 1 << 16);
	assert_int_equal(qoc_access_token_jwt_issue(f.signer, QOC_JWS_RS256, &p, &tok, NULL),
	                 QOC_OK);
	json_t *c = verify(&f, qoc_buf_cstr(&tok), "RS256");
	assert_string_equal(str(c, "aud"), "https://api.example.com");
	assert_string_equal(str(c, "sub"), str(c, "client_id"));
	assert_string_equal(str(c, "jti"), "-_v7-_v7-_v7-_v7-_v7-w"); /* 16 x 0xfb, pinned rng */
	assert_null(json_object_get(c, "scope"));
	assert_null(json_object_get(c, "auth_time"));
	json_decref(c);
	qoc_buf_release(&tok);
	oidc_fixture_close(&f);
}

static void invalid_params_are_refused(void **state)
{
	(void)state;
	struct oidc_fixture f;
	oidc_fixture_open(&f);
	struct qoc_buf tok;
	qoc_buf_init(&tok, 1 << 16);
	const struct qoc_access_token_jwt_params ok = {
	    .issuer = OIDC_TEST_ISSUER,
	    .sub = "s",
	    .client_id = "c",
	    .now = f.now,
	    .lifetime = 60,
	};
	struct qoc_access_token_jwt_params p = ok;
	p.client_id = NULL;
	assert_int_equal(qoc_access_token_jwt_issue(f.signer, 0, &p, &tok, NULL), QOC_EINVAL);
	p = ok;
	p.lifetime = 0;
	assert_int_equal(qoc_access_token_jwt_issue(f.signer, 0, &p, &tok, NULL), QOC_EINVAL);
	p = ok;
	p.sub = "";
	assert_int_equal(qoc_access_token_jwt_issue(f.signer, 0, &p, &tok, NULL), QOC_EINVAL);
	assert_int_equal(
	    qoc_access_token_jwt_issue(f.signer, (enum qoc_jws_alg)42, &ok, &tok, NULL),
	    QOC_EINVAL);
	assert_int_equal(tok.len, 0);
	qoc_buf_release(&tok);
	oidc_fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(claims_and_header),
	    cmocka_unit_test(client_credentials_rs256_and_audience),
	    cmocka_unit_test(invalid_params_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
