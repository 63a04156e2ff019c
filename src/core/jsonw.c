/* jsonw.c - see jsonw.h. */
#include "core/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"

void qoc_jsonw_begin(struct qoc_jsonw *w, struct qoc_buf *out)
{
	w->out = out;
	w->start = out->len;
	w->members = 0;
	w->err = qoc_buf_append_char(out, '{');
}

/* Appends s as a JSON string, quotes included. */
static enum qoc_err put_string(struct qoc_buf *b, const char *s)
{
	if (!s)
		return QOC_EINVAL;
	size_t len = strlen(s);
	if (!qoc_utf8_valid(s, len))
		return QOC_EINVAL;
	enum qoc_err err = qoc_buf_append_char(b, '"');
	size_t run = 0; /* bytes copied as they are, flushed before each escape */
	for (size_t i = 0; !err && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		if (run)
			err = qoc_buf_append(b, s + i - run, run);
		run = 0;
		if (err)
			break;
		switch (c) {
		case '"': err = qoc_buf_append(b, "\\\"", 2); break;
		case '\\': err = qoc_buf_append(b, "\\\\", 2); break;
		case '\n': err = qoc_buf_append(b, "\\n", 2); break;
		case '\r': err = qoc_buf_append(b, "\\r", 2); break;
		case '\t': err = qoc_buf_append(b, "\\t", 2); break;
		case '\b': err = qoc_buf_append(b, "\\b", 2); break;
		case '\f': err = qoc_buf_append(b, "\\f", 2); break;
		default: {
			char u[7];
			snprintf(u, sizeof(u), "\\u%04x", c);
			err = qoc_buf_append(b, u, 6);
		}
		}
	}
	if (!err && run)
		err = qoc_buf_append(b, s + len - run, run);
	if (!err)
		err = qoc_buf_append_char(b, '"');
	return err;
}

static bool member(struct qoc_jsonw *w, const char *name)
{
	if (w->err)
		return false;
	if (w->members++ && (w->err = qoc_buf_append_char(w->out, ',')))
		return false;
	if ((w->err = put_string(w->out, name)) || (w->err = qoc_buf_append_char(w->out, ':')))
		return false;
	return true;
}

void qoc_jsonw_str(struct qoc_jsonw *w, const char *name, const char *value)
{
	if (member(w, name))
		w->err = put_string(w->out, value);
}

void qoc_jsonw_int(struct qoc_jsonw *w, const char *name, int64_t value)
{
	if (!member(w, name))
		return;
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%" PRId64, value);
	w->err = qoc_buf_append(w->out, digits, (size_t)n);
}

void qoc_jsonw_bool(struct qoc_jsonw *w, const char *name, bool value)
{
	if (member(w, name))
		w->err = value ? qoc_buf_append(w->out, "true", 4) : qoc_buf_append(w->out, "false", 5);
}

enum qoc_err qoc_jsonw_end(struct qoc_jsonw *w)
{
	if (!w->err)
		w->err = qoc_buf_append_char(w->out, '}');
	if (w->err)
		qoc_buf_truncate(w->out, w->start);
	return w->err;
}
