/* scope.c - OAuth 2.0 scopes as a sorted set of tokens held in a fixed buffer.
 *
 * The text buffer is always compact (tokens packed, each followed by a NUL), so its use is
 * bytes + 1 for a non-empty scope: the canonical bound keeps it in the buffer.
 */
#include "oauth/scope.h"

#include <string.h>

/* RFC 6749 §3.3: NQCHAR = %x21 / %x23-5B / %x5D-7E */
static bool nqchar(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

static bool token_valid(const char *t, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!nqchar((unsigned char)t[i]))
			return false;
	return true;
}

/* Byte order of t[0..len) against the stored NUL-terminated token u. */
static int cmp_token(const char *t, size_t len, const char *u)
{
	size_t ulen = strlen(u);
	int c = memcmp(t, u, len < ulen ? len : ulen);
	if (c != 0)
		return c;
	return len < ulen ? -1 : len > ulen ? 1 : 0;
}

void qoc_scope_init(struct qoc_scope *s)
{
	s->count = 0;
	s->bytes = 0;
	s->used = 0;
	s->text[0] = '\0';
}

const char *qoc_scope_item(const struct qoc_scope *s, size_t i)
{
	return i < s->count ? s->text + s->off[i] : NULL;
}

/* Adds a token already known to be valid. */
static enum qoc_err add_token(struct qoc_scope *s, const char *t, size_t len)
{
	size_t pos = 0;
	for (; pos < s->count; pos++) {
		int c = cmp_token(t, len, s->text + s->off[pos]);
		if (c == 0)
			return QOC_OK;
		if (c < 0)
			break;
	}
	size_t bytes = s->bytes + len + (s->count ? 1 : 0);
	if (s->count == QOC_SCOPE_MAX_TOKENS || bytes > QOC_SCOPE_MAX_BYTES ||
	    s->used + len + 1 > sizeof(s->text))
		return QOC_ELIMIT;
	memmove(&s->off[pos + 1], &s->off[pos], (s->count - pos) * sizeof(s->off[0]));
	s->off[pos] = (uint16_t)s->used;
	memcpy(s->text + s->used, t, len);
	s->text[s->used + len] = '\0';
	s->used += len + 1;
	s->bytes = bytes;
	s->count++;
	return QOC_OK;
}

enum qoc_err qoc_scope_parse(const char *s, size_t len, struct qoc_scope *out)
{
	enum qoc_err err = QOC_OK;
	qoc_scope_init(out);
	if (len > QOC_SCOPE_MAX_BYTES) {
		err = QOC_ELIMIT;
		goto out;
	}
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (!token_valid(s + start, i - start)) {
			err = QOC_EINVAL;
			goto out;
		}
		err = add_token(out, s + start, i - start);
		if (err)
			goto out;
		start = i + 1;
	}
out:
	if (err)
		qoc_scope_init(out);
	return err;
}

bool qoc_scope_contains(const struct qoc_scope *s, const char *token)
{
	size_t len = strlen(token);
	for (size_t i = 0; i < s->count; i++)
		if (cmp_token(token, len, s->text + s->off[i]) == 0)
			return true;
	return false;
}

bool qoc_scope_is_subset(const struct qoc_scope *sub, const struct qoc_scope *super)
{
	for (size_t i = 0; i < sub->count; i++)
		if (!qoc_scope_contains(super, qoc_scope_item(sub, i)))
			return false;
	return true;
}

enum qoc_err qoc_scope_add(struct qoc_scope *s, const char *token)
{
	size_t len = strlen(token);
	if (!token_valid(token, len))
		return QOC_EINVAL;
	return add_token(s, token, len);
}

enum qoc_err qoc_scope_union(struct qoc_scope *dst, const struct qoc_scope *add)
{
	struct qoc_scope tmp = *dst;
	for (size_t i = 0; i < add->count; i++) {
		const char *t = qoc_scope_item(add, i);
		enum qoc_err err = add_token(&tmp, t, strlen(t));
		if (err)
			return err;
	}
	*dst = tmp;
	return QOC_OK;
}

void qoc_scope_remove(struct qoc_scope *s, const char *token)
{
	if (!qoc_scope_contains(s, token))
		return;
	/* Rebuild so the text stays compact; at most 32 tokens. */
	struct qoc_scope tmp;
	qoc_scope_init(&tmp);
	for (size_t i = 0; i < s->count; i++) {
		const char *t = qoc_scope_item(s, i);
		if (strcmp(t, token) != 0)
			(void)add_token(&tmp, t, strlen(t)); /* a subset: always fits */
	}
	*s = tmp;
}

size_t qoc_scope_format(const struct qoc_scope *s, char out[QOC_SCOPE_MAX_BYTES + 1])
{
	size_t n = 0;
	for (size_t i = 0; i < s->count; i++) {
		const char *t = qoc_scope_item(s, i);
		size_t len = strlen(t);
		if (i > 0)
			out[n++] = ' ';
		memcpy(out + n, t, len);
		n += len;
	}
	out[n] = '\0';
	return n;
}

bool qoc_scope_is_oidc(const char *token)
{
	static const char *const known[] = {QOC_SCOPE_OPENID, QOC_SCOPE_PROFILE, QOC_SCOPE_EMAIL,
	                                    QOC_SCOPE_OFFLINE_ACCESS};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (token && strcmp(token, known[i]) == 0)
			return true;
	return false;
}
