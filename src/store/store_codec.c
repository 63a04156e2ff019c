/* store_codec.c - JSON string lists (jansson), application and token encodings, and
 * app_list cursors. */
#include "store/store_codec.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum qoc_err qoc_store_list_to_json(struct qoc_arena *a, const struct qoc_str_list *l,
                                    const char **out)
{
	enum qoc_err err = QOC_ENOMEM;
	char *text = NULL;
	*out = NULL;
	json_t *arr = json_array();
	if (!arr)
		goto out;
	for (size_t i = 0; i < l->count; i++) {
		if (!l->items[i]) {
			err = QOC_EINVAL;
			goto out;
		}
		/* json_string refuses invalid UTF-8 (NULL), like running out of memory does;
		 * the check tells the two apart. */
		json_t *v = json_string(l->items[i]);
		if (!v) {
			json_t *probe = json_string("x");
			err = probe ? QOC_EINVAL : QOC_ENOMEM;
			json_decref(probe);
			goto out;
		}
		if (json_array_append_new(arr, v) != 0)
			goto out;
	}
	text = json_dumps(arr, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		goto out;
	*out = qoc_arena_strdup(a, text);
	err = *out ? QOC_OK : QOC_ENOMEM;
out:
	free(text);
	json_decref(arr);
	return err;
}

enum qoc_err qoc_store_list_from_json(struct qoc_arena *a, const char *json,
                                      struct qoc_str_list *out)
{
	enum qoc_err err = QOC_EINVAL;
	out->items = NULL;
	out->count = 0;
	json_t *arr = json ? json_loads(json, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (!arr || !json_is_array(arr))
		goto out;
	size_t n = json_array_size(arr);
	if (n == 0) {
		err = QOC_OK;
		goto out;
	}
	const char **items = qoc_arena_calloc(a, n, sizeof(*items));
	if (!items) {
		err = QOC_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_string(v))
			goto out;
		size_t len = json_string_length(v);
		const char *s = json_string_value(v);
		if (memchr(s, '\0', len))
			goto out;
		if (!(items[i] = qoc_arena_strndup(a, s, len))) {
			err = QOC_ENOMEM;
			goto out;
		}
	}
	out->items = items;
	out->count = n;
	err = QOC_OK;
out:
	json_decref(arr);
	return err;
}

/* --- cursors ---
 * Before hex: "1" (version), 'n' or 'c' (sort), 'a' or 'd' (direction), then
 *   name:    <decimal length of name_norm> ':' <name_norm bytes> <client_id>
 *   created: <decimal created_at> ':' <client_id>
 * Hex keeps it opaque and URL-safe; nothing in it is secret (the caller may only use it
 * within the teams it may see anyway). */

static const char hexdigits[] = "0123456789abcdef";

char *qoc_store_cursor_encode(struct qoc_arena *a, const struct qoc_store_cursor *c)
{
	char *raw;
	if (c->sort == QOC_APP_SORT_NAME)
		raw = qoc_arena_printf(a, "1n%c%zu:%s%s", c->desc ? 'd' : 'a', strlen(c->name_norm),
		                       c->name_norm, c->client_id);
	else
		raw = qoc_arena_printf(a, "1c%c%" PRId64 ":%s", c->desc ? 'd' : 'a', c->created_at,
		                       c->client_id);
	if (!raw)
		return NULL;
	size_t n = strlen(raw);
	char *hex = qoc_arena_alloc(a, 2 * n + 1);
	if (!hex)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = hexdigits[(unsigned char)raw[i] >> 4];
		hex[2 * i + 1] = hexdigits[(unsigned char)raw[i] & 0xf];
	}
	hex[2 * n] = '\0';
	return hex;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes lower-case hex into a NUL-terminated arena string; NULL when malformed, out of
 * memory, or holding a NUL. *len receives the byte count. */
static char *unhex(struct qoc_arena *a, const char *s, size_t *len)
{
	size_t n = strlen(s);
	if (n == 0 || n % 2 || n > QOC_STORE_CURSOR_MAX)
		return NULL;
	char *raw = qoc_arena_alloc(a, n / 2 + 1);
	if (!raw)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return NULL;
		raw[i] = (char)(hi << 4 | lo);
	}
	raw[n / 2] = '\0';
	*len = n / 2;
	return raw;
}

/* A decimal number of at most 19 digits (an int64) ending at ':'; *end past the ':'. */
static bool parse_num(const char *p, bool allow_sign, int64_t *out, const char **end)
{
	const char *d = p;
	if (allow_sign && *d == '-')
		d++;
	if (*d < '0' || *d > '9')
		return false;
	errno = 0;
	char *e;
	long long v = strtoll(p, &e, 10);
	if (errno || *e != ':' || e - d > 19)
		return false;
	*out = (int64_t)v;
	*end = e + 1;
	return true;
}

enum qoc_err qoc_store_cursor_decode(struct qoc_arena *a, const char *s,
                                     struct qoc_store_cursor *out)
{
	memset(out, 0, sizeof(*out));
	size_t len;
	char *raw = s ? unhex(a, s, &len) : NULL;
	if (!raw || len < 4 || raw[0] != '1' || (raw[1] != 'n' && raw[1] != 'c') ||
	    (raw[2] != 'a' && raw[2] != 'd'))
		return QOC_EINVAL;
	out->sort = raw[1] == 'n' ? QOC_APP_SORT_NAME : QOC_APP_SORT_CREATED;
	out->desc = raw[2] == 'd';
	const char *p = raw + 3;
	int64_t num;
	if (!parse_num(p, out->sort == QOC_APP_SORT_CREATED, &num, &p))
		return QOC_EINVAL;
	if (out->sort == QOC_APP_SORT_NAME) {
		size_t rest = len - (size_t)(p - raw);
		if (num < 0 || (uint64_t)num > rest)
			return QOC_EINVAL;
		char *name = qoc_arena_strndup(a, p, (size_t)num);
		if (!name)
			return QOC_ENOMEM;
		out->name_norm = name;
		p += num;
	} else {
		out->created_at = num;
	}
	if (!*p)
		return QOC_EINVAL; /* no client_id */
	out->client_id = p;
	return QOC_OK;
}

enum qoc_err qoc_store_app_encode(struct qoc_arena *a, const struct qoc_app *app,
                                  struct qoc_store_app_enc *e)
{
	enum qoc_err err;
	if (!(e->name_norm = qoc_store_name_norm(a, app->name)))
		return QOC_ENOMEM;
	if ((err = qoc_store_list_to_json(a, &app->redirect_uris, &e->redirect)) ||
	    (err = qoc_store_list_to_json(a, &app->allowed_origins, &e->origins)) ||
	    (err = qoc_store_list_to_json(a, &app->sso_redirect_uris, &e->sso)) ||
	    (err = qoc_store_list_to_json(a, &app->logout_uris, &e->logout)) ||
	    (err = qoc_store_list_to_json(a, &app->grant_types, &e->grants)))
		return err;
	return QOC_OK;
}

enum qoc_err qoc_store_account_encode(struct qoc_arena *a, const struct qoc_account *acct,
                                      struct qoc_store_account_enc *e)
{
	e->email_norm = qoc_store_email_norm(a, acct->email);
	e->team_id = acct->personal_team_id ? acct->personal_team_id
	                                    : qoc_arena_printf(a, "team_%s", acct->id);
	e->team_name = acct->name && acct->name[0] ? acct->name : acct->email;
	return e->email_norm && e->team_id ? QOC_OK : QOC_ENOMEM;
}

const char *qoc_store_token_kind_name(enum qoc_token_kind kind)
{
	return kind == QOC_TOKEN_REFRESH ? "refresh" : "access";
}

enum qoc_token_kind qoc_store_token_kind_parse(const char *name)
{
	return strcmp(name, "refresh") == 0 ? QOC_TOKEN_REFRESH : QOC_TOKEN_ACCESS;
}

bool qoc_store_is_hash(const char *s)
{
	if (!s)
		return false;
	size_t n = 0;
	for (; s[n]; n++) {
		char ch = s[n];
		bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
		if (!ok || n >= 43)
			return false;
	}
	return n == 43;
}

bool qoc_store_is_json_object(const char *s)
{
	if (!s || strlen(s) > 65536)
		return false;
	json_t *v = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	bool ok = v && json_is_object(v);
	json_decref(v);
	return ok;
}

/* The team scope of q: one id as it is, several as a JSON array. */
static enum qoc_err prepare_scope(struct qoc_arena *a, const struct qoc_app_query *q,
                                  struct qoc_store_app_list *out)
{
	if (q->all_teams) {
		out->scope = QOC_STORE_SCOPE_ALL;
	} else if (q->team_count == 1) {
		out->scope = QOC_STORE_SCOPE_ONE;
		out->teams = q->team_ids[0];
	} else if (q->team_count > 1) {
		struct qoc_str_list l = {.count = q->team_count};
		l.items = qoc_arena_calloc(a, q->team_count, sizeof(*l.items));
		if (!l.items)
			return QOC_ENOMEM;
		memcpy(l.items, q->team_ids, q->team_count * sizeof(*l.items));
		out->scope = QOC_STORE_SCOPE_MANY;
		return qoc_store_list_to_json(a, &l, &out->teams);
	}
	return QOC_OK;
}

enum qoc_err qoc_store_app_list_prepare(struct qoc_arena *a, const struct qoc_app_query *q,
                                        struct qoc_store_app_list *out)
{
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if (q->limit > QOC_APP_LIST_MAX_LIMIT ||
	    (q->sort != QOC_APP_SORT_NAME && q->sort != QOC_APP_SORT_CREATED) ||
	    (!q->all_teams && q->team_count && !q->team_ids))
		return QOC_EINVAL;
	for (size_t i = 0; !q->all_teams && i < q->team_count; i++)
		if (!q->team_ids[i])
			return QOC_EINVAL;
	out->limit = q->limit ? q->limit : QOC_APP_LIST_DEFAULT_LIMIT;
	out->no_team = !q->all_teams && q->team_count == 0;
	if ((err = prepare_scope(a, q, out)))
		return err;
	if (q->q && q->q[0] && !(out->q_norm = qoc_store_name_norm(a, q->q)))
		return QOC_ENOMEM;
	if (q->cursor) {
		if ((err = qoc_store_cursor_decode(a, q->cursor, &out->cur)))
			return err;
		if (out->cur.sort != q->sort || out->cur.desc != q->desc)
			return QOC_EINVAL; /* a cursor from another order */
		out->has_cursor = true;
	}
	return QOC_OK;
}

enum qoc_err qoc_store_app_list_next_cursor(struct qoc_arena *a, const struct qoc_app_query *q,
                                            const struct qoc_app *last, const char **out)
{
	struct qoc_store_cursor cur = {.sort = q->sort,
	                               .desc = q->desc,
	                               .created_at = last->created_at,
	                               .client_id = last->client_id};
	if (cur.sort == QOC_APP_SORT_NAME && !(cur.name_norm = qoc_store_name_norm(a, last->name)))
		return QOC_ENOMEM;
	*out = qoc_store_cursor_encode(a, &cur);
	return *out ? QOC_OK : QOC_ENOMEM;
}
