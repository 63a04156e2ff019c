#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void qoc_buf_init(struct qoc_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void qoc_buf_release(struct qoc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void qoc_buf_release_secret(struct qoc_buf *b)
{
	if (b->data)
		qoc_memwipe(b->data, b->cap);
	qoc_buf_release(b);
}

void qoc_buf_reset(struct qoc_buf *b)
{
	qoc_buf_truncate(b, 0);
}

void qoc_buf_truncate(struct qoc_buf *b, size_t len)
{
	if (b->data && len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static enum qoc_err reserve(struct qoc_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return QOC_ELIMIT;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return QOC_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *p = realloc(b->data, cap);
	if (!p)
		return QOC_ENOMEM;
	b->data = p;
	b->cap = cap;
	return QOC_OK;
}

enum qoc_err qoc_buf_append(struct qoc_buf *b, const void *data, size_t len)
{
	enum qoc_err err = reserve(b, len);
	if (err)
		return err;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return QOC_OK;
}

enum qoc_err qoc_buf_append_str(struct qoc_buf *b, struct qoc_str s)
{
	return qoc_buf_append(b, s.ptr, s.len);
}

enum qoc_err qoc_buf_append_cstr(struct qoc_buf *b, const char *s)
{
	return qoc_buf_append(b, s, strlen(s));
}

enum qoc_err qoc_buf_append_char(struct qoc_buf *b, char c)
{
	return qoc_buf_append(b, &c, 1);
}

enum qoc_err qoc_buf_vprintf(struct qoc_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return QOC_EINVAL;
	enum qoc_err err = reserve(b, (size_t)n);
	if (err)
		return err;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return QOC_OK;
}

enum qoc_err qoc_buf_printf(struct qoc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum qoc_err err = qoc_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

const char *qoc_buf_cstr(const struct qoc_buf *b)
{
	return b->data ? b->data : "";
}
