/* id_token_hint.c - logout hints (id_token_hint.h). */
#include "oidc/id_token_hint.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "crypto/b64.h"
#include "crypto/jws.h"
#include "oidc/jwt.h"

/* aud is a non-empty string or a non-empty array of strings. */
static bool aud_well_formed(const json_t *aud)
{
	if (json_is_string(aud))
		return true;
	if (!json_is_array(aud) || json_array_size(aud) == 0)
		return false;
	size_t i;
	const json_t *v;
	json_array_foreach(aud, i, v)
	{
		if (!json_is_string(v))
			return false;
	}
	return true;
}

/* The client the hint is about: the request's client_id (which must be an audience and
 * agree with azp), else azp, else the only audience. */
static enum qoc_err pick_client(const json_t *claims, const char *client_id, const char **out)
{
	const json_t *aud = json_object_get(claims, "aud");
	const json_t *azp = json_object_get(claims, "azp");
	if (!aud_well_formed(aud) || (azp && !json_is_string(azp)))
		return QOC_EINVAL;
	const char *client = client_id;
	if (!client && azp)
		client = json_string_value(azp);
	else if (!client && json_is_string(aud))
		client = json_string_value(aud);
	else if (!client && json_array_size(aud) == 1)
		client = json_string_value(json_array_get(aud, 0));
	if (!client)
		return QOC_EINVAL; /* several audiences and nothing says which */
	if (!qoc_jwt_has_audience(aud, client) ||
	    (azp && strcmp(json_string_value(azp), client) != 0))
		return QOC_EPERM;
	*out = client;
	return QOC_OK;
}

static enum qoc_err check_claims(const json_t *c, const char *issuer, const char *client_id,
                                 int64_t now, struct qoc_arena *a, struct qoc_id_token_hint *out)
{
	const json_t *iss = json_object_get(c, "iss"), *sub = json_object_get(c, "sub");
	const json_t *iat = json_object_get(c, "iat"), *exp = json_object_get(c, "exp");
	const json_t *sid = json_object_get(c, "sid");
	const char *client = NULL;
	if (!json_is_object(c) || !json_is_string(iss) || !json_is_string(sub) ||
	    json_string_length(sub) == 0 || !json_is_integer(iat) || !json_is_integer(exp) ||
	    (sid && !json_is_string(sid)))
		return QOC_EINVAL;
	if (strcmp(json_string_value(iss), issuer) != 0)
		return QOC_EPERM;
	enum qoc_err err = pick_client(c, client_id, &client);
	if (err)
		return err;
	if (json_integer_value(iat) > now + QOC_ID_TOKEN_HINT_SKEW)
		return QOC_EPERM;
	out->sub = qoc_arena_strdup(a, json_string_value(sub));
	out->client_id = qoc_arena_strdup(a, client);
	out->sid = sid ? qoc_arena_strdup(a, json_string_value(sid)) : NULL;
	if (!out->sub || !out->client_id || (sid && !out->sid))
		return QOC_ENOMEM;
	out->iat = json_integer_value(iat);
	out->exp = json_integer_value(exp);
	out->expired = out->exp <= now;
	return QOC_OK;
}

enum qoc_err qoc_id_token_hint_verify(struct qoc_signer *signer, const char *issuer,
                                      const char *client_id, const char *hint, size_t len,
                                      int64_t now, struct qoc_arena *a,
                                      struct qoc_id_token_hint *out)
{
	char kid[QOC_SIGKEY_KID_MAX + 1];
	size_t kid_len = 0;
	struct qoc_signer_ref ref = {0};
	struct qoc_buf payload;
	json_t *claims = NULL;
	memset(out, 0, sizeof(*out));
	if (!issuer || !hint || len == 0 || (client_id && !client_id[0]))
		return QOC_EINVAL;
	if (len > QOC_JWS_MAX_LEN)
		return QOC_ELIMIT;
	qoc_buf_init(&payload, QOC_JWS_MAX_LEN);
	enum qoc_err err = qoc_jwt_peek_kid(hint, len, "JWT", false, kid, &kid_len);
	if (err || (err = qoc_signer_verify_key(signer, kid, kid_len, now, &ref)))
		goto out;
	/* The algorithm is the key's own, whatever the header says. */
	err = qoc_jws_verify_lookup(hint, len, ref.key->alg, qoc_jwt_lookup_one, (void *)ref.key,
	                            &payload);
	if (err)
		goto out;
	json_error_t jerr;
	claims = json_loadb(qoc_buf_cstr(&payload), payload.len, JSON_REJECT_DUPLICATES, &jerr);
	err = claims ? check_claims(claims, issuer, client_id, now, a, out) : QOC_EINVAL;
out:
	if (err)
		memset(out, 0, sizeof(*out));
	json_decref(claims);
	qoc_buf_release(&payload);
	qoc_signer_put(&ref);
	return err;
}
