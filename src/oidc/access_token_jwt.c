/* access_token_jwt.c - RFC 9068 access tokens (access_token_jwt.h). */
#include "oidc/access_token_jwt.h"

#include <string.h>

#include "core/jsonw.h"
#include "core/mem.h"
#include "crypto/b64.h"
#include "oidc/jwt.h"

static bool empty(const char *s)
{
	return !s || !s[0];
}

static enum qoc_err new_jti(const struct qoc_random *rng, char out[QOC_ACCESS_TOKEN_JWT_JTI_MAX])
{
	uint8_t raw[QOC_ACCESS_TOKEN_JWT_JTI_BYTES];
	enum qoc_err err = qoc_random_fill(rng ? rng : &qoc_random_system, raw, sizeof(raw));
	if (!err)
		err =
		    qoc_b64url_encode_to(raw, sizeof(raw), out, QOC_ACCESS_TOKEN_JWT_JTI_MAX, NULL);
	qoc_memwipe(raw, sizeof(raw));
	return err;
}

#define CLAIMS_MAX 8192 /* the claims' JSON text; scope is bounded well below it */

/* The claims as compact JSON (RFC 9068 §2.2), in a fixed order. */
static enum qoc_err claims(const struct qoc_access_token_jwt_params *p, const char *jti,
                           struct qoc_buf *out)
{
	struct qoc_jsonw w;
	qoc_jsonw_begin(&w, out);
	qoc_jsonw_str(&w, "iss", p->issuer);
	qoc_jsonw_str(&w, "sub", p->sub);
	qoc_jsonw_str(&w, "aud", empty(p->audience) ? p->issuer : p->audience);
	qoc_jsonw_int(&w, "exp", p->now + p->lifetime);
	qoc_jsonw_int(&w, "iat", p->now);
	qoc_jsonw_str(&w, "jti", jti);
	qoc_jsonw_str(&w, "client_id", p->client_id);
	if (!empty(p->scope))
		qoc_jsonw_str(&w, "scope", p->scope);
	if (p->auth_time)
		qoc_jsonw_int(&w, "auth_time", p->auth_time);
	return qoc_jsonw_end(&w);
}

enum qoc_err qoc_access_token_jwt_sign(const struct qoc_access_token_jwt_params *p,
                                       const struct qoc_sigkey *key, struct qoc_buf *out,
                                       char jti_out[QOC_ACCESS_TOKEN_JWT_JTI_MAX])
{
	if (empty(p->issuer) || empty(p->sub) || empty(p->client_id) || p->now < 0 ||
	    p->lifetime <= 0 || p->lifetime > QOC_ACCESS_TOKEN_JWT_MAX_LIFETIME || p->auth_time < 0)
		return QOC_EINVAL;
	char jti[QOC_ACCESS_TOKEN_JWT_JTI_MAX];
	enum qoc_err err = new_jti(p->rng, jti);
	if (err)
		return err;
	struct qoc_buf c;
	qoc_buf_init(&c, CLAIMS_MAX);
	if (!(err = claims(p, jti, &c)))
		err = qoc_jwt_sign_text(key, c.data, c.len, "at+jwt", out);
	qoc_buf_release(&c);
	if (!err && jti_out)
		memcpy(jti_out, jti, sizeof(jti));
	return err;
}

enum qoc_err qoc_access_token_jwt_issue(struct qoc_signer *signer, enum qoc_jws_alg alg,
                                        const struct qoc_access_token_jwt_params *p,
                                        struct qoc_buf *out,
                                        char jti_out[QOC_ACCESS_TOKEN_JWT_JTI_MAX])
{
	struct qoc_signer_ref ref;
	if (alg == QOC_JWS_ALG_UNSET)
		alg = QOC_ACCESS_TOKEN_JWT_DEFAULT_ALG;
	enum qoc_err err = qoc_signer_get(signer, alg, p->now, &ref);
	if (err)
		return err;
	err = qoc_access_token_jwt_sign(p, ref.key, out, jti_out);
	qoc_signer_put(&ref);
	return err;
}
