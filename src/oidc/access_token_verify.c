/* access_token_verify.c - RFC 9068 access token verification (access_token_verify.h). */
#include "oidc/access_token_verify.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "crypto/b64.h"
#include "crypto/jws.h"

#define HEADER_MAX 2048 /* decoded header bytes; ours are ~90 */

/* The kid of the header, after checking typ; the JWS verifier parses the header again,
 * strictly, and checks that its kid is the one the key was found by. */
static enum qoc_err peek_kid(const char *token, size_t len, char kid[QOC_SIGKEY_KID_MAX + 1],
                             size_t *kid_len)
{
	const char *dot = memchr(token, '.', len);
	if (!dot)
		return QOC_EINVAL;
	struct qoc_buf raw;
	qoc_buf_init(&raw, HEADER_MAX);
	enum qoc_err err = qoc_b64url_decode(token, (size_t)(dot - token), &raw);
	if (err) {
		qoc_buf_release(&raw);
		return err == QOC_ELIMIT ? QOC_ELIMIT : QOC_EINVAL;
	}
	json_error_t jerr;
	json_t *hdr = json_loadb(qoc_buf_cstr(&raw), raw.len, JSON_REJECT_DUPLICATES, &jerr);
	qoc_buf_release(&raw);
	const json_t *k = json_object_get(hdr, "kid"), *typ = json_object_get(hdr, "typ");
	err = QOC_OK;
	if (!json_is_object(hdr) || !json_is_string(k) || json_string_length(k) == 0 ||
	    json_string_length(k) > QOC_SIGKEY_KID_MAX)
		err = QOC_EINVAL;
	else if (!json_is_string(typ) || strcasecmp(json_string_value(typ), "at+jwt") != 0)
		err = QOC_EPERM; /* RFC 9068 §4: an ID token is not an access token */
	if (!err) {
		*kid_len = json_string_length(k);
		memcpy(kid, json_string_value(k), *kid_len);
		kid[*kid_len] = '\0';
	}
	json_decref(hdr);
	return err;
}

static const struct qoc_sigkey *lookup_one(void *ctx, const char *kid, size_t kid_len)
{
	const struct qoc_sigkey *key = ctx;
	if (!kid || strlen(key->kid) != kid_len || memcmp(key->kid, kid, kid_len) != 0)
		return NULL;
	return key;
}

static bool has_audience(const json_t *aud, const char *want)
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

static bool nonempty_string(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0;
}

static enum qoc_err copy_str(struct qoc_arena *a, const json_t *v, const char **out)
{
	*out = v ? qoc_arena_strdup(a, json_string_value(v)) : NULL;
	return v && !*out ? QOC_ENOMEM : QOC_OK;
}

static enum qoc_err check_claims(const json_t *c, const char *issuer, int64_t now,
                                 struct qoc_arena *a, struct qoc_access_token_claims *out)
{
	const json_t *iss = json_object_get(c, "iss"), *sub = json_object_get(c, "sub");
	const json_t *cid = json_object_get(c, "client_id"), *scope = json_object_get(c, "scope");
	const json_t *iat = json_object_get(c, "iat"), *exp = json_object_get(c, "exp");
	const json_t *jti = json_object_get(c, "jti"), *at = json_object_get(c, "auth_time");
	if (!json_is_object(c) || !json_is_string(iss) || !nonempty_string(sub) ||
	    !nonempty_string(cid) || (scope && !json_is_string(scope)) || !json_is_integer(iat) ||
	    !json_is_integer(exp) || (jti && !json_is_string(jti)) || (at && !json_is_integer(at)))
		return QOC_EINVAL;
	if (strcmp(json_string_value(iss), issuer) != 0 ||
	    !has_audience(json_object_get(c, "aud"), issuer))
		return QOC_EPERM;
	if (now >= json_integer_value(exp) || json_integer_value(iat) > now + QOC_ACCESS_TOKEN_SKEW)
		return QOC_EPERM;
	enum qoc_err err;
	if ((err = copy_str(a, sub, &out->sub)) || (err = copy_str(a, cid, &out->client_id)) ||
	    (err = copy_str(a, jti, &out->jti)))
		return err;
	out->scope = scope ? qoc_arena_strdup(a, json_string_value(scope)) : "";
	if (!out->scope)
		return QOC_ENOMEM;
	out->iat = json_integer_value(iat);
	out->exp = json_integer_value(exp);
	out->auth_time = at ? json_integer_value(at) : 0;
	return QOC_OK;
}

enum qoc_err qoc_access_token_jwt_verify(struct qoc_signer *signer, const char *issuer,
                                         const char *token, size_t len, int64_t now,
                                         struct qoc_arena *a, struct qoc_access_token_claims *out)
{
	char kid[QOC_SIGKEY_KID_MAX + 1];
	size_t kid_len = 0;
	struct qoc_signer_ref ref = {0};
	struct qoc_buf payload;
	json_t *claims = NULL;
	memset(out, 0, sizeof(*out));
	if (!signer || !issuer || !token || len == 0 || !a)
		return QOC_EINVAL;
	if (len > QOC_JWS_MAX_LEN)
		return QOC_ELIMIT;
	qoc_buf_init(&payload, QOC_JWS_MAX_LEN);
	enum qoc_err err = peek_kid(token, len, kid, &kid_len);
	if (err || (err = qoc_signer_verify_key(signer, kid, kid_len, now, &ref)))
		goto out;
	/* The algorithm is the key's own, whatever the header says. */
	err =
	    qoc_jws_verify_lookup(token, len, ref.key->alg, lookup_one, (void *)ref.key, &payload);
	if (err)
		goto out;
	json_error_t jerr;
	claims = json_loadb(qoc_buf_cstr(&payload), payload.len, JSON_REJECT_DUPLICATES, &jerr);
	err = claims ? check_claims(claims, issuer, now, a, out) : QOC_EINVAL;
out:
	if (err)
		memset(out, 0, sizeof(*out));
	json_decref(claims);
	qoc_buf_release(&payload);
	qoc_signer_put(&ref);
	return err;
}
