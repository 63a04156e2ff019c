/* Unit tests for src/login/html.c: the escapers, the template function and the layout.
 * "SECURITY.md Browser" is the "Browser and console" section of /work/shared/SECURITY.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"
#include "login/html.h"

#define FFFD "\xEF\xBF\xBD"

static const char *text(struct qoc_buf *b, const char *s)
{
	qoc_buf_reset(b);
	assert_int_equal(qoc_html_text(b, s), QOC_OK);
	return qoc_buf_cstr(b);
}

static const char *attr(struct qoc_buf *b, const char *s)
{
	qoc_buf_reset(b);
	assert_int_equal(qoc_html_attr(b, s), QOC_OK);
	return qoc_buf_cstr(b);
}

static const char *text_n(struct qoc_buf *b, const char *s, size_t len)
{
	qoc_buf_reset(b);
	assert_int_equal(qoc_html_text_n(b, s, len), QOC_OK);
	return qoc_buf_cstr(b);
}

/* Every character with a meaning in HTML text or a quoted attribute is escaped. */
static void escapes_every_dangerous_character(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_string_equal(text(&b, "&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
	assert_string_equal(attr(&b, "&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
	assert_string_equal(text(&b, "plain text, 100% fine = ok; `tick` /slash"),
	                    "plain text, 100% fine = ok; `tick` /slash");
	assert_string_equal(text(&b, "&amp;"), "&amp;amp;"); /* no double-unescaping tricks */
	assert_string_equal(text(&b, ""), "");
	assert_string_equal(text(&b, NULL), "");
	qoc_buf_release(&b);
}

/* SECURITY.md Browser: no attacker string can leave its attribute or open a tag. */
static void blocks_injection_attempts(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_string_equal(attr(&b, "\" onmouseover=\"alert(1)"),
	                    "&quot; onmouseover=&quot;alert(1)");
	assert_string_equal(attr(&b, "' onfocus='x' autofocus='"),
	                    "&#39; onfocus=&#39;x&#39; autofocus=&#39;");
	assert_string_equal(text(&b, "</title><script>alert(1)</script>"),
	                    "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_string_equal(text(&b, "<!--"), "&lt;!--");
	assert_string_equal(text(&b, "<img src=x onerror=alert(1)>"),
	                    "&lt;img src=x onerror=alert(1)&gt;");
	qoc_buf_release(&b);
}

/* TAB, LF and CR survive a hidden form field byte-exact (state must come back as sent). */
static void encodes_whitespace_controls_numerically(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_string_equal(attr(&b, "a\tb\nc\r\nd"), "a&#9;b&#10;c&#13;&#10;d");
	qoc_buf_release(&b);
}

static void replaces_control_characters(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_string_equal(text_n(&b, "a\0b", 3), "a" FFFD "b"); /* NUL */
	assert_string_equal(text(&b, "\x01\x1B[31m\x7F"), FFFD FFFD "[31m" FFFD);
	assert_string_equal(text(&b, "\xC2\x80\xC2\x9F"), FFFD FFFD); /* C1 controls */
	assert_string_equal(text(&b, "\xC2\xA0"), "\xC2\xA0");        /* NBSP is fine */
	/* Bidi overrides and isolates (an app name that reads backwards). */
	assert_string_equal(text(&b, "a\xE2\x80\xAE"
	                             "b\xE2\x81\xA6"
	                             "c"),
	                    "a" FFFD "b" FFFD "c");
	assert_string_equal(text(&b, "\xE2\x80\x8F"), "\xE2\x80\x8F"); /* RLM mark is kept */
	qoc_buf_release(&b);
}

static void replaces_invalid_utf8(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	/* Valid: 2, 3 and 4 byte sequences and the extremes. */
	assert_string_equal(text(&b, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91"),
	                    "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91");
	assert_string_equal(text(&b, "\xF4\x8F\xBF\xBF"), "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
	/* Overlong '<' and '"': would be the classic filter bypass. */
	assert_string_equal(text(&b, "\xC0\xBC\xC1\x81"), FFFD FFFD FFFD FFFD);
	assert_string_equal(text(&b, "\xE0\x80\xBC"), FFFD FFFD FFFD);
	assert_string_equal(text(&b, "\xF0\x80\x80\xA2"), FFFD FFFD FFFD FFFD);
	/* Surrogate, above U+10FFFF, stray continuation, truncated, bytes F5..FF. */
	assert_string_equal(text(&b, "\xED\xA0\x80"), FFFD FFFD FFFD);
	assert_string_equal(text(&b, "\xF4\x90\x80\x80"), FFFD FFFD FFFD FFFD);
	assert_string_equal(text(&b, "\x80x"), FFFD "x");
	assert_string_equal(text(&b, "x\xE2\x82"), "x" FFFD FFFD);
	assert_string_equal(text(&b, "\xE2\x82<"), FFFD FFFD "&lt;"); /* '<' not swallowed */
	assert_string_equal(text(&b, "\xF5\xFF\xFE"), FFFD FFFD FFFD);
	qoc_buf_release(&b);
}

static void url_component_encodes_all_but_unreserved(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_int_equal(qoc_html_url_component(&b, "aZ09-._~ &\"<'/?#=%\xC3\xA9"), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "aZ09-._~%20%26%22%3C%27%2F%3F%23%3D%25%C3%A9");
	qoc_buf_release(&b);
}

static void fmt_escapes_every_argument(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_int_equal(qoc_html_fmt(&b, "<p title=\"%s\">%s 100%%</p>", "\"><script>", "<b>"),
	                 QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b),
	                    "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;b&gt; 100%</p>");
	/* Called through a pointer, so the compiler's printf check (which would refuse these
	 * calls outright) does not see them: a NULL argument, and templates with conversions
	 * other than %s, which are refused rather than interpreted. */
	enum qoc_err (*fmt)(struct qoc_buf *, const char *, ...) = qoc_html_fmt;
	qoc_buf_reset(&b);
	assert_int_equal(fmt(&b, "[%s]", (const char *)NULL), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "[]");
	qoc_buf_reset(&b);
	assert_int_equal(fmt(&b, "x%d", 1), QOC_EINVAL);
	assert_int_equal(fmt(&b, "x%n", "1"), QOC_EINVAL);
	assert_int_equal(fmt(&b, "x%"), QOC_EINVAL); /* trailing lone % */
	qoc_buf_release(&b);
}

static void buffer_bound_is_an_error(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 10);
	assert_int_equal(qoc_html_text(&b, "<<<<"), QOC_ELIMIT); /* 16 bytes escaped */
	qoc_buf_release(&b);
}

/* SECURITY.md Browser: the page holds under "default-src 'self'" - no inline script or
 * style; an accessible document with lang, viewport, title and main. */
static void layout_is_complete_and_csp_clean(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 16);
	assert_int_equal(qoc_html_page_begin(&b, "</title><script>x</script>"), QOC_OK);
	assert_int_equal(qoc_html_page_end(&b, NULL), QOC_OK);
	const char *p = qoc_buf_cstr(&b);
	assert_true(strncmp(p, "<!doctype html>\n<html lang=\"en\">", 32) == 0);
	assert_non_null(strstr(p, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(p, "<meta name=\"viewport\""));
	assert_non_null(
	    strstr(p, "<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt; \xC2\xB7 QOC</title>"));
	assert_non_null(strstr(p, "<link rel=\"stylesheet\" href=\"/login/static/login.css\">"));
	assert_non_null(strstr(p, "<main>"));
	assert_non_null(strstr(p, "</main>"));
	assert_true(strlen(p) > 16 && strcmp(p + strlen(p) - 16, "</body>\n</html>\n") == 0);
	assert_null(strstr(p, "<script"));
	assert_null(strstr(p, "<style"));
	assert_null(strstr(p, "style="));
	qoc_buf_reset(&b);
	assert_int_equal(qoc_html_page_begin(&b, NULL), QOC_OK);
	assert_non_null(strstr(qoc_buf_cstr(&b), "<title>QOC</title>"));
	qoc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(escapes_every_dangerous_character),
	    cmocka_unit_test(blocks_injection_attempts),
	    cmocka_unit_test(encodes_whitespace_controls_numerically),
	    cmocka_unit_test(replaces_control_characters),
	    cmocka_unit_test(replaces_invalid_utf8),
	    cmocka_unit_test(url_component_encodes_all_but_unreserved),
	    cmocka_unit_test(fmt_escapes_every_argument),
	    cmocka_unit_test(buffer_bound_is_an_error),
	    cmocka_unit_test(layout_is_complete_and_csp_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
