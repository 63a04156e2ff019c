/* pending.c - the pending authorization request as JSON (see pending.h). */
#include "oauth/pending.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Adds key: s unless s is NULL. */
static int set_str(json_t *o, const char *key, const char *s)
{
	return s ? json_object_set_new(o, key, json_string(s)) : 0;
}

enum qoc_err qoc_pending_encode(const struct qoc_authz_request *r, struct qoc_arena *a,
                                const char **out)
{
	char scope[QOC_SCOPE_MAX_BYTES + 1];
	*out = NULL;
	if (!r->redirect_uri)
		return QOC_EINVAL;
	qoc_scope_format(&r->scope, scope);
	enum qoc_err err = QOC_ENOMEM;
	char *text = NULL;
	json_t *o = json_pack(
	    "{s:s,s:b,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "redirect_uri", r->redirect_uri,
	    "redirect_uri_given", r->redirect_uri_given, "response_type", (int)r->response_type,
	    "response_mode", (int)r->response_mode, "scope", scope, "prompt", (json_int_t)r->prompt,
	    "max_age", (json_int_t)r->max_age, "claims_id_token", (json_int_t)r->claims_id_token,
	    "claims_id_token_essential", (json_int_t)r->claims_id_token_essential,
	    "claims_userinfo", (json_int_t)r->claims_userinfo, "claims_userinfo_essential",
	    (json_int_t)r->claims_userinfo_essential);
	if (!o)
		goto out;
	if (set_str(o, "state", r->state) || set_str(o, "nonce", r->nonce) ||
	    set_str(o, "code_challenge", r->code_challenge) ||
	    set_str(o, "login_hint", r->login_hint))
		goto out;
	text = json_dumps(o, JSON_COMPACT);
	if (!text)
		goto out;
	if (!(*out = qoc_arena_strdup(a, text)))
		goto out;
	err = QOC_OK;
out:
	if (text)
		qoc_memwipe(text, strlen(text)); /* holds the state and nonce */
	free(text);
	json_decref(o);
	return err;
}

/* Member key as an arena string: absent is NULL (optional) or QOC_EINVAL (required). */
static enum qoc_err get_str(json_t *o, const char *key, bool required, struct qoc_arena *a,
                            const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v)
		return required ? QOC_EINVAL : QOC_OK;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return QOC_EINVAL;
	*out = qoc_arena_strdup(a, json_string_value(v));
	return *out ? QOC_OK : QOC_ENOMEM;
}

static enum qoc_err get_int(json_t *o, const char *key, json_int_t min, json_int_t max,
                            json_int_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return QOC_EINVAL;
	*out = json_integer_value(v);
	return *out >= min && *out <= max ? QOC_OK : QOC_EINVAL;
}

static enum qoc_err decode_numbers(json_t *o, struct qoc_authz_request *out)
{
	json_int_t rt, mode, prompt, max_age, c[4];
	json_t *given = json_object_get(o, "redirect_uri_given");
	enum qoc_err err;
	if (!json_is_boolean(given))
		return QOC_EINVAL;
	if ((err = get_int(o, "response_type", QOC_RESPONSE_TYPE_CODE,
	                   QOC_RESPONSE_TYPE_ID_TOKEN_TOKEN, &rt)) ||
	    (err = get_int(o, "response_mode", QOC_RESPONSE_MODE_QUERY, QOC_RESPONSE_MODE_FORM_POST,
	                   &mode)) ||
	    (err = get_int(o, "prompt", 0, 15, &prompt)) ||
	    (err = get_int(o, "max_age", -1, QOC_AUTHZ_MAX_AGE_MAX, &max_age)) ||
	    (err = get_int(o, "claims_id_token", 0, 63, &c[0])) ||
	    (err = get_int(o, "claims_id_token_essential", 0, 63, &c[1])) ||
	    (err = get_int(o, "claims_userinfo", 0, 63, &c[2])) ||
	    (err = get_int(o, "claims_userinfo_essential", 0, 63, &c[3])))
		return err;
	out->redirect_uri_given = json_is_true(given);
	out->response_type = (enum qoc_response_type)rt;
	out->response_mode = (enum qoc_response_mode)mode;
	out->prompt = (unsigned)prompt;
	out->max_age = max_age;
	out->claims_id_token = (unsigned)c[0];
	out->claims_id_token_essential = (unsigned)c[1];
	out->claims_userinfo = (unsigned)c[2];
	out->claims_userinfo_essential = (unsigned)c[3];
	return QOC_OK;
}

static enum qoc_err decode_scope(json_t *o, struct qoc_authz_request *out)
{
	json_t *v = json_object_get(o, "scope");
	if (!json_is_string(v))
		return QOC_EINVAL;
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (len == 0) {
		qoc_scope_init(&out->scope);
		return QOC_OK;
	}
	if (strlen(s) != len || qoc_scope_parse(s, len, &out->scope) != QOC_OK)
		return QOC_EINVAL;
	out->openid = qoc_scope_contains(&out->scope, QOC_SCOPE_OPENID);
	out->offline_access = qoc_scope_contains(&out->scope, QOC_SCOPE_OFFLINE_ACCESS);
	return QOC_OK;
}

enum qoc_err qoc_pending_decode(const char *params, const char *client_id, struct qoc_arena *a,
                                struct qoc_authz_request *out)
{
	memset(out, 0, sizeof(*out));
	out->max_age = -1;
	if (!params)
		return QOC_EINVAL;
	json_t *o = json_loads(params, JSON_REJECT_DUPLICATES, NULL);
	enum qoc_err err = QOC_EINVAL;
	if (!json_is_object(o))
		goto out;
	if ((err = decode_numbers(o, out)) || (err = decode_scope(o, out)))
		goto out;
	if ((err = get_str(o, "redirect_uri", true, a, &out->redirect_uri)) ||
	    (err = get_str(o, "state", false, a, &out->state)) ||
	    (err = get_str(o, "nonce", false, a, &out->nonce)) ||
	    (err = get_str(o, "code_challenge", false, a, &out->code_challenge)) ||
	    (err = get_str(o, "login_hint", false, a, &out->login_hint)))
		goto out;
	out->client_id = client_id;
out:
	json_decref(o);
	return err;
}
