/* json.h - strict parsing of request bodies with jansson, and small typed getters.
 *
 * qoc_json_parse accepts exactly one JSON object or array, in UTF-8 (jansson validates it),
 * with no NUL escape ("\u0000"), no duplicate object keys (JSON_REJECT_DUPLICATES), no
 * trailing bytes, at most max_bytes long and at most max_depth containers deep. The depth
 * is checked by a linear pre-scan before jansson runs, so a deep hostile document costs no
 * recursion.
 *
 * Error messages written to msg are fit for the "detail" of a 400 problem: they say what is
 * wrong and where (line, column), with any byte of the input that is not printable ASCII
 * replaced by '?'.
 */
#ifndef QOC_HTTP_JSON_H
#define QOC_HTTP_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/json_depth.h"

#define QOC_JSON_DEFAULT_MAX_DEPTH 32
#define QOC_JSON_DEFAULT_MAX_BYTES ((size_t)1 << 20)

struct qoc_json_limits {
	size_t max_bytes;   /* 0: QOC_JSON_DEFAULT_MAX_BYTES */
	unsigned max_depth; /* 0: QOC_JSON_DEFAULT_MAX_DEPTH */
};

/* Parses data[0..len). On QOC_OK *out holds a new reference the caller owns (json_decref).
 * QOC_ELIMIT: too long or too deep. QOC_EINVAL: not JSON, not UTF-8, duplicate key,
 * trailing data, not an object or array. QOC_ENOMEM. lim may be NULL (defaults); msg may
 * be NULL (msg_size 0); *out is NULL on error. */
enum qoc_err qoc_json_parse(const char *data, size_t len, const struct qoc_json_limits *lim,
                            json_t **out, char *msg, size_t msg_size);

/* Typed member access on an object. The borrowed string lives as long as obj.
 * QOC_ENOTFOUND: obj is not an object, or the member is absent or null.
 * QOC_EINVAL: the member has another type. */
enum qoc_err qoc_json_get_string(const json_t *obj, const char *key, const char **out);
enum qoc_err qoc_json_get_bool(const json_t *obj, const char *key, bool *out);
enum qoc_err qoc_json_get_int(const json_t *obj, const char *key, long long *out);

#endif
