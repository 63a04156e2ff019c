/* buf.h - bounded growable byte buffer (after curl's dynbuf).
 *
 * Every buffer has a maximum set at init; an append that would exceed it fails with
 * QOC_ELIMIT and leaves the contents unchanged. The buffer owns its heap memory; the
 * contents are always NUL-terminated (the NUL is not counted in len) so a finished
 * buffer can be handed to a C API without copying.
 */
#ifndef QOC_CORE_BUF_H
#define QOC_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"
#include "core/str.h"

struct qoc_buf {
	char *data;   /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;   /* hard bound on len */
};

void qoc_buf_init(struct qoc_buf *b, size_t max);
/* Frees the memory. Safe on an initialised, never-used buffer. */
void qoc_buf_release(struct qoc_buf *b);
/* Like release, but first overwrites the contents (for secrets). */
void qoc_buf_release_secret(struct qoc_buf *b);
void qoc_buf_reset(struct qoc_buf *b);
/* Drops everything after the first len bytes (no-op when it holds no more). */
void qoc_buf_truncate(struct qoc_buf *b, size_t len);

enum qoc_err qoc_buf_append(struct qoc_buf *b, const void *data, size_t len);
enum qoc_err qoc_buf_append_str(struct qoc_buf *b, struct qoc_str s);
enum qoc_err qoc_buf_append_cstr(struct qoc_buf *b, const char *s);
enum qoc_err qoc_buf_append_char(struct qoc_buf *b, char c);
enum qoc_err qoc_buf_printf(struct qoc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum qoc_err qoc_buf_vprintf(struct qoc_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Never NULL: an empty buffer gives "". */
const char *qoc_buf_cstr(const struct qoc_buf *b);
static inline struct qoc_str qoc_buf_str(const struct qoc_buf *b)
{
	return (struct qoc_str){ qoc_buf_cstr(b), b->len };
}

#endif
