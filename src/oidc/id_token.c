/* id_token.c - ID tokens (id_token.h). */
#include "oidc/id_token.h"

#include <string.h>

#include "crypto/b64.h"
#include "crypto/hash.h"
#include "oidc/jwt.h"
#include "oidc/userinfo.h"

enum qoc_err qoc_id_token_half_hash(enum qoc_jws_alg alg, const char *value, size_t len,
                                    char out[QOC_HALF_HASH_MAX])
{
	uint8_t digest[QOC_SHA512_LEN];
	size_t half;
	enum qoc_err err;
	switch (alg) {
	case QOC_JWS_RS256:
	case QOC_JWS_PS256:
	case QOC_JWS_ES256:
		err = qoc_hash_sha256(value, len, digest);
		half = QOC_SHA256_LEN / 2;
		break;
	case QOC_JWS_EDDSA: /* Ed25519: SHA-512, see the header */
		err = qoc_hash_sha512(value, len, digest);
		half = QOC_SHA512_LEN / 2;
		break;
	default:
		return QOC_EINVAL;
	}
	if (!err)
		err = qoc_b64url_encode_to(digest, half, out, QOC_HALF_HASH_MAX, NULL);
	return err;
}

static bool empty(const char *s)
{
	return !s || !s[0];
}

static enum qoc_err check(const struct qoc_id_token_params *p)
{
	if (empty(p->issuer) || empty(p->sub) || empty(p->client_id) || p->now < 0 ||
	    p->lifetime <= 0 || p->lifetime > QOC_ID_TOKEN_MAX_LIFETIME || p->auth_time < 0 ||
	    (p->nonce && !p->nonce[0]) || (p->sid && !p->sid[0]) ||
	    (p->access_token && p->access_token_len == 0) || (p->scope_claims && !p->account))
		return QOC_EINVAL;
	return QOC_OK;
}

/* The registered claims of §2, in the order of the header comment. */
static enum qoc_err core_claims(const struct qoc_id_token_params *p, enum qoc_jws_alg alg,
                                json_t *c)
{
	enum qoc_err err;
	if ((err = qoc_jwt_set_string(c, "iss", p->issuer)) ||
	    (err = qoc_jwt_set_string(c, "sub", p->sub)) ||
	    (err = qoc_jwt_set_string(c, "aud", p->client_id)) ||
	    (err = qoc_jwt_set_int(c, "exp", p->now + p->lifetime)) ||
	    (err = qoc_jwt_set_int(c, "iat", p->now)))
		return err;
	if (p->auth_time && (err = qoc_jwt_set_int(c, "auth_time", p->auth_time)))
		return err;
	if (p->nonce && (err = qoc_jwt_set_string(c, "nonce", p->nonce)))
		return err;
	if ((err = qoc_jwt_set_string(c, "azp", p->client_id)))
		return err;
	if (p->sid && (err = qoc_jwt_set_string(c, "sid", p->sid)))
		return err;
	if (p->access_token) {
		char at_hash[QOC_HALF_HASH_MAX];
		if ((err = qoc_id_token_half_hash(alg, p->access_token, p->access_token_len,
		                                  at_hash)) ||
		    (err = qoc_jwt_set_string(c, "at_hash", at_hash)))
			return err;
	}
	return QOC_OK;
}

enum qoc_err qoc_id_token_sign(const struct qoc_id_token_params *p, const struct qoc_sigkey *key,
                               struct qoc_buf *out)
{
	enum qoc_err err = check(p);
	if (err)
		return err;
	if (!key || key->alg == QOC_JWS_ALG_UNSET)
		return QOC_EINVAL;
	json_t *c = json_object();
	if (!c)
		return QOC_ENOMEM;
	if ((err = core_claims(p, key->alg, c)))
		goto out;
	if (p->scope_claims && (err = qoc_userinfo_add_claims(c, p->scope, p->account)))
		goto out;
	err = qoc_jwt_sign(key, c, "JWT", out);
out:
	json_decref(c);
	return err;
}

enum qoc_err qoc_id_token_issue(struct qoc_signer *signer, const struct qoc_app *app,
                                const struct qoc_id_token_params *p, struct qoc_buf *out)
{
	const char *name = app->id_token_signed_response_alg;
	enum qoc_jws_alg alg =
	    empty(name) ? QOC_JWS_RS256 : qoc_sigkey_alg_parse(name, strlen(name));
	if (alg == QOC_JWS_ALG_UNSET)
		return QOC_EINVAL;
	struct qoc_id_token_params q = *p;
	q.client_id = app->client_id;
	q.lifetime = app->id_token_lifetime;
	struct qoc_signer_ref ref;
	enum qoc_err err = qoc_signer_get(signer, alg, q.now, &ref);
	if (err)
		return err;
	err = qoc_id_token_sign(&q, ref.key, out);
	qoc_signer_put(&ref);
	return err;
}
