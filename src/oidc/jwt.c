/* jwt.c - signing claims objects, and the header peek and key look-up verifiers share (jwt.h). */
#include "oidc/jwt.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "crypto/b64.h"
#include "crypto/jws.h"

enum qoc_err qoc_jwt_sign(const struct qoc_sigkey *key, const json_t *claims, const char *typ,
                          struct qoc_buf *out)
{
	if (!claims)
		return QOC_EINVAL;
	char *payload = json_dumps(claims, JSON_COMPACT);
	if (!payload)
		return QOC_ENOMEM;
	enum qoc_err err = qoc_jwt_sign_text(key, payload, strlen(payload), typ, out);
	free(payload);
	return err;
}

enum qoc_err qoc_jwt_sign_text(const struct qoc_sigkey *key, const char *claims, size_t len,
                               const char *typ, struct qoc_buf *out)
{
	if (!key || !key->has_private || key->alg == QOC_JWS_ALG_UNSET || !claims || !typ)
		return QOC_EINVAL;
	return qoc_jws_sign_typ(key, claims, len, typ, out);
}

enum qoc_err qoc_jwt_set_string(json_t *obj, const char *name, const char *value)
{
	json_t *v = json_string(value);
	if (!v)
		return QOC_EINVAL; /* jansson refuses invalid UTF-8 (or ran out of memory) */
	return json_object_set_new(obj, name, v) ? QOC_ENOMEM : QOC_OK;
}

enum qoc_err qoc_jwt_set_int(json_t *obj, const char *name, int64_t value)
{
	return json_object_set_new(obj, name, json_integer((json_int_t)value)) ? QOC_ENOMEM
	                                                                       : QOC_OK;
}

#define PEEK_HEADER_MAX 2048 /* decoded header bytes; ours are under 100 */

enum qoc_err qoc_jwt_peek_kid(const char *token, size_t len, const char *typ, bool typ_required,
                              char kid[QOC_SIGKEY_KID_MAX + 1], size_t *kid_len)
{
	const char *dot = memchr(token, '.', len);
	if (!dot)
		return QOC_EINVAL;
	struct qoc_buf raw;
	qoc_buf_init(&raw, PEEK_HEADER_MAX);
	enum qoc_err err = qoc_b64url_decode(token, (size_t)(dot - token), &raw);
	if (err) {
		qoc_buf_release(&raw);
		return err == QOC_ELIMIT ? QOC_ELIMIT : QOC_EINVAL;
	}
	json_error_t jerr;
	json_t *hdr = json_loadb(qoc_buf_cstr(&raw), raw.len, JSON_REJECT_DUPLICATES, &jerr);
	qoc_buf_release(&raw);
	const json_t *k = json_object_get(hdr, "kid"), *t = json_object_get(hdr, "typ");
	err = QOC_OK;
	if (!json_is_object(hdr) || !json_is_string(k) || json_string_length(k) == 0 ||
	    json_string_length(k) > QOC_SIGKEY_KID_MAX)
		err = QOC_EINVAL;
	else if (typ && (t || typ_required) &&
	         (!json_is_string(t) || strcasecmp(json_string_value(t), typ) != 0))
		err = QOC_EPERM; /* e.g. RFC 9068 §4: an ID token is not an access token */
	if (!err) {
		*kid_len = json_string_length(k);
		memcpy(kid, json_string_value(k), *kid_len);
		kid[*kid_len] = '\0';
	}
	json_decref(hdr);
	return err;
}

const struct qoc_sigkey *qoc_jwt_lookup_one(void *ctx, const char *kid, size_t kid_len)
{
	const struct qoc_sigkey *key = ctx;
	if (!kid || strlen(key->kid) != kid_len || memcmp(key->kid, kid, kid_len) != 0)
		return NULL;
	return key;
}

bool qoc_jwt_has_audience(const json_t *aud, const char *want)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), want) == 0;
	size_t i;
	const json_t *v;
	json_array_foreach(aud, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
			return true;
	}
	return false;
}
