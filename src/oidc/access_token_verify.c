/* access_token_verify.c - RFC 9068 access token verification (access_token_verify.h). */
#include "oidc/access_token_verify.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "crypto/b64.h"
#include "crypto/jws.h"
#include "oidc/jwt.h"

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
	    !qoc_jwt_has_audience(json_object_get(c, "aud"), issuer))
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
	enum qoc_err err = qoc_jwt_peek_kid(token, len, "at+jwt", true, kid, &kid_len);
	if (err || (err = qoc_signer_verify_key(signer, kid, kid_len, now, &ref)))
		goto out;
	/* The algorithm is the key's own, whatever the header says. */
	err = qoc_jws_verify_lookup(token, len, ref.key->alg, qoc_jwt_lookup_one, (void *)ref.key,
	                            &payload);
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
