/* jsonw.h - writes one flat JSON object (string, integer and boolean members) into a
 * qoc_buf.
 *
 * For the texts built on every token: JWT claims, the JWS header, the token and
 * introspection answers. jansson builds a tree
 * first (a hash table, a copy of every string) and then prints it, which was 10% of the
 * server's time on a JWT client_credentials request. Members are written in call order,
 * as compact JSON (RFC 8259): no spaces, '"', '\\' and control characters escaped, other
 * UTF-8 as is. A string that is not valid UTF-8 is refused (QOC_EINVAL), as jansson's
 * json_string refuses it. The first error sticks: later calls do nothing and
 * qoc_jsonw_end returns it, so a caller checks once.
 */
#ifndef QOC_CORE_JSONW_H
#define QOC_CORE_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct qoc_jsonw {
	struct qoc_buf *out;
	size_t start; /* out->len at begin: an error truncates back to it */
	unsigned members;
	enum qoc_err err;
};

/* Appends '{' to out. */
void qoc_jsonw_begin(struct qoc_jsonw *w, struct qoc_buf *out);
/* "name":"value". name and value NUL-terminated; NULL is an error (QOC_EINVAL). */
void qoc_jsonw_str(struct qoc_jsonw *w, const char *name, const char *value);
/* "name":value */
void qoc_jsonw_int(struct qoc_jsonw *w, const char *name, int64_t value);
/* "name":true or false */
void qoc_jsonw_bool(struct qoc_jsonw *w, const char *name, bool value);
/* Appends '}'. QOC_OK, or the first error (QOC_EINVAL: invalid UTF-8; QOC_ELIMIT or
 * QOC_ENOMEM from the buffer), and then out is as it was before begin. */
enum qoc_err qoc_jsonw_end(struct qoc_jsonw *w);

#endif
