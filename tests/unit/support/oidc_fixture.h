/* oidc_fixture.h - a store with one active key per algorithm and a signer over it, for the
 * tests of src/oidc/ (test_oidc_*.c), plus JWT helpers that decode without the code under
 * test. */
#ifndef QOC_TEST_OIDC_FIXTURE_H
#define QOC_TEST_OIDC_FIXTURE_H

#include <stdint.h>

#include <jansson.h>

#include "core/clock.h"
#include "crypto/sigkey.h"
#include "oidc/keyring.h"
#include "oidc/signer.h"
#include "support/tmp_store.h"

#define OIDC_TEST_ISSUER "https://login.example.com"
#define OIDC_TEST_NOW 1795705445

struct oidc_fixture {
	struct tmp_store t;
	int64_t now; /* what the pinned clock says */
	struct qoc_clock clock;
	struct qoc_keyring_params kp;
	struct qoc_signer *signer;
};

extern const uint8_t oidc_test_master[32];

/* Opens a store, makes a key per algorithm (keyring_ensure) and a signer at f->now. */
void oidc_fixture_open(struct oidc_fixture *f);
void oidc_fixture_close(struct oidc_fixture *f);

/* The public key published (JWKS) under kid, imported with the JWKS's "alg": what a
 * relying party would verify with. Caller frees. Fails the test when missing. */
struct qoc_sigkey *oidc_fixture_jwks_key(struct oidc_fixture *f, const char *kid);

/* Decodes part `index` (0 header, 1 payload) of a compact JWT as JSON (new reference). */
json_t *oidc_test_jwt_part(const char *jwt, int index);

/* Replaces part `index` of jwt with base64url(json text); the signature is kept. Returns a
 * malloc'd string. */
char *oidc_test_jwt_replace(const char *jwt, int index, const char *json_text);

#endif
