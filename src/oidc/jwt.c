/* jwt.c - signing claims objects (jwt.h). */
#include "oidc/jwt.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/jws.h"

enum qoc_err qoc_jwt_sign(const struct qoc_sigkey *key, const json_t *claims, const char *typ,
                          struct qoc_buf *out)
{
	if (!key || !key->has_private || key->alg == QOC_JWS_ALG_UNSET || !claims || !typ)
		return QOC_EINVAL;
	enum qoc_err err = QOC_ENOMEM;
	char *payload = NULL;
	json_t *header = json_object();
	if (!header || json_object_set_new(header, "typ", json_string(typ)))
		goto out;
	if (!(payload = json_dumps(claims, JSON_COMPACT)))
		goto out;
	err = qoc_jws_sign(key, payload, strlen(payload), header, out);
out:
	free(payload);
	json_decref(header);
	return err;
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
