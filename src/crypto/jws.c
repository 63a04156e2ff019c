#include "crypto/jws.h"

#include "core/json_depth.h"
#include "core/jsonw.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/b64.h"
#include "crypto/sigop.h"

/* The largest signature: an RSA signature is as long as the modulus. */
#define SIG_MAX (QOC_SIGKEY_RSA_MAX_BITS / 8)
#define ES256_COORD 32

/* Header members a token may not carry: each would let the token pick its own key or
 * add processing rules (RFC 7515 §4.1.2-§4.1.6, §4.1.11; RFC 8725 §3.10). */
static const char *const forbidden_headers[] = {"jku", "jwk", "x5u", "x5c", "crit"};

/* Header members the caller of qoc_jws_sign may not supply. */
static const char *const reserved_extra[] = {"alg", "kid", "crit", "b64"};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, list[i]) == 0)
			return true;
	}
	return false;
}

/* ECDSA-Sig-Value DER to the JOSE form R || S, each left-padded to 32 octets
 * (RFC 7518 §3.4). */
static bool ecdsa_der_to_raw(const uint8_t *der, size_t len, uint8_t out[2 * ES256_COORD])
{
	const unsigned char *p = der;
	const BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	if (!sig)
		return false;
	ECDSA_SIG_get0(sig, &r, &s);
	bool ok = BN_bn2binpad(r, out, ES256_COORD) == ES256_COORD &&
	          BN_bn2binpad(s, out + ES256_COORD, ES256_COORD) == ES256_COORD;
	ECDSA_SIG_free(sig);
	return ok;
}

/* R || S to DER for OpenSSL. *der is OPENSSL_malloc'd; 0 on failure. */
static int ecdsa_raw_to_der(const uint8_t raw[2 * ES256_COORD], unsigned char **der)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, ES256_COORD, NULL);
	BIGNUM *s = BN_bin2bn(raw + ES256_COORD, ES256_COORD, NULL);
	int n = 0;
	if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL; /* now owned by sig */
		n = i2d_ECDSA_SIG(sig, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return n > 0 ? n : 0;
}

static enum qoc_err raw_sign(const struct qoc_sigkey *key, const void *data, size_t len,
                             uint8_t sig[SIG_MAX], size_t *siglen)
{
	uint8_t buf[SIG_MAX]; /* DER for ECDSA, the signature itself otherwise */
	size_t n = sizeof(buf);
	enum qoc_err err = qoc_sigop_sign(key->op, data, len, buf, &n);
	if (err)
		return err;
	if (key->alg == QOC_JWS_ES256) {
		if (!ecdsa_der_to_raw(buf, n, sig)) {
			ERR_clear_error();
			return QOC_ECRYPTO;
		}
		*siglen = 2 * ES256_COORD;
	} else {
		memcpy(sig, buf, n);
		*siglen = n;
	}
	return QOC_OK;
}

/* QOC_OK when sig is a valid signature by key over data, QOC_ECRYPTO otherwise. */
static enum qoc_err raw_verify(const struct qoc_sigkey *key, const void *data, size_t len,
                               const uint8_t *sig, size_t siglen)
{
	unsigned char *der = NULL;
	const unsigned char *s = sig;
	size_t n = siglen;
	enum qoc_err err = QOC_ECRYPTO;

	/* Exact sizes (RFC 7518 §3.3-§3.5, RFC 8037 §3.1) before any parsing. */
	if (key->alg == QOC_JWS_ES256 || key->alg == QOC_JWS_EDDSA) {
		if (siglen != 64)
			return QOC_ECRYPTO;
	} else if (siglen != (size_t)EVP_PKEY_get_size(key->pkey)) {
		return QOC_ECRYPTO;
	}
	if (key->alg == QOC_JWS_ES256) {
		int m = ecdsa_raw_to_der(sig, &der);
		if (!m)
			goto out;
		s = der;
		n = (size_t)m;
	}
	err = qoc_sigop_verify(key->op, data, len, s, n);
out:
	ERR_clear_error();
	OPENSSL_free(der);
	return err;
}

/* Computes the signature over b->data[start, b->len) and appends "." + base64url(sig).
 * Everything is read before anything is appended (an append may move b->data). */
static enum qoc_err append_signature(const struct qoc_sigkey *key, struct qoc_buf *b, size_t start)
{
	uint8_t sig[SIG_MAX];
	size_t siglen = 0;
	enum qoc_err err = raw_sign(key, b->data + start, b->len - start, sig, &siglen);
	if (!err)
		err = qoc_buf_append_char(b, '.');
	if (!err)
		err = qoc_b64url_encode(sig, siglen, b);
	return err;
}

enum qoc_err qoc_jws_sign_input(const struct qoc_sigkey *key, const char *input, size_t len,
                                struct qoc_buf *out)
{
	uint8_t sig[SIG_MAX];
	size_t siglen = 0;
	if (!key->has_private)
		return QOC_EINVAL;
	enum qoc_err err = raw_sign(key, input, len, sig, &siglen);
	if (!err)
		err = qoc_b64url_encode(sig, siglen, out);
	return err;
}

/* The protected header: {"alg", "kid", ...extra}, compact JSON. *text is malloc'd. */
static enum qoc_err header_text(const struct qoc_sigkey *key, const json_t *extra, char **text)
{
	const char *name;
	json_t *value;
	enum qoc_err err = QOC_ENOMEM;
	json_t *h = json_object();
	if (!h)
		return QOC_ENOMEM;
	if (json_object_set_new(h, "alg", json_string(qoc_sigkey_alg_name(key->alg))) ||
	    json_object_set_new(h, "kid", json_string(key->kid)))
		goto out;
	if (extra && !json_is_object(extra)) {
		err = QOC_EINVAL;
		goto out;
	}
	if (extra) {
		/* jansson's iteration API takes a non-const object; it is only read here. */
		json_object_foreach((json_t *)extra, name, value)
		{
			if (in_list(name, reserved_extra,
			            sizeof(reserved_extra) / sizeof(char *))) {
				err = QOC_EINVAL;
				goto out;
			}
			if (json_object_set(h, name, value))
				goto out;
		}
	}
	*text = json_dumps(h, JSON_COMPACT);
	if (*text)
		err = QOC_OK;
out:
	json_decref(h);
	return err;
}

/* Appends header.payload.signature (header: the protected header's JSON text). */
static enum qoc_err sign_parts(const struct qoc_sigkey *key, const char *header,
                               size_t header_len, const char *payload, size_t len,
                               struct qoc_buf *out)
{
	size_t start = out->len;
	enum qoc_err err = qoc_b64url_encode(header, header_len, out);
	if (!err)
		err = qoc_buf_append_char(out, '.');
	if (!err)
		err = qoc_b64url_encode(payload, len, out);
	if (!err)
		err = append_signature(key, out, start);
	if (err)
		qoc_buf_truncate(out, start);
	return err;
}

enum qoc_err qoc_jws_sign(const struct qoc_sigkey *key, const char *payload, size_t len,
                          const json_t *extra_header, struct qoc_buf *out)
{
	char *header = NULL;
	if (!key->has_private || !qoc_sigkey_alg_name(key->alg))
		return QOC_EINVAL;
	enum qoc_err err = header_text(key, extra_header, &header);
	if (!err)
		err = sign_parts(key, header, strlen(header), payload, len, out);
	free(header);
	return err;
}

#define TYP_HEADER_MAX 512 /* {"alg","kid","typ"}: the kid is at most QOC_SIGKEY_KID_MAX */

enum qoc_err qoc_jws_sign_typ(const struct qoc_sigkey *key, const char *payload, size_t len,
                              const char *typ, struct qoc_buf *out)
{
	if (!key->has_private || !qoc_sigkey_alg_name(key->alg) || !typ)
		return QOC_EINVAL;
	struct qoc_buf header;
	qoc_buf_init(&header, TYP_HEADER_MAX);
	struct qoc_jsonw w;
	qoc_jsonw_begin(&w, &header);
	qoc_jsonw_str(&w, "alg", qoc_sigkey_alg_name(key->alg));
	qoc_jsonw_str(&w, "kid", key->kid);
	qoc_jsonw_str(&w, "typ", typ);
	enum qoc_err err = qoc_jsonw_end(&w);
	if (!err)
		err = sign_parts(key, header.data, header.len, payload, len, out);
	qoc_buf_release(&header);
	return err;
}

/* The three parts of a compact JWS; input_len covers "header.payload". */
struct parts {
	const char *header, *payload, *sig;
	size_t header_len, payload_len, sig_len, input_len;
};

static enum qoc_err split(const char *c, size_t len, struct parts *p)
{
	const char *end = c + len;
	const char *d1 = memchr(c, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)))
		return QOC_EINVAL; /* RFC 7515 §7.1: exactly three parts */
	p->header = c;
	p->header_len = (size_t)(d1 - c);
	p->payload = d1 + 1;
	p->payload_len = (size_t)(d2 - d1 - 1);
	p->sig = d2 + 1;
	p->sig_len = (size_t)(end - d2 - 1);
	p->input_len = (size_t)(d2 - c);
	return QOC_OK;
}

/* Run before jansson so a deep document costs nothing but this scan. */
static bool depth_ok(const char *s, size_t len)
{
	return qoc_json_depth(s, len, QOC_JWS_MAX_DEPTH) <= QOC_JWS_MAX_DEPTH;
}

/* Applies the header rules; *kid points into h (NULL when there is none). */
static enum qoc_err check_header(const json_t *h, enum qoc_jws_alg expected, const char **kid,
                                 size_t *kid_len)
{
	const char *want = qoc_sigkey_alg_name(expected);
	const json_t *alg = json_object_get(h, "alg");
	const json_t *k = json_object_get(h, "kid");

	if (!json_is_object(h) || !json_is_string(alg))
		return QOC_EINVAL;
	if (json_string_length(alg) != strlen(want) ||
	    memcmp(json_string_value(alg), want, strlen(want)) != 0)
		return QOC_EPERM; /* RFC 8725 §3.1: only the algorithm we expect */
	for (size_t i = 0; i < sizeof(forbidden_headers) / sizeof(forbidden_headers[0]); i++) {
		if (json_object_get(h, forbidden_headers[i]))
			return QOC_EPERM;
	}
	if (k) {
		if (!json_is_string(k) || json_string_length(k) == 0 ||
		    json_string_length(k) > QOC_SIGKEY_KID_MAX)
			return QOC_EINVAL;
		*kid = json_string_value(k);
		*kid_len = json_string_length(k);
	}
	return QOC_OK;
}

/* Parses and checks the header, then finds the key. */
static enum qoc_err header_and_key(const struct parts *p, enum qoc_jws_alg expected,
                                   const struct qoc_sigkey **key, qoc_jws_key_lookup_fn lookup,
                                   void *ctx)
{
	struct qoc_buf text;
	json_t *h = NULL;
	const char *kid = NULL;
	size_t kid_len = 0;
	enum qoc_err err;

	qoc_buf_init(&text, QOC_JWS_MAX_LEN);
	err = qoc_b64url_decode(p->header, p->header_len, &text);
	if (err) {
		err = err == QOC_ENOMEM ? err : QOC_EINVAL;
		goto out;
	}
	err = QOC_ELIMIT;
	if (!depth_ok(qoc_buf_cstr(&text), text.len))
		goto out;
	err = QOC_EINVAL;
	h = json_loadb(qoc_buf_cstr(&text), text.len, JSON_REJECT_DUPLICATES, NULL);
	if (!h)
		goto out;
	err = check_header(h, expected, &kid, &kid_len);
	if (err)
		goto out;
	if (!*key)
		*key = lookup(ctx, kid, kid_len);
	if (!*key)
		err = QOC_ENOTFOUND;
	else if ((*key)->alg != expected)
		err = QOC_EPERM; /* a key is used with its own algorithm only */
out:
	json_decref(h);
	qoc_buf_release(&text);
	return err;
}

static enum qoc_err verify(const char *compact, size_t len, enum qoc_jws_alg expected,
                           const struct qoc_sigkey *key, qoc_jws_key_lookup_fn lookup, void *ctx,
                           struct qoc_buf *payload_out)
{
	struct parts p;
	uint8_t sig[SIG_MAX];
	size_t siglen = 0, start = payload_out->len;
	enum qoc_err err;

	if (expected == QOC_JWS_ALG_UNSET || !qoc_sigkey_alg_name(expected) || (!key && !lookup))
		return QOC_EINVAL;
	if (len > QOC_JWS_MAX_LEN)
		return QOC_ELIMIT;
	err = split(compact, len, &p);
	if (!err)
		err = header_and_key(&p, expected, &key, lookup, ctx);
	if (err)
		return err;
	err = qoc_b64url_decode_to(p.sig, p.sig_len, sig, sizeof(sig), &siglen);
	if (err) /* too long for any key is a bad signature; not base64url is malformed */
		return err == QOC_ELIMIT ? QOC_ECRYPTO : QOC_EINVAL;
	/* Decoded before the signature check so that a malformed payload is reported as
	 * malformed; it is dropped again unless the signature verifies. */
	err = qoc_b64url_decode(p.payload, p.payload_len, payload_out);
	if (!err)
		err = raw_verify(key, compact, p.input_len, sig, siglen);
	if (err)
		qoc_buf_truncate(payload_out, start);
	return err;
}

enum qoc_err qoc_jws_verify(const char *compact, size_t len, enum qoc_jws_alg expected,
                            const struct qoc_sigkey *key, struct qoc_buf *payload_out)
{
	if (!key)
		return QOC_EINVAL;
	return verify(compact, len, expected, key, NULL, NULL, payload_out);
}

enum qoc_err qoc_jws_verify_lookup(const char *compact, size_t len, enum qoc_jws_alg expected,
                                   qoc_jws_key_lookup_fn lookup, void *ctx,
                                   struct qoc_buf *payload_out)
{
	if (!lookup)
		return QOC_EINVAL;
	return verify(compact, len, expected, NULL, lookup, ctx, payload_out);
}
