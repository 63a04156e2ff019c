/* oauth_error.c - protocol errors as data. */
#include "oauth/oauth_error.h"

#include <string.h>

unsigned qoc_oauth_error_status(const char *code)
{
	if (!code)
		return 500;
	if (strcmp(code, QOC_OAUTH_INVALID_CLIENT) == 0 ||
	    strcmp(code, QOC_OAUTH_INVALID_TOKEN) == 0)
		return 401;
	if (strcmp(code, QOC_OAUTH_INSUFFICIENT_SCOPE) == 0)
		return 403;
	if (strcmp(code, QOC_OAUTH_SERVER_ERROR) == 0)
		return 500;
	if (strcmp(code, QOC_OAUTH_TEMPORARILY_UNAVAILABLE) == 0)
		return 503;
	return 400;
}

struct qoc_oauth_error qoc_oauth_error_make(const char *code, const char *description)
{
	return (struct qoc_oauth_error){code, description, qoc_oauth_error_status(code)};
}

enum qoc_err qoc_oauth_fail(struct qoc_oauth_error *err, const char *code, const char *description)
{
	if (err)
		*err = qoc_oauth_error_make(code, description);
	return QOC_EINVAL;
}

struct qoc_oauth_error qoc_oauth_error_internal(enum qoc_err cause)
{
	if (cause == QOC_ENOMEM || cause == QOC_EBUSY)
		return qoc_oauth_error_make(QOC_OAUTH_TEMPORARILY_UNAVAILABLE,
		                            "the server is busy; try again later");
	return qoc_oauth_error_make(QOC_OAUTH_SERVER_ERROR, "the server could not complete the "
	                                                    "request");
}

json_t *qoc_oauth_error_json(const struct qoc_oauth_error *err)
{
	if (!err || !err->code)
		return NULL;
	json_t *obj = json_object();
	if (!obj)
		return NULL;
	if (json_object_set_new(obj, "error", json_string(err->code)) != 0)
		goto fail;
	if (err->description &&
	    json_object_set_new(obj, "error_description", json_string(err->description)) != 0)
		goto fail;
	return obj;
fail:
	json_decref(obj);
	return NULL;
}
