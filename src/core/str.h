/* str.h - (pointer, length) string slices.
 *
 * A slice never owns its bytes: whoever made it says how long they live (usually the
 * request arena). Slices are not NUL-terminated; use qoc_arena_strndup() at a library
 * boundary that needs a C string.
 */
#ifndef QOC_CORE_STR_H
#define QOC_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct qoc_str {
	const char *ptr;
	size_t len;
};

#define QOC_STR_LIT(s) ((struct qoc_str){ (s), sizeof(s) - 1 })
#define QOC_STR_NULL ((struct qoc_str){ NULL, 0 })

static inline struct qoc_str qoc_str_from(const char *s)
{
	return (struct qoc_str){ s, s ? strlen(s) : 0 };
}

static inline bool qoc_str_eq(struct qoc_str a, struct qoc_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool qoc_str_eq_cstr(struct qoc_str a, const char *b)
{
	return qoc_str_eq(a, qoc_str_from(b));
}

static inline bool qoc_str_starts_with(struct qoc_str s, struct qoc_str prefix)
{
	return s.len >= prefix.len && memcmp(s.ptr, prefix.ptr, prefix.len) == 0;
}

/* The value of one hexadecimal digit (either case), or -1. */
static inline int qoc_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ASCII-only case-insensitive equality (header names, schemes). */
bool qoc_str_eq_nocase(struct qoc_str a, struct qoc_str b);

/* FNV-1a of a NUL-terminated string: spreads ids that are random already over a table's
 * slots (not for hostile keys). */
uint32_t qoc_str_hash(const char *s);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool qoc_utf8_valid(const char *s, size_t len);

#endif
