/* cookie.c - Cookie parsing and Set-Cookie building. See cookie.h. */
#include "http/cookie.h"

#include <inttypes.h>
#include <string.h>

#include "http/token.h"

/* RFC 6265 §4.1.1 cookie-octet. */
static bool is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	       (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

static bool is_safe_value_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~!*+/=:@", c) != NULL;
}

bool qoc_cookie_value_safe(const char *value)
{
	for (const char *p = value; *p; p++)
		if (!is_safe_value_char((unsigned char)*p))
			return false;
	return true;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static enum qoc_err jar_push(struct qoc_arena *arena, struct qoc_cookie_jar *jar, const char *name,
                             size_t name_len, const char *value, size_t value_len)
{
	if (jar->count >= QOC_COOKIE_MAX_COUNT)
		return QOC_ELIMIT;
	if (jar->count == jar->cap) {
		size_t cap = jar->cap ? jar->cap * 2 : 8;
		struct qoc_cookie *items = qoc_arena_alloc(arena, cap * sizeof(*items));
		if (!items)
			return QOC_ENOMEM;
		if (jar->count)
			memcpy(items, jar->items, jar->count * sizeof(*items));
		jar->items = items;
		jar->cap = cap;
	}
	char *n = qoc_arena_strndup(arena, name, name_len);
	char *v = qoc_arena_strndup(arena, value, value_len);
	if (!n || !v)
		return QOC_ENOMEM;
	jar->items[jar->count].name = n;
	jar->items[jar->count].value = v;
	jar->count++;
	return QOC_OK;
}

/* One "name=value" piece, already split at ';'. Invalid pieces are skipped (QOC_OK). */
static enum qoc_err parse_piece(struct qoc_arena *arena, const char *p, size_t n,
                                struct qoc_cookie_jar *jar)
{
	while (n && is_ows(*p)) {
		p++;
		n--;
	}
	while (n && is_ows(p[n - 1]))
		n--;
	const char *eq = memchr(p, '=', n);
	if (!eq)
		return QOC_OK;
	size_t name_len = (size_t)(eq - p);
	while (name_len && is_ows(p[name_len - 1]))
		name_len--;
	const char *v = eq + 1;
	size_t vlen = n - (size_t)(v - p);
	while (vlen && is_ows(*v)) {
		v++;
		vlen--;
	}
	if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
		v++;
		vlen -= 2;
	}
	if (!qoc_http_token(p, name_len))
		return QOC_OK;
	for (size_t i = 0; i < vlen; i++)
		if (!is_cookie_octet((unsigned char)v[i]))
			return QOC_OK;
	return jar_push(arena, jar, p, name_len, v, vlen);
}

enum qoc_err qoc_cookie_parse(struct qoc_arena *arena, const char *header, size_t len,
                              struct qoc_cookie_jar *jar)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && header[i] != ';')
			continue;
		enum qoc_err err = parse_piece(arena, header + start, i - start, jar);
		if (err)
			return err;
		start = i + 1;
	}
	return QOC_OK;
}

const char *qoc_cookie_get(const struct qoc_cookie_jar *jar, const char *name)
{
	for (size_t i = 0; i < jar->count; i++)
		if (strcmp(jar->items[i].name, name) == 0)
			return jar->items[i].value;
	return NULL;
}

size_t qoc_cookie_count(const struct qoc_cookie_jar *jar, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < jar->count; i++)
		if (strcmp(jar->items[i].name, name) == 0)
			n++;
	return n;
}

static bool path_ok(const char *path)
{
	if (path[0] != '/')
		return false;
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || c == ';' || c >= 0x80)
			return false;
	}
	return true;
}

/* The cookie-name prefixes of draft-ietf-httpbis-rfc6265bis §4.1.3. */
static bool prefix_rules_ok(const char *name, const struct qoc_cookie_opts *o, const char *path)
{
	if (strncmp(name, "__Secure-", 9) == 0 && !o->secure)
		return false;
	if (strncmp(name, "__Host-", 7) == 0 && (!o->secure || strcmp(path, "/") != 0))
		return false;
	return true;
}

enum qoc_err qoc_cookie_build(struct qoc_buf *out, const char *name, const char *value,
                              const struct qoc_cookie_opts *opts)
{
	static const char *const same_site[] = {"Lax", "Strict", "None"};
	const char *path = opts->path ? opts->path : "/";
	if (!qoc_http_token(name, strlen(name)) || !qoc_cookie_value_safe(value) || !path_ok(path))
		return QOC_EINVAL;
	if ((unsigned)opts->same_site > QOC_COOKIE_SAMESITE_NONE)
		return QOC_EINVAL;
	if (opts->same_site == QOC_COOKIE_SAMESITE_NONE && !opts->secure)
		return QOC_EINVAL;
	if (!prefix_rules_ok(name, opts, path))
		return QOC_EINVAL;
	size_t before = out->len;
	enum qoc_err err = qoc_buf_printf(out, "%s=%s; Path=%s", name, value, path);
	if (!err && opts->max_age != QOC_COOKIE_SESSION)
		err = qoc_buf_printf(out, "; Max-Age=%" PRId64,
		                     opts->max_age > 0 ? opts->max_age : 0);
	if (!err && opts->secure)
		err = qoc_buf_append_cstr(out, "; Secure");
	if (!err && opts->http_only)
		err = qoc_buf_append_cstr(out, "; HttpOnly");
	if (!err)
		err = qoc_buf_printf(out, "; SameSite=%s", same_site[opts->same_site]);
	if (err) {
		out->len = before;
		if (out->data)
			out->data[before] = '\0';
	}
	return err;
}
