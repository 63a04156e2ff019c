/* html.h - a small safe HTML builder over struct qoc_buf, for the QOC Login pages.
 *
 * The rule: markup comes only from string literals in our own code; every other value
 * goes through qoc_html_text / qoc_html_attr (or qoc_html_fmt, whose %s does it), so an
 * attacker-supplied string can never close a tag, open an attribute or start a script.
 *
 * Escaping (the same for text and for double-quoted attribute values, so using the
 * "wrong" one is still safe):
 *   & < > " '            -> &amp; &lt; &gt; &quot; &#39;
 *   TAB LF CR            -> &#9; &#10; &#13;  (survive byte-exact in a hidden form field:
 *                           HTML would otherwise turn CR LF into LF)
 *   NUL, other C0 controls, DEL, C1 controls (U+0080..U+009F), bidirectional embedding,
 *   override and isolate controls (U+202A..U+202E, U+2066..U+2069; they can make an
 *   application name read backwards on the consent page), and every byte that is not
 *   part of well-formed UTF-8 (overlongs, surrogates, > U+10FFFF, truncated sequences)
 *                        -> U+FFFD, one per offending byte or character
 *   everything else      -> copied as is
 *
 * Errors: QOC_ELIMIT when the buffer's maximum is reached, QOC_ENOMEM. After an error the
 * buffer holds a partial page: callers discard it (qoc_buf_reset), never send it.
 */
#ifndef QOC_LOGIN_HTML_H
#define QOC_LOGIN_HTML_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* The stylesheet every page links (served by the login handlers, see pages.h). */
#define QOC_HTML_CSS_PATH "/login/static/login.css"

/* Appends s escaped for HTML text content. NULL appends nothing. */
enum qoc_err qoc_html_text(struct qoc_buf *b, const char *s);
/* Same for s[0..len), which may contain NUL bytes (they become U+FFFD). */
enum qoc_err qoc_html_text_n(struct qoc_buf *b, const char *s, size_t len);
/* Appends s escaped for the inside of a double-quoted attribute value. NULL: nothing. */
enum qoc_err qoc_html_attr(struct qoc_buf *b, const char *s);

/* Appends s percent-encoded as a URL query component (RFC 3986 §2.3: only A-Z a-z 0-9
 * - . _ ~ kept, every other byte %XX), which is also safe inside an attribute. NULL:
 * nothing. For building href="...?handle=..." links. */
enum qoc_err qoc_html_url_component(struct qoc_buf *b, const char *s);

/* Appends tmpl with each %s replaced by the next argument escaped as by qoc_html_text
 * (a NULL argument gives nothing), and %% by %. tmpl must be a string literal of ours;
 * any other conversion is QOC_EINVAL (the printf attribute lets the compiler check that
 * every argument is a string). Example:
 *     qoc_html_fmt(b, "<p>Signed in as <b>%s</b></p>\n", email);
 */
enum qoc_err qoc_html_fmt(struct qoc_buf *b, const char *tmpl, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends the start of a complete, accessible page:
 *   <!doctype html><html lang="en"><head> charset, viewport, robots noindex,
 *   <title>{title} · QOC</title>, <link rel="stylesheet" href="/login/static/login.css">
 *   </head><body><main>
 * title NULL: "QOC". No inline script and no inline style anywhere, so the pages hold
 * under the CSP "default-src 'self'; frame-ancestors 'none'" (http.h). */
enum qoc_err qoc_html_page_begin(struct qoc_buf *b, const char *title);

/* Appends </main>, then <script src="{script_src}"></script> when script_src is not NULL
 * (a same-origin path of ours, such as the form_post auto-submit; never request data),
 * then </body></html>. */
enum qoc_err qoc_html_page_end(struct qoc_buf *b, const char *script_src);

#endif
