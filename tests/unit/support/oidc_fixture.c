#include "support/oidc_fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/b64.h"
#include "crypto/jwk.h"

const uint8_t oidc_test_master[32] = {7, 6, 5, 4, 3, 2, 1, 0, 9, 8,  7,  6,  5,  4,  3,  2,
                                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static int64_t fixture_now(void *ctx)
{
	return ((struct oidc_fixture *)ctx)->now;
}

void oidc_fixture_open(struct oidc_fixture *f)
{
	memset(f, 0, sizeof(*f));
	tmp_store_open(&f->t);
	f->now = OIDC_TEST_NOW;
	f->clock = (struct qoc_clock){fixture_now, f};
	f->kp = (struct qoc_keyring_params){
	    .store = f->t.st,
	    .clock = &f->clock,
	    .master_key = oidc_test_master,
	    .alg = "RS256",
	    .retention = 86400,
	};
	bool created = false;
	assert_int_equal(qoc_keyring_ensure(&f->kp, &created), QOC_OK);
	assert_true(created);
	assert_int_equal(qoc_signer_new(f->t.st, oidc_test_master, f->now, &f->signer), QOC_OK);
}

void oidc_fixture_close(struct oidc_fixture *f)
{
	qoc_signer_free(f->signer);
	f->signer = NULL;
	tmp_store_close(&f->t);
}

struct qoc_sigkey *oidc_fixture_jwks_key(struct oidc_fixture *f, const char *kid)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 20);
	assert_int_equal(qoc_keyring_jwks(f->t.st, &f->clock, &b), QOC_OK);
	json_error_t e;
	json_t *jwks = json_loads(qoc_buf_cstr(&b), 0, &e);
	qoc_buf_release(&b);
	assert_non_null(jwks);
	struct qoc_sigkey *key = NULL;
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(jwks, "keys"), i, k)
	{
		if (strcmp(json_string_value(json_object_get(k, "kid")), kid) == 0)
			assert_int_equal(qoc_jwk_import(k, QOC_JWS_ALG_UNSET, 0, &key), QOC_OK);
	}
	json_decref(jwks);
	assert_non_null(key);
	return key;
}

json_t *oidc_test_jwt_part(const char *jwt, int index)
{
	const char *start = jwt;
	for (int i = 0; i < index; i++) {
		start = strchr(start, '.');
		assert_non_null(start);
		start++;
	}
	const char *end = strchr(start, '.');
	assert_non_null(end);
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 16);
	assert_int_equal(qoc_b64url_decode(start, (size_t)(end - start), &b), QOC_OK);
	json_error_t e;
	json_t *j = json_loadb(qoc_buf_cstr(&b), b.len, 0, &e);
	qoc_buf_release(&b);
	assert_non_null(j);
	return j;
}

char *oidc_test_jwt_replace(const char *jwt, int index, const char *json_text)
{
	const char *d1 = strchr(jwt, '.');
	assert_non_null(d1);
	const char *d2 = strchr(d1 + 1, '.');
	assert_non_null(d2);
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 16);
	if (index == 0) {
		assert_int_equal(qoc_b64url_encode(json_text, strlen(json_text), &b), QOC_OK);
		assert_int_equal(qoc_buf_append_cstr(&b, d1), QOC_OK);
	} else {
		assert_int_equal(qoc_buf_append(&b, jwt, (size_t)(d1 - jwt) + 1), QOC_OK);
		assert_int_equal(qoc_b64url_encode(json_text, strlen(json_text), &b), QOC_OK);
		assert_int_equal(qoc_buf_append_cstr(&b, d2), QOC_OK);
	}
	char *s = strdup(qoc_buf_cstr(&b));
	qoc_buf_release(&b);
	assert_non_null(s);
	return s;
}
