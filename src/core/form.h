/* form.h - application/x-www-form-urlencoded and query-string decoding.
 *
 * Pure functions: no I/O, no globals. Everything decoded lives in the arena the caller
 * passes and dies with it. The input bytes are only read during the call.
 *
 * Rules (SECURITY.md "Any parameter given twice is invalid_request; empty ones are treated
 * as absent"; RFC 6749 Appendix B; WHATWG URL "application/x-www-form-urlencoded parsing"):
 * - pairs are separated by '&' only; an empty pair ("a=1&&b=2") is skipped;
 * - a pair without '=' has the empty value; a pair with an empty name is skipped;
 * - '+' decodes to a space, %XX to the byte XX; a '%' not followed by two hex digits is
 *   QOC_EINVAL (never passed through);
 * - a decoded name or value holding a NUL byte or invalid UTF-8 is QOC_EINVAL, so every
 *   decoded string is a valid C string and a valid JSON string;
 * - more than max_fields pairs (empty names included) is QOC_ELIMIT, checked before any
 *   decoding so a hostile body costs one linear scan.
 * Duplicates are kept by the parser and reported by the accessors.
 */
#ifndef QOC_HTTP_FORM_H
#define QOC_HTTP_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h" /* qoc_utf8_valid */

struct qoc_form_field {
	const char *name;  /* decoded, NUL-terminated, non-empty; arena memory */
	const char *value; /* decoded, NUL-terminated, may be ""; arena memory */
	size_t value_len;  /* strlen(value) */
};

struct qoc_form {
	struct qoc_form_field *fields; /* arena memory, in input order; NULL when count == 0 */
	size_t count;
};

/* Decodes data[0..len) into *out (fields in the arena). data may be NULL when len is 0.
 * QOC_EINVAL (bad escape, NUL, invalid UTF-8), QOC_ELIMIT (more than max_fields pairs),
 * QOC_ENOMEM (arena exhausted). *out is emptied on error. */
enum qoc_err qoc_form_parse(struct qoc_arena *arena, const char *data, size_t len,
                            size_t max_fields, struct qoc_form *out);

/* The value of parameter `name` (exact, case-sensitive) in *value (arena memory owned by
 * the form's arena). QOC_OK when it appears once with a non-empty value; QOC_ENOTFOUND when
 * absent or empty; QOC_ECONFLICT when the name appears more than once (even if some of the
 * occurrences are empty: a repeated parameter is ambiguous, RFC 6749 §3.1). *value is NULL
 * unless QOC_OK. */
enum qoc_err qoc_form_get(const struct qoc_form *form, const char *name, const char **value);

/* True when some name appears more than once; *name (optional) then points at it. For
 * endpoints that refuse any repeated parameter, known or not. */
bool qoc_form_has_duplicate(const struct qoc_form *form, const char **name);

/* Percent-decodes s[0..len) into a NUL-terminated arena string (*out, *out_len).
 * plus_is_space: '+' becomes ' ' (form bodies and queries) or stays '+' (path segments).
 * Same rules as above: QOC_EINVAL on a bad escape, a NUL byte or invalid UTF-8. */
enum qoc_err qoc_form_decode(struct qoc_arena *arena, const char *s, size_t len, bool plus_is_space,
                             char **out, size_t *out_len);

#endif
