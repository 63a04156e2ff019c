/* Unit tests for src/crypto/jws: compact JWS sign/verify, RFC 7515 and RFC 8037 vectors,
 * and the refusals RFC 8725 (JWT BCP) asks for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/b64.h"
#include "crypto/jwk.h"
#include "crypto/jws.h"
#include "crypto_vectors.h"

static struct qoc_sigkey *import(const char *text)
{
	json_error_t e;
	struct qoc_sigkey *k = NULL;
	json_t *j = json_loads(text, 0, &e);
	assert_non_null(j);
	assert_int_equal(qoc_jwk_import(j, QOC_JWS_ALG_UNSET, 0, &k), QOC_OK);
	json_decref(j);
	return k;
}

/* Verifies text with key; returns the error and leaves the payload in a static buffer. */
static char payload_text[4096];
static enum qoc_err verify_with(const char *text, size_t len, enum qoc_jws_alg alg,
                                const struct qoc_sigkey *key)
{
	struct qoc_buf out;
	qoc_buf_init(&out, sizeof(payload_text) - 1);
	enum qoc_err err = qoc_jws_verify(text, len, alg, key, &out);
	if (err)
		assert_int_equal(out.len, 0); /* nothing is handed out on failure */
	memcpy(payload_text, qoc_buf_cstr(&out), out.len + 1);
	qoc_buf_release(&out);
	return err;
}

static enum qoc_err verify_str(const char *text, enum qoc_jws_alg alg, const struct qoc_sigkey *key)
{
	return verify_with(text, strlen(text), alg, key);
}

/* A token with the given header JSON, correctly signed by key, so that the header alone
 * decides the outcome. */
static void make_token(const struct qoc_sigkey *key, const char *header, const char *payload,
                       struct qoc_buf *out)
{
	qoc_buf_init(out, 32768);
	assert_int_equal(qoc_b64url_encode(header, strlen(header), out), QOC_OK);
	assert_int_equal(qoc_buf_append_char(out, '.'), QOC_OK);
	assert_int_equal(qoc_b64url_encode(payload, strlen(payload), out), QOC_OK);
	size_t input_len = out->len;
	struct qoc_buf sig;
	qoc_buf_init(&sig, 2048);
	assert_int_equal(qoc_jws_sign_input(key, out->data, input_len, &sig), QOC_OK);
	assert_int_equal(qoc_buf_append_char(out, '.'), QOC_OK);
	assert_int_equal(qoc_buf_append(out, sig.data, sig.len), QOC_OK);
	qoc_buf_release(&sig);
}

static enum qoc_err header_verdict(const struct qoc_sigkey *key, const char *header,
                                   enum qoc_jws_alg expected)
{
	struct qoc_buf t;
	make_token(key, header, "{}", &t);
	enum qoc_err err = verify_with(t.data, t.len, expected, key);
	qoc_buf_release(&t);
	return err;
}

struct keys {
	struct qoc_sigkey *rs, *ps, *es, *ed, *es2;
};

static int keys_setup(void **state)
{
	struct keys *k = calloc(1, sizeof(*k));
	if (!k || qoc_sigkey_generate(QOC_JWS_RS256, &k->rs) ||
	    qoc_sigkey_generate(QOC_JWS_PS256, &k->ps) ||
	    qoc_sigkey_generate(QOC_JWS_ES256, &k->es) ||
	    qoc_sigkey_generate(QOC_JWS_EDDSA, &k->ed) ||
	    qoc_sigkey_generate(QOC_JWS_ES256, &k->es2))
		return -1;
	*state = k;
	return 0;
}

static int keys_teardown(void **state)
{
	struct keys *k = *state;
	qoc_sigkey_free(k->rs);
	qoc_sigkey_free(k->ps);
	qoc_sigkey_free(k->es);
	qoc_sigkey_free(k->ed);
	qoc_sigkey_free(k->es2);
	free(k);
	return 0;
}

/* RFC 7515 Appendix A.2: RSASSA-PKCS1-v1_5 is deterministic, so signing the A.2 input
 * with the A.2 key gives exactly the A.2 signature; and the A.2 JWS verifies. */
static void rfc7515_a2_rs256(void **state)
{
	(void)state;
	struct qoc_sigkey *k = import(RFC7515_A2_JWK);
	struct qoc_buf sig;
	qoc_buf_init(&sig, 1024);
	const char *input = RFC7515_A2_SIGNING_INPUT;
	assert_int_equal(qoc_jws_sign_input(k, input, strlen(input), &sig), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&sig), RFC7515_A2_SIGNATURE);
	qoc_buf_release(&sig);
	assert_int_equal(verify_str(RFC7515_A2_JWS, QOC_JWS_RS256, k), QOC_OK);
	assert_string_equal(payload_text, RFC7515_PAYLOAD);
	qoc_sigkey_free(k);
}

/* RFC 7515 Appendix A.3: ES256 (R || S, 64 octets) verified with the given public key. */
static void rfc7515_a3_es256(void **state)
{
	(void)state;
	struct qoc_sigkey *k = import(RFC7515_A3_PUBLIC_JWK);
	assert_int_equal(verify_str(RFC7515_A3_JWS, QOC_JWS_ES256, k), QOC_OK);
	assert_string_equal(payload_text, RFC7515_PAYLOAD);
	qoc_sigkey_free(k);
}

/* RFC 8037 Appendix A.4 and A.5: Ed25519 is deterministic; the signature must match. */
static void rfc8037_a4_eddsa(void **state)
{
	(void)state;
	struct qoc_sigkey *priv = import(RFC8037_A1_JWK), *pub = import(RFC8037_A2_JWK);
	struct qoc_buf sig;
	qoc_buf_init(&sig, 1024);
	const char *input = RFC8037_A4_SIGNING_INPUT;
	assert_int_equal(qoc_jws_sign_input(priv, input, strlen(input), &sig), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&sig), RFC8037_A4_SIGNATURE);
	qoc_buf_release(&sig);
	assert_int_equal(verify_str(RFC8037_A4_JWS, QOC_JWS_EDDSA, pub), QOC_OK);
	assert_string_equal(payload_text, "Example of Ed25519 signing");
	qoc_sigkey_free(priv);
	qoc_sigkey_free(pub);
}

static const struct qoc_sigkey *find_kid(void *ctx, const char *kid, size_t kid_len)
{
	struct keys *k = ctx;
	struct qoc_sigkey *all[] = {k->rs, k->ps, k->es, k->ed};
	for (size_t i = 0; i < 4; i++) {
		if (kid && strlen(all[i]->kid) == kid_len && memcmp(all[i]->kid, kid, kid_len) == 0)
			return all[i];
	}
	return NULL;
}

static void round_trip_all_algorithms(void **state)
{
	struct keys *k = *state;
	struct qoc_sigkey *keys[] = {k->rs, k->ps, k->es, k->ed};
	json_t *extra = json_pack("{s:s}", "typ", "JWT");
	const char payload[] = "{\"sub\":\"alice\",\"n\":\"\\u0000\"}";
	for (size_t i = 0; i < 4; i++) {
		struct qoc_buf t, out, hdr;
		qoc_buf_init(&t, 4096);
		qoc_buf_init(&out, 4096);
		qoc_buf_init(&hdr, 4096);
		assert_int_equal(qoc_jws_sign(keys[i], payload, strlen(payload), extra, &t),
		                 QOC_OK);
		assert_int_equal(qoc_jws_verify(t.data, t.len, keys[i]->alg, keys[i], &out),
		                 QOC_OK);
		assert_string_equal(qoc_buf_cstr(&out), payload);
		qoc_buf_reset(&out);
		assert_int_equal(
		    qoc_jws_verify_lookup(t.data, t.len, keys[i]->alg, find_kid, k, &out), QOC_OK);
		assert_string_equal(qoc_buf_cstr(&out), payload);

		/* The header is {"alg","kid","typ"} in that order. */
		const char *dot = strchr(t.data, '.');
		assert_int_equal(qoc_b64url_decode(t.data, (size_t)(dot - t.data), &hdr), QOC_OK);
		char want[256];
		snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
		         qoc_sigkey_alg_name(keys[i]->alg), keys[i]->kid);
		assert_string_equal(qoc_buf_cstr(&hdr), want);

		/* ES256 and EdDSA signatures are 64 octets: 86 base64url characters. */
		const char *sig = strrchr(t.data, '.') + 1;
		if (i >= 2)
			assert_int_equal(strlen(sig), 86);
		else
			assert_int_equal(strlen(sig), 342);
		qoc_buf_release(&t);
		qoc_buf_release(&out);
		qoc_buf_release(&hdr);
	}
	json_decref(extra);
}

/* Binary and empty payloads are carried unchanged. */
static void payloads_are_opaque_bytes(void **state)
{
	struct keys *k = *state;
	const char bin[] = {0, 1, (char)0xff, '.', 0};
	struct qoc_buf t, out;
	qoc_buf_init(&t, 4096);
	qoc_buf_init(&out, 4096);
	assert_int_equal(qoc_jws_sign(k->es, bin, sizeof(bin), NULL, &t), QOC_OK);
	assert_int_equal(qoc_jws_verify(t.data, t.len, QOC_JWS_ES256, k->es, &out), QOC_OK);
	assert_int_equal(out.len, sizeof(bin));
	assert_memory_equal(out.data, bin, sizeof(bin));
	qoc_buf_reset(&t);
	qoc_buf_reset(&out);
	assert_int_equal(qoc_jws_sign(k->ed, "", 0, NULL, &t), QOC_OK);
	assert_int_equal(qoc_jws_verify(t.data, t.len, QOC_JWS_EDDSA, k->ed, &out), QOC_OK);
	assert_int_equal(out.len, 0);
	qoc_buf_release(&t);
	qoc_buf_release(&out);
}

/* sign_typ writes its header without jansson: the token is byte for byte the one
 * qoc_jws_sign makes with an extra header {"typ": typ} (RS256 and EdDSA are
 * deterministic), and it verifies. */
static void sign_typ_matches_sign_with_a_typ_header(void **state)
{
	struct keys *k = *state;
	const struct qoc_sigkey *keys[] = {k->rs, k->ed};
	const char *payload = "{\"sub\":\"alice\"}";
	for (size_t i = 0; i < 2; i++) {
		struct qoc_buf a, b;
		qoc_buf_init(&a, 4096);
		qoc_buf_init(&b, 4096);
		json_t *extra = json_pack("{s:s}", "typ", "at+jwt");
		assert_int_equal(qoc_jws_sign(keys[i], payload, strlen(payload), extra, &a), QOC_OK);
		json_decref(extra);
		assert_int_equal(qoc_jws_sign_typ(keys[i], payload, strlen(payload), "at+jwt", &b),
		                 QOC_OK);
		assert_string_equal(a.data, b.data);
		qoc_buf_reset(&a);
		assert_int_equal(qoc_jws_verify(b.data, b.len, keys[i]->alg, keys[i], &a), QOC_OK);
		assert_int_equal(a.len, strlen(payload));
		qoc_buf_release(&a);
		qoc_buf_release(&b);
	}
	struct qoc_buf t;
	qoc_buf_init(&t, 4096);
	assert_int_equal(qoc_jws_sign_typ(k->es, "p", 1, NULL, &t), QOC_EINVAL);
	assert_int_equal(qoc_jws_sign_typ(k->es, "p", 1, "\xff", &t), QOC_EINVAL);
	assert_int_equal(t.len, 0);
	qoc_buf_release(&t);
}

static void sign_refuses_bad_requests(void **state)
{
	struct keys *k = *state;
	struct qoc_buf t;
	qoc_buf_init(&t, 4096);
	const char *names[] = {"alg", "kid", "crit", "b64"};
	for (size_t i = 0; i < 4; i++) {
		json_t *extra = json_pack("{s:s}", names[i], "x");
		assert_int_equal(qoc_jws_sign(k->es, "p", 1, extra, &t), QOC_EINVAL);
		json_decref(extra);
	}
	json_t *arr = json_array();
	assert_int_equal(qoc_jws_sign(k->es, "p", 1, arr, &t), QOC_EINVAL);
	json_decref(arr);
	assert_int_equal(t.len, 0);

	/* A public key cannot sign. */
	json_t *pub = qoc_jwk_public_json(k->es);
	struct qoc_sigkey *pk = NULL;
	assert_int_equal(qoc_jwk_import(pub, QOC_JWS_ALG_UNSET, 0, &pk), QOC_OK);
	assert_int_equal(qoc_jws_sign(pk, "p", 1, NULL, &t), QOC_EINVAL);
	assert_int_equal(qoc_jws_sign_input(pk, "p", 1, &t), QOC_EINVAL);
	qoc_sigkey_free(pk);
	json_decref(pub);

	/* The output bound holds and leaves the buffer as it was. */
	struct qoc_buf small;
	qoc_buf_init(&small, 100);
	assert_int_equal(qoc_buf_append_cstr(&small, "x"), QOC_OK);
	assert_int_equal(qoc_jws_sign(k->es, "p", 1, NULL, &small), QOC_ELIMIT);
	assert_string_equal(qoc_buf_cstr(&small), "x");
	qoc_buf_release(&small);
	qoc_buf_release(&t);
}

/* RFC 8725 §2.1, §3.1: the algorithm is the verifier's choice, never the token's. */
static void alg_is_pinned(void **state)
{
	struct keys *k = *state;
	/* RFC 7515 A.5: the unsecured JWS, with and without a signature part. */
	const char *none = "eyJhbGciOiJub25lIn0." RFC7515_PAYLOAD_B64 ".";
	assert_int_equal(verify_str(none, QOC_JWS_ES256, k->es), QOC_EPERM);
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"none\"}", QOC_JWS_ES256), QOC_EPERM);
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"NONE\"}", QOC_JWS_ES256), QOC_EPERM);
	/* HS256 signed with the public key as the secret (the classic key confusion). */
	assert_int_equal(header_verdict(k->rs, "{\"alg\":\"HS256\"}", QOC_JWS_RS256), QOC_EPERM);
	/* RS256 token where ES256 is expected, and the reverse. */
	assert_int_equal(header_verdict(k->rs, "{\"alg\":\"RS256\"}", QOC_JWS_ES256), QOC_EPERM);
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"ES256\"}", QOC_JWS_RS256), QOC_EPERM);
	/* The RFC 7515 A.2 token against an ES256 expectation. */
	assert_int_equal(verify_str(RFC7515_A2_JWS, QOC_JWS_ES256, k->es), QOC_EPERM);
	/* Same name in another case, with trailing junk, as a non-string, absent. */
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"es256\"}", QOC_JWS_ES256), QOC_EPERM);
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"ES256 \"}", QOC_JWS_ES256), QOC_EPERM);
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"ES256\\u0000\"}", QOC_JWS_ES256),
	                 QOC_EINVAL);
	assert_int_equal(header_verdict(k->es, "{\"alg\":[\"ES256\"]}", QOC_JWS_ES256), QOC_EINVAL);
	assert_int_equal(header_verdict(k->es, "{\"kid\":\"x\"}", QOC_JWS_ES256), QOC_EINVAL);
	/* PS256 and RS256 share a key type; a key is used with its own algorithm only. */
	assert_int_equal(header_verdict(k->ps, "{\"alg\":\"RS256\"}", QOC_JWS_RS256), QOC_EPERM);
	assert_int_equal(header_verdict(k->rs, "{\"alg\":\"PS256\"}", QOC_JWS_PS256), QOC_EPERM);
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"ES256\"}", QOC_JWS_ALG_UNSET),
	                 QOC_EINVAL);
}

/* RFC 8725 §3.10 / RFC 7515 §4.1.2-§4.1.6, §4.1.11: no key or rule from the token. */
static void key_bearing_and_crit_headers_are_refused(void **state)
{
	struct keys *k = *state;
	const char *hdrs[] = {
	    "{\"alg\":\"ES256\",\"jku\":\"https://evil.example/jwks\"}",
	    "{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"}}",
	    "{\"alg\":\"ES256\",\"x5u\":\"https://evil.example/cert\"}",
	    "{\"alg\":\"ES256\",\"x5c\":[\"MIIB\"]}",
	    "{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}",
	    "{\"alg\":\"ES256\",\"crit\":[\"b64\"],\"b64\":false}",
	    "{\"alg\":\"ES256\",\"jku\":null}",
	};
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
		assert_int_equal(header_verdict(k->es, hdrs[i], QOC_JWS_ES256), QOC_EPERM);
	/* Unknown members are ignored (RFC 7515 §4), and typ/cty pass through. */
	assert_int_equal(
	    header_verdict(k->es, "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"zzz\":1}", QOC_JWS_ES256),
	    QOC_OK);
}

static void tampering_and_wrong_keys_fail(void **state)
{
	struct keys *k = *state;
	struct qoc_buf t;
	qoc_buf_init(&t, 4096);
	assert_int_equal(qoc_jws_sign(k->es, "{\"sub\":\"alice\"}", 15, NULL, &t), QOC_OK);
	assert_int_equal(verify_with(t.data, t.len, QOC_JWS_ES256, k->es), QOC_OK);
	assert_int_equal(verify_with(t.data, t.len, QOC_JWS_ES256, k->es2), QOC_ECRYPTO);

	char *payload = strchr(t.data, '.') + 1;
	char *sig = strrchr(t.data, '.') + 1;
	char saved = payload[2];
	payload[2] = saved == 'A' ? 'B' : 'A';
	assert_int_equal(verify_with(t.data, t.len, QOC_JWS_ES256, k->es), QOC_ECRYPTO);
	payload[2] = saved;
	saved = sig[10];
	sig[10] = saved == 'A' ? 'B' : 'A';
	assert_int_equal(verify_with(t.data, t.len, QOC_JWS_ES256, k->es), QOC_ECRYPTO);
	sig[10] = saved;
	assert_int_equal(verify_with(t.data, t.len, QOC_JWS_ES256, k->es), QOC_OK);

	/* Every RSA and Ed25519 signature byte matters too. */
	struct qoc_sigkey *keys[] = {k->rs, k->ps, k->ed};
	for (size_t i = 0; i < 3; i++) {
		qoc_buf_reset(&t);
		assert_int_equal(qoc_jws_sign(keys[i], "x", 1, NULL, &t), QOC_OK);
		sig = strrchr(t.data, '.') + 1;
		sig[0] = sig[0] == 'A' ? 'B' : 'A';
		assert_int_equal(verify_with(t.data, t.len, keys[i]->alg, keys[i]), QOC_ECRYPTO);
	}
	qoc_buf_release(&t);
}

/* Replaces the signature of an ES256 token with base64url(raw[len]). */
static enum qoc_err es256_with_signature(const struct keys *k, const uint8_t *raw, size_t len)
{
	struct qoc_buf t;
	qoc_buf_init(&t, 4096);
	assert_int_equal(qoc_jws_sign(k->es, "x", 1, NULL, &t), QOC_OK);
	t.len = (size_t)(strrchr(t.data, '.') + 1 - t.data);
	assert_int_equal(qoc_b64url_encode(raw, len, &t), QOC_OK);
	enum qoc_err err = verify_with(t.data, t.len, QOC_JWS_ES256, k->es);
	qoc_buf_release(&t);
	return err;
}

/* RFC 7518 §3.4: the ES256 signature is exactly 64 octets, R || S, not DER. */
static void es256_signature_size_is_exact(void **state)
{
	struct keys *k = *state;
	struct qoc_buf t;
	uint8_t raw[80];
	size_t n = 0;
	qoc_buf_init(&t, 4096);
	assert_int_equal(qoc_jws_sign(k->es, "x", 1, NULL, &t), QOC_OK);
	const char *sig = strrchr(t.data, '.') + 1;
	assert_int_equal(qoc_b64url_decode_to(sig, strlen(sig), raw, sizeof(raw), &n), QOC_OK);
	assert_int_equal(n, 64);
	qoc_buf_release(&t);
	raw[64] = 0;
	/* The same input signed again: any valid signature of it passes ... */
	assert_int_equal(es256_with_signature(k, raw, 64), QOC_OK);
	/* ... but not one a byte short or long. */
	assert_int_equal(es256_with_signature(k, raw, 63), QOC_ECRYPTO);
	assert_int_equal(es256_with_signature(k, raw, 65), QOC_ECRYPTO);
	assert_int_equal(es256_with_signature(k, raw, 0), QOC_ECRYPTO);
	/* A DER ECDSA-Sig-Value: 30 44 02 20 <r> 02 20 <s>. */
	uint8_t der[70] = {0x30, 0x44, 0x02, 0x20};
	memcpy(der + 4, raw, 32);
	der[36] = 0x02;
	der[37] = 0x20;
	memcpy(der + 38, raw + 32, 32);
	assert_int_equal(es256_with_signature(k, der, sizeof(der)), QOC_ECRYPTO);
	/* All zeros (r = s = 0) */
	memset(raw, 0, 64);
	assert_int_equal(es256_with_signature(k, raw, 64), QOC_ECRYPTO);
}

/* RFC 7515 §7.1: exactly three base64url parts. */
static void structure_is_strict(void **state)
{
	struct keys *k = *state;
	struct qoc_buf t;
	char text[4096];
	qoc_buf_init(&t, 4096);
	assert_int_equal(qoc_jws_sign(k->es, "x", 1, NULL, &t), QOC_OK);
	const char *d1 = strchr(t.data, '.'), *d2 = strrchr(t.data, '.');

	assert_int_equal(verify_str("", QOC_JWS_ES256, k->es), QOC_EINVAL);
	assert_int_equal(verify_str("abc", QOC_JWS_ES256, k->es), QOC_EINVAL);
	assert_int_equal(verify_str("..", QOC_JWS_ES256, k->es), QOC_EINVAL);
	assert_int_equal(verify_str("...", QOC_JWS_ES256, k->es), QOC_EINVAL);
	/* two parts */
	assert_int_equal(verify_with(t.data, (size_t)(d2 - t.data), QOC_JWS_ES256, k->es),
	                 QOC_EINVAL);
	/* four parts */
	snprintf(text, sizeof(text), "%s.", t.data);
	assert_int_equal(verify_str(text, QOC_JWS_ES256, k->es), QOC_EINVAL);
	snprintf(text, sizeof(text), "%s.AAAA", t.data);
	assert_int_equal(verify_str(text, QOC_JWS_ES256, k->es), QOC_EINVAL);
	/* padded base64 in the signature, in the header */
	snprintf(text, sizeof(text), "%s==", t.data);
	assert_int_equal(verify_str(text, QOC_JWS_ES256, k->es), QOC_EINVAL);
	snprintf(text, sizeof(text), "%.*s=%s", (int)(d1 - t.data), t.data, d1);
	assert_int_equal(verify_str(text, QOC_JWS_ES256, k->es), QOC_EINVAL);
	/* characters outside base64url in each part */
	for (int part = 0; part < 3; part++) {
		memcpy(text, t.data, t.len + 1);
		size_t at = part == 0   ? 1
		            : part == 1 ? (size_t)(d1 - t.data) + 1
		                        : (size_t)(d2 - t.data) + 1;
		text[at] = '+';
		assert_int_equal(verify_str(text, QOC_JWS_ES256, k->es), QOC_EINVAL);
		text[at] = '\0';
		assert_int_equal(verify_with(text, t.len, QOC_JWS_ES256, k->es), QOC_EINVAL);
	}
	/* whitespace around */
	snprintf(text, sizeof(text), " %s", t.data);
	assert_int_equal(verify_str(text, QOC_JWS_ES256, k->es), QOC_EINVAL);
	snprintf(text, sizeof(text), "%s\n", t.data);
	assert_int_equal(verify_str(text, QOC_JWS_ES256, k->es), QOC_EINVAL);
	qoc_buf_release(&t);
}

/* RFC 7515 §4: the header is a JSON object; RFC 7515 §5.2 step 4 / RFC 8725 §3.4:
 * duplicate names are refused. */
static void header_must_be_a_plain_object(void **state)
{
	struct keys *k = *state;
	const char *bad[] = {"[]",
	                     "\"ES256\"",
	                     "123",
	                     "null",
	                     "{",
	                     "{\"alg\":\"ES256\"",
	                     "{\"alg\":\"ES256\"} x",
	                     "",
	                     "{\"alg\":\"ES256\",}",
	                     "\xff\xfe"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (header_verdict(k->es, bad[i], QOC_JWS_ES256) != QOC_EINVAL)
			fail_msg("header %zu accepted or misclassified", i);
	}
	assert_int_equal(
	    header_verdict(k->es, "{\"alg\":\"ES256\",\"alg\":\"none\"}", QOC_JWS_ES256),
	    QOC_EINVAL);
	assert_int_equal(
	    header_verdict(k->es, "{\"alg\":\"none\",\"alg\":\"ES256\"}", QOC_JWS_ES256),
	    QOC_EINVAL);
	/* Whitespace inside the JSON is fine (RFC 7515 A.1 has CR LF). */
	assert_int_equal(
	    header_verdict(k->es, "{\"typ\":\"JWT\",\r\n \"alg\":\"ES256\"}", QOC_JWS_ES256),
	    QOC_OK);
}

/* Nesting: 16 levels pass, 17 are refused before the JSON parser sees them. */
static void deep_nesting_is_refused(void **state)
{
	struct keys *k = *state;
	char hdr[512];
	size_t n = 0;
	n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "{\"alg\":\"ES256\",\"x\":");
	for (int i = 0; i < 15; i++)
		hdr[n++] = '[';
	for (int i = 0; i < 15; i++)
		hdr[n++] = ']';
	hdr[n++] = '}';
	hdr[n] = '\0';
	assert_int_equal(header_verdict(k->es, hdr, QOC_JWS_ES256), QOC_OK); /* depth 16 */

	n = 0;
	n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "{\"alg\":\"ES256\",\"x\":");
	for (int i = 0; i < 16; i++)
		hdr[n++] = '[';
	for (int i = 0; i < 16; i++)
		hdr[n++] = ']';
	hdr[n++] = '}';
	hdr[n] = '\0';
	assert_int_equal(header_verdict(k->es, hdr, QOC_JWS_ES256), QOC_ELIMIT); /* depth 17 */

	/* Brackets inside strings do not count; escaped quotes do not end strings. */
	assert_int_equal(
	    header_verdict(k->es, "{\"alg\":\"ES256\",\"x\":\"[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}",
	                   QOC_JWS_ES256),
	    QOC_OK);
	/* Thousands of unclosed brackets cost one scan. */
	static char deep[9000];
	memset(deep, '[', sizeof(deep) - 1);
	assert_int_equal(header_verdict(k->es, deep, QOC_JWS_ES256), QOC_ELIMIT);
}

static void oversize_input_is_refused(void **state)
{
	struct keys *k = *state;
	static char big[QOC_JWS_MAX_LEN + 2];
	memset(big, 'A', sizeof(big) - 1);
	assert_int_equal(verify_with(big, QOC_JWS_MAX_LEN + 1, QOC_JWS_ES256, k->es), QOC_ELIMIT);
	assert_int_equal(verify_with(big, QOC_JWS_MAX_LEN, QOC_JWS_ES256, k->es), QOC_EINVAL);

	/* A valid token just under the limit verifies; one byte of payload more does not. */
	static char payload[13000];
	struct qoc_buf t;
	qoc_buf_init(&t, 32768);
	size_t len = 12500;
	for (;;) {
		memset(payload, 'p', len);
		payload[len] = '\0';
		qoc_buf_reset(&t);
		assert_int_equal(qoc_jws_sign(k->ed, payload, len, NULL, &t), QOC_OK);
		if (t.len <= QOC_JWS_MAX_LEN)
			break;
		len--;
	}
	struct qoc_buf out;
	qoc_buf_init(&out, 16384);
	assert_int_equal(qoc_jws_verify(t.data, t.len, QOC_JWS_EDDSA, k->ed, &out), QOC_OK);
	qoc_buf_release(&out);
	do {
		len++;
		qoc_buf_reset(&t);
		assert_int_equal(qoc_jws_sign(k->ed, payload, len, NULL, &t), QOC_OK);
	} while (t.len <= QOC_JWS_MAX_LEN);
	assert_int_equal(verify_with(t.data, t.len, QOC_JWS_EDDSA, k->ed), QOC_ELIMIT);
	qoc_buf_release(&t);
}

static const struct qoc_sigkey *lookup_none(void *ctx, const char *kid, size_t kid_len)
{
	(void)ctx;
	(void)kid;
	(void)kid_len;
	return NULL;
}

static const struct qoc_sigkey *lookup_es(void *ctx, const char *kid, size_t kid_len)
{
	struct keys *k = ctx;
	(void)kid;
	(void)kid_len;
	return k->es;
}

/* kid is only a look-up key (SECURITY.md: "never trusts ... kid paths"). */
static void kid_is_a_lookup_key_only(void **state)
{
	struct keys *k = *state;
	struct qoc_buf t, out;
	qoc_buf_init(&out, 4096);
	make_token(k->es, "{\"alg\":\"ES256\",\"kid\":\"../../etc/passwd\"}", "{}", &t);
	assert_int_equal(qoc_jws_verify_lookup(t.data, t.len, QOC_JWS_ES256, find_kid, k, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_jws_verify_lookup(t.data, t.len, QOC_JWS_ES256, lookup_none, k, &out),
	                 QOC_ENOTFOUND);
	/* A look-up that ignores the kid still gets the signature checked. */
	assert_int_equal(qoc_jws_verify_lookup(t.data, t.len, QOC_JWS_ES256, lookup_es, k, &out),
	                 QOC_OK);
	qoc_buf_release(&t);
	qoc_buf_reset(&out);

	/* The kid of the RS256 key, but an ES256 token: the found key has the wrong alg. */
	char hdr[256];
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"%s\"}", k->rs->kid);
	make_token(k->es, hdr, "{}", &t);
	assert_int_equal(qoc_jws_verify_lookup(t.data, t.len, QOC_JWS_ES256, find_kid, k, &out),
	                 QOC_EPERM);
	qoc_buf_release(&t);

	assert_int_equal(header_verdict(k->es, "{\"alg\":\"ES256\",\"kid\":7}", QOC_JWS_ES256),
	                 QOC_EINVAL);
	assert_int_equal(header_verdict(k->es, "{\"alg\":\"ES256\",\"kid\":\"\"}", QOC_JWS_ES256),
	                 QOC_EINVAL);
	/* With no kid the look-up is asked with NULL. */
	make_token(k->es, "{\"alg\":\"ES256\"}", "{}", &t);
	assert_int_equal(qoc_jws_verify_lookup(t.data, t.len, QOC_JWS_ES256, find_kid, k, &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_jws_verify_lookup(t.data, t.len, QOC_JWS_ES256, NULL, k, &out),
	                 QOC_EINVAL);
	assert_int_equal(qoc_jws_verify(t.data, t.len, QOC_JWS_ES256, NULL, &out), QOC_EINVAL);
	assert_int_equal(out.len, 0);
	qoc_buf_release(&t);
	qoc_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc7515_a2_rs256),
	    cmocka_unit_test(sign_typ_matches_sign_with_a_typ_header),
	    cmocka_unit_test(rfc7515_a3_es256),
	    cmocka_unit_test(rfc8037_a4_eddsa),
	    cmocka_unit_test(round_trip_all_algorithms),
	    cmocka_unit_test(payloads_are_opaque_bytes),
	    cmocka_unit_test(sign_refuses_bad_requests),
	    cmocka_unit_test(alg_is_pinned),
	    cmocka_unit_test(key_bearing_and_crit_headers_are_refused),
	    cmocka_unit_test(tampering_and_wrong_keys_fail),
	    cmocka_unit_test(es256_signature_size_is_exact),
	    cmocka_unit_test(structure_is_strict),
	    cmocka_unit_test(header_must_be_a_plain_object),
	    cmocka_unit_test(deep_nesting_is_refused),
	    cmocka_unit_test(oversize_input_is_refused),
	    cmocka_unit_test(kid_is_a_lookup_key_only),
	};
	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
