/* id_token_hint.c - logout hints (id_token_hint.h). */
#include "oidc/id_token_hint.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "crypto/b64.h"
#include "crypto/jws.h"

#define HEADER_MAX 2048 /* decoded header bytes; ours are ~80 */

struct header_facts {
	char kid[QOC_SIGKEY_KID_MAX + 1];
	size_t kid_len;
};

/* Reads kid and typ from the header without trusting anything else in it: the kid only
 * picks a published key, and the JWS verifier parses the same header again, strictly,
 * and checks that its kid is the one the key was found by. */
static enum qoc_err peek_header(const char *hint, size_t len, struct header_facts *h)
{
	const char *dot = memchr(hint, '.', len);
	if (!dot)
		return QOC_EINVAL;
	struct qoc_buf raw;
	qoc_buf_init(&raw, HEADER_MAX);
	enum qoc_err err = qoc_b64url_decode(hint, (size_t)(dot - hint), &raw);
	if (err) {
		qoc_buf_release(&raw);
		return err == QOC_ELIMIT ? QOC_ELIMIT : QOC_EINVAL;
	}
	json_error_t jerr;
	json_t *hdr = json_loadb(qoc_buf_cstr(&raw), raw.len, JSON_REJECT_DUPLICATES, &jerr);
	qoc_buf_release(&raw);
	const json_t *kid = json_object_get(hdr, "kid"), *typ = json_object_get(hdr, "typ");
	err = QOC_OK;
	if (!json_is_object(hdr) || !json_is_string(kid) || json_string_length(kid) == 0 ||
	    json_string_length(kid) > QOC_SIGKEY_KID_MAX)
		err = QOC_EINVAL;
	/* RFC 7515 §4.1.9: typ compares case-insensitively. */
	else if (typ && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0))
		err = QOC_EPERM;
	if (!err) {
		h->kid_len = json_string_length(kid);
		memcpy(h->kid, json_string_value(kid), h->kid_len);
		h->kid[h->kid_len] = '\0';
	}
	json_decref(hdr);
	return err;
}

/* The verifier's look-up: only the key the peeked kid found, and only under that kid. */
static const struct qoc_sigkey *lookup_one(void *ctx, const char *kid, size_t kid_len)
{
	const struct qoc_sigkey *key = ctx;
	if (!kid || strlen(key->kid) != kid_len || memcmp(key->kid, kid, kid_len) != 0)
		return NULL;
	return key;
}

static bool has_audience(const json_t *aud, const char *client_id)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), client_id) == 0;
	size_t i;
	const json_t *v;
	json_array_foreach(aud, i, v)
	{
		if (strcmp(json_string_value(v), client_id) == 0)
			return true;
	}
	return false;
}

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
	if (!has_audience(aud, client) || (azp && strcmp(json_string_value(azp), client) != 0))
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
	struct header_facts h;
	struct qoc_signer_ref ref = {0};
	struct qoc_buf payload;
	json_t *claims = NULL;
	memset(out, 0, sizeof(*out));
	if (!issuer || !hint || len == 0 || (client_id && !client_id[0]))
		return QOC_EINVAL;
	if (len > QOC_JWS_MAX_LEN)
		return QOC_ELIMIT;
	qoc_buf_init(&payload, QOC_JWS_MAX_LEN);
	enum qoc_err err = peek_header(hint, len, &h);
	if (err || (err = qoc_signer_verify_key(signer, h.kid, h.kid_len, now, &ref)))
		goto out;
	/* The algorithm is the key's own, whatever the header says. */
	err = qoc_jws_verify_lookup(hint, len, ref.key->alg, lookup_one, (void *)ref.key, &payload);
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
