/* json.c - strict request-body JSON parsing. See json.h. */
#include "core/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_msg(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_msg(char *msg, size_t size, const char *fmt, ...)
{
	if (!msg || size == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

static enum qoc_err classify(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_out_of_memory:
		return QOC_ENOMEM;
	case json_error_stack_overflow:
		return QOC_ELIMIT;
	default:
		return QOC_EINVAL;
	}
}

enum qoc_err qoc_json_parse(const char *data, size_t len, const struct qoc_json_limits *lim,
                            json_t **out, char *msg, size_t msg_size)
{
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : QOC_JSON_DEFAULT_MAX_BYTES;
	unsigned max_depth = lim && lim->max_depth ? lim->max_depth : QOC_JSON_DEFAULT_MAX_DEPTH;
	*out = NULL;
	if (msg && msg_size)
		msg[0] = '\0';
	if (len > max_bytes) {
		set_msg(msg, msg_size, "JSON body larger than %zu bytes", max_bytes);
		return QOC_ELIMIT;
	}
	if (qoc_json_depth(data ? data : "", len, max_depth) > max_depth) {
		set_msg(msg, msg_size, "JSON nested deeper than %u levels", max_depth);
		return QOC_ELIMIT;
	}
	json_error_t e;
	json_t *j = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		set_msg(msg, msg_size, "invalid JSON at line %d column %d: %s", e.line, e.column,
		        e.text);
		return classify(&e);
	}
	*out = j;
	return QOC_OK;
}

static enum qoc_err member(const json_t *obj, const char *key, json_t **out)
{
	*out = NULL;
	if (!json_is_object(obj))
		return QOC_ENOTFOUND;
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return QOC_ENOTFOUND;
	*out = v;
	return QOC_OK;
}

enum qoc_err qoc_json_get_string(const json_t *obj, const char *key, const char **out)
{
	json_t *v;
	*out = NULL;
	enum qoc_err err = member(obj, key, &v);
	if (err)
		return err;
	if (!json_is_string(v))
		return QOC_EINVAL;
	*out = json_string_value(v);
	return QOC_OK;
}

enum qoc_err qoc_json_get_bool(const json_t *obj, const char *key, bool *out)
{
	json_t *v;
	enum qoc_err err = member(obj, key, &v);
	if (err)
		return err;
	if (!json_is_boolean(v))
		return QOC_EINVAL;
	*out = json_is_true(v);
	return QOC_OK;
}

enum qoc_err qoc_json_get_int(const json_t *obj, const char *key, long long *out)
{
	json_t *v;
	enum qoc_err err = member(obj, key, &v);
	if (err)
		return err;
	if (!json_is_integer(v))
		return QOC_EINVAL;
	*out = (long long)json_integer_value(v);
	return QOC_OK;
}
