/* html.c - HTML escaping and the page layout of QOC Login.
 *
 * The escaper walks the input once, copying runs of harmless bytes in one append and
 * writing a replacement for anything else. UTF-8 is validated with the well-formed byte
 * sequences of Unicode 15 table 3-7, so overlongs and surrogates never reach a page.
 */
#include "login/html.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the well-formed UTF-8 sequence at s[0..n) (n >= 1), 0 if there is none;
 * *cp gets the code point. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* bounds of the second byte */
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		*cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		*cp = c & 0x0F;
		lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
		hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		*cp = c & 0x07;
		lo = c == 0xF0 ? 0x90 : 0x80; /* no overlongs */
		hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	return len;
}

/* What replaces code point cp, or NULL to copy it. */
static const char *replace(uint32_t cp)
{
	switch (cp) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\t':
		return "&#9;";
	case '\n':
		return "&#10;";
	case '\r':
		return "&#13;";
	default:
		break;
	}
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return replacement;
	if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
		return replacement;
	return NULL;
}

static enum qoc_err escape(struct qoc_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* start of the pending run of bytes to copy */
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		const char *rep = n ? replace(cp) : replacement;
		if (!rep) {
			i += n;
			continue;
		}
		enum qoc_err err = qoc_buf_append(b, s + run, i - run);
		if (!err)
			err = qoc_buf_append_cstr(b, rep);
		if (err)
			return err;
		i += n ? n : 1;
		run = i;
	}
	return qoc_buf_append(b, s + run, len - run);
}

enum qoc_err qoc_html_text_n(struct qoc_buf *b, const char *s, size_t len)
{
	if (!s)
		return QOC_OK;
	return escape(b, s, len);
}

enum qoc_err qoc_html_text(struct qoc_buf *b, const char *s)
{
	return s ? escape(b, s, strlen(s)) : QOC_OK;
}

enum qoc_err qoc_html_attr(struct qoc_buf *b, const char *s)
{
	return s ? escape(b, s, strlen(s)) : QOC_OK;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

enum qoc_err qoc_html_url_component(struct qoc_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	enum qoc_err err = QOC_OK;
	for (const unsigned char *p = (const unsigned char *)s; p && *p && !err; p++) {
		if (unreserved(*p)) {
			err = qoc_buf_append_char(b, (char)*p);
		} else {
			char enc[3] = {'%', hex[*p >> 4], hex[*p & 0x0F]};
			err = qoc_buf_append(b, enc, sizeof enc);
		}
	}
	return err;
}

enum qoc_err qoc_html_fmt(struct qoc_buf *b, const char *tmpl, ...)
{
	enum qoc_err err = QOC_OK;
	va_list ap;
	va_start(ap, tmpl);
	const char *run = tmpl;
	const char *p = tmpl;
	while (*p) {
		if (*p != '%') {
			p++;
			continue;
		}
		err = qoc_buf_append(b, run, (size_t)(p - run));
		if (err)
			goto out;
		if (p[1] == 's') {
			err = qoc_html_text(b, va_arg(ap, const char *));
		} else if (p[1] == '%') {
			err = qoc_buf_append_char(b, '%');
		} else {
			err = QOC_EINVAL; /* a template bug of ours, never input */
		}
		if (err)
			goto out;
		p += 2;
		run = p;
	}
	err = qoc_buf_append(b, run, (size_t)(p - run));
out:
	va_end(ap);
	return err;
}

enum qoc_err qoc_html_page_begin(struct qoc_buf *b, const char *title)
{
	return qoc_html_fmt(b,
	                    "<!doctype html>\n"
	                    "<html lang=\"en\">\n"
	                    "<head>\n"
	                    "<meta charset=\"utf-8\">\n"
	                    "<meta name=\"viewport\" content=\"width=device-width, "
	                    "initial-scale=1\">\n"
	                    "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
	                    "<title>%s%sQOC</title>\n"
	                    "<link rel=\"stylesheet\" href=\"" QOC_HTML_CSS_PATH "\">\n"
	                    "</head>\n"
	                    "<body>\n"
	                    "<header class=\"brand\"><span class=\"logo\">QOC</span></header>\n"
	                    "<main>\n",
	                    title, title ? " \xC2\xB7 " : NULL);
}

enum qoc_err qoc_html_page_end(struct qoc_buf *b, const char *script_src)
{
	enum qoc_err err = qoc_buf_append_cstr(b, "</main>\n");
	if (!err && script_src)
		err = qoc_html_fmt(b, "<script src=\"%s\"></script>\n", script_src);
	if (!err)
		err = qoc_buf_append_cstr(b, "</body>\n</html>\n");
	return err;
}
