/* fuzz_jws - libFuzzer target for the JWS verifier and the base64 decoders.
 *
 * Every input goes through qoc_jws_verify (one fixed key per algorithm: the public keys of
 * RFC 7515 A.3 for ES256, A.2 for RS256, RFC 8037 A.2 for EdDSA), through
 * qoc_jws_verify_lookup, and through both base64 decoders. The verifier must never crash,
 * leak or read out of bounds, whatever the bytes; a result other than QOC_OK is expected
 * for almost every input, and QOC_OK is only possible for the seed vectors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "core/buf.h"
#include "crypto/b64.h"
#include "crypto/jwk.h"
#include "crypto/jws.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const jwks[] = {
    /* RFC 7515 Appendix A.3 (ES256) */
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
    /* RFC 7515 Appendix A.2 (RS256), public part */
    "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26m"
    "PddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soM"
    "Zo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4"
    "uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb5"
    "4h4FRWyuXpoQ\"}",
    /* RFC 8037 Appendix A.2 (EdDSA) */
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
};

#define KEY_COUNT (sizeof(jwks) / sizeof(jwks[0]))
static struct qoc_sigkey *keys[KEY_COUNT];

static const struct qoc_sigkey *lookup_es256(void *ctx, const char *kid, size_t kid_len)
{
	(void)ctx;
	/* Touch every byte of the kid, as a real look-up would. */
	unsigned sum = 0;
	for (size_t i = 0; i < kid_len; i++)
		sum += (unsigned char)kid[i];
	return sum % 7 == 3 ? NULL : keys[0];
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < KEY_COUNT; i++) {
		json_t *j = json_loads(jwks[i], 0, NULL);
		if (!j || qoc_jwk_import(j, QOC_JWS_ALG_UNSET, 0, &keys[i]) != QOC_OK) {
			fprintf(stderr, "fuzz_jws: key %zu does not import\n", i);
			abort();
		}
		json_decref(j);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct qoc_buf out;
	qoc_buf_init(&out, 1u << 16);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		enum qoc_err err = qoc_jws_verify(text, size, keys[i]->alg, keys[i], &out);
		if (err != QOC_OK && out.len != 0)
			abort(); /* a failed verify must not hand out a payload */
		qoc_buf_reset(&out);
	}
	(void)qoc_jws_verify_lookup(text, size, QOC_JWS_ES256, lookup_es256, NULL, &out);
	qoc_buf_reset(&out);
	(void)qoc_b64url_decode(text, size, &out);
	qoc_buf_reset(&out);
	(void)qoc_b64_decode(text, size, &out);
	qoc_buf_release(&out);
	return 0;
}
