/* token.h - RFC 9110 §5.6.2 token characters, for the parsers and checks of src/http/.
 *
 * tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
 *         "~" / DIGIT / ALPHA. A bit test: this runs on every byte of every header name.
 */
#ifndef QOC_HTTP_TOKEN_H
#define QOC_HTTP_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QOC_TCHAR_BIT_(c) ((uint64_t)1 << ((c)&63))
/* Characters 0..63: the punctuation below '0' and the digits (48..57). */
#define QOC_TCHAR_LO_                                                                              \
	(QOC_TCHAR_BIT_('!') | QOC_TCHAR_BIT_('#') | QOC_TCHAR_BIT_('$') | QOC_TCHAR_BIT_('%') |   \
	 QOC_TCHAR_BIT_('&') | QOC_TCHAR_BIT_('\'') | QOC_TCHAR_BIT_('*') | QOC_TCHAR_BIT_('+') |  \
	 QOC_TCHAR_BIT_('-') | QOC_TCHAR_BIT_('.') | ((uint64_t)0x3ff << 48))
/* Characters 64..127: A-Z (65..90), a-z (97..122) and ^ _ ` | ~. */
#define QOC_TCHAR_HI_                                                                              \
	(((uint64_t)0x3ffffff << 1) | ((uint64_t)0x3ffffff << 33) | QOC_TCHAR_BIT_('^') |          \
	 QOC_TCHAR_BIT_('_') | QOC_TCHAR_BIT_('`') | QOC_TCHAR_BIT_('|') | QOC_TCHAR_BIT_('~'))

static inline bool qoc_http_tchar(unsigned char c)
{
	if (c < 64)
		return (QOC_TCHAR_LO_ >> c) & 1;
	if (c < 128)
		return (QOC_TCHAR_HI_ >> (c - 64)) & 1;
	return false;
}

/* True when s[0..len) is a non-empty token. */
static inline bool qoc_http_token(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!qoc_http_tchar((unsigned char)s[i]))
			return false;
	return true;
}

#endif
