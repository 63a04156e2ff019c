/* signin.c - the pure parts of the console's sign-in (see signin.h). */
#include "console/signin.h"

#include <string.h>

#include "core/buf.h"
#include "crypto/b64.h"

bool qoc_console_next_valid(const char *next)
{
	if (!next)
		return false;
	size_t n = strlen(next);
	if (n > QOC_CONSOLE_NEXT_MAX)
		return false;
	if (strcmp(next, "/console") != 0 && strncmp(next, "/console/", 9) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)next[i];
		if (c <= 0x20 || c >= 0x7f || c == '\\')
			return false;
		if (c == '/' && next[i + 1] == '/')
			return false;
		/* a ".." segment: "/.." followed by '/', '?', '#' or the end */
		if (c == '/' && next[i + 1] == '.' && next[i + 2] == '.' &&
		    (next[i + 3] == '\0' || next[i + 3] == '/' || next[i + 3] == '?' ||
		     next[i + 3] == '#'))
			return false;
	}
	return true;
}

enum qoc_err qoc_console_tx_encode(struct qoc_arena *a, const char *txid, const char *next,
                                   const char **out)
{
	*out = NULL;
	if (!txid || !txid[0] || strchr(txid, '.') || !qoc_console_next_valid(next))
		return QOC_EINVAL;
	struct qoc_buf b;
	qoc_buf_init(&b, 2048);
	enum qoc_err err = qoc_buf_append(&b, txid, strlen(txid));
	if (!err)
		err = qoc_buf_append(&b, ".", 1);
	if (!err)
		err = qoc_b64url_encode(next, strlen(next), &b);
	if (!err && !(*out = qoc_arena_strdup(a, qoc_buf_cstr(&b))))
		err = QOC_ENOMEM;
	qoc_buf_release(&b);
	return err;
}

enum qoc_err qoc_console_tx_decode(struct qoc_arena *a, const char *value, const char **txid,
                                   const char **next)
{
	*txid = *next = NULL;
	const char *dot = value ? strchr(value, '.') : NULL;
	if (!dot || dot == value || strlen(dot + 1) > 2 * QOC_CONSOLE_NEXT_MAX)
		return QOC_EINVAL;
	struct qoc_buf b;
	qoc_buf_init(&b, QOC_CONSOLE_NEXT_MAX + 1);
	enum qoc_err err = qoc_b64url_decode(dot + 1, strlen(dot + 1), &b);
	if (err == QOC_ENOMEM)
		goto out;
	if (err || memchr(qoc_buf_cstr(&b), '\0', b.len) || !qoc_console_next_valid(qoc_buf_cstr(&b))) {
		err = QOC_EINVAL;
		goto out;
	}
	char *t = qoc_arena_alloc(a, (size_t)(dot - value) + 1);
	const char *n = qoc_arena_strdup(a, qoc_buf_cstr(&b));
	if (!t || !n) {
		err = QOC_ENOMEM;
		goto out;
	}
	memcpy(t, value, (size_t)(dot - value));
	t[dot - value] = '\0';
	*txid = t;
	*next = n;
out:
	qoc_buf_release(&b);
	return err;
}
