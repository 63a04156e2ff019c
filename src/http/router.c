/* router.c - a sorted list of path patterns, each with one handler per method.
 *
 * A linear scan over patterns kept in specificity order: QOC has tens of routes, a scan
 * over them costs well under a microsecond, and it keeps precedence obvious. See router.h.
 */
#include "http/router.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum seg_kind { SEG_LITERAL = 0, SEG_PARAM = 1, SEG_CATCH_ALL = 2 };

struct seg {
	enum seg_kind kind;
	const char *text; /* literal bytes or parameter name, in route->buf */
	size_t len;
};

struct handler {
	qoc_http_handler_fn *fn;
	void *ctx;
};

struct route {
	char *pattern;    /* heap copy of the pattern as registered */
	char *buf;        /* heap: segment texts, NUL-separated */
	struct seg *segs; /* heap; the catch-all, if any, is not among them */
	size_t nseg;
	bool catch_all;
	struct handler handlers[QOC_HTTP_METHOD_COUNT];
};

struct qoc_router {
	struct route **routes; /* most specific first */
	size_t count;
	size_t cap;
};

struct qoc_router *qoc_router_new(void)
{
	return calloc(1, sizeof(struct qoc_router));
}

static void route_free(struct route *r)
{
	if (!r)
		return;
	free(r->pattern);
	free(r->buf);
	free(r->segs);
	free(r);
}

void qoc_router_free(struct qoc_router *router)
{
	if (!router)
		return;
	for (size_t i = 0; i < router->count; i++)
		route_free(router->routes[i]);
	free(router->routes);
	free(router);
}

static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

static bool literal_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("{}*?#", c))
			return false;
	}
	return true;
}

/* Classifies one pattern segment s[0..len); last tells whether it ends the pattern. */
static enum qoc_err parse_seg(const char *s, size_t len, bool last, struct seg *out)
{
	if (len == 1 && s[0] == '*') {
		if (!last)
			return QOC_EINVAL;
		out->kind = SEG_CATCH_ALL;
		return QOC_OK;
	}
	if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
		if (!name_ok(s + 1, len - 2))
			return QOC_EINVAL;
		out->kind = SEG_PARAM;
		out->text = s + 1;
		out->len = len - 2;
		return QOC_OK;
	}
	if (!literal_ok(s, len))
		return QOC_EINVAL;
	out->kind = SEG_LITERAL;
	out->text = s;
	out->len = len;
	return QOC_OK;
}

static enum qoc_err check_param_names(const struct route *r)
{
	size_t params = 0;
	for (size_t i = 0; i < r->nseg; i++) {
		if (r->segs[i].kind != SEG_PARAM)
			continue;
		if (++params > QOC_ROUTER_MAX_PARAMS)
			return QOC_EINVAL;
		for (size_t j = 0; j < i; j++)
			if (r->segs[j].kind == SEG_PARAM && r->segs[j].len == r->segs[i].len &&
			    memcmp(r->segs[j].text, r->segs[i].text, r->segs[i].len) == 0)
				return QOC_EINVAL;
	}
	return QOC_OK;
}

/* Splits pattern into r->segs (texts point into r->buf, a copy of the pattern). */
static enum qoc_err parse_pattern(const char *pattern, struct route *r)
{
	size_t len = strlen(pattern);
	if (len == 0 || pattern[0] != '/')
		return QOC_EINVAL;
	size_t n = 1;
	for (size_t i = 1; i < len; i++)
		n += pattern[i] == '/';
	r->buf = strdup(pattern);
	r->pattern = strdup(pattern);
	r->segs = calloc(n, sizeof(*r->segs));
	if (!r->buf || !r->pattern || !r->segs)
		return QOC_ENOMEM;
	const char *p = r->buf + 1;
	for (size_t i = 0; i < n; i++) {
		const char *slash = strchr(p, '/');
		size_t slen = slash ? (size_t)(slash - p) : strlen(p);
		struct seg s;
		enum qoc_err err = parse_seg(p, slen, i + 1 == n, &s);
		if (err)
			return err;
		if (s.kind == SEG_CATCH_ALL)
			r->catch_all = true;
		else
			r->segs[r->nseg++] = s;
		p = slash ? slash + 1 : p + slen;
	}
	return check_param_names(r);
}

static enum seg_kind kind_at(const struct route *r, size_t i)
{
	return i < r->nseg ? r->segs[i].kind : SEG_CATCH_ALL;
}

static size_t kind_len(const struct route *r)
{
	return r->nseg + (r->catch_all ? 1 : 0);
}

/* < 0 when a is more specific than b (see router.h), 0 when they rank the same. */
static int compare_specificity(const struct route *a, const struct route *b)
{
	size_t na = kind_len(a), nb = kind_len(b);
	for (size_t i = 0; i < na && i < nb; i++) {
		int d = (int)kind_at(a, i) - (int)kind_at(b, i);
		if (d)
			return d;
	}
	return 0;
}

/* 1: same pattern; -1: same shape, different parameter names; 0: different shapes. */
static int same_shape(const struct route *a, const struct route *b)
{
	if (a->nseg != b->nseg || a->catch_all != b->catch_all)
		return 0;
	bool same_names = true;
	for (size_t i = 0; i < a->nseg; i++) {
		const struct seg *x = &a->segs[i], *y = &b->segs[i];
		bool same_text = x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
		if (x->kind != y->kind || (x->kind == SEG_LITERAL && !same_text))
			return 0;
		if (!same_text)
			same_names = false;
	}
	return same_names ? 1 : -1;
}

static enum qoc_err insert_route(struct qoc_router *router, struct route *r)
{
	if (router->count == router->cap) {
		size_t cap = router->cap ? router->cap * 2 : 16;
		struct route **routes = realloc(router->routes, cap * sizeof(*routes));
		if (!routes)
			return QOC_ENOMEM;
		router->routes = routes;
		router->cap = cap;
	}
	size_t at = router->count;
	while (at > 0 && compare_specificity(r, router->routes[at - 1]) < 0)
		at--;
	memmove(&router->routes[at + 1], &router->routes[at],
	        (router->count - at) * sizeof(*router->routes));
	router->routes[at] = r;
	router->count++;
	return QOC_OK;
}

enum qoc_err qoc_router_add(struct qoc_router *router, const char *method, const char *pattern,
                            qoc_http_handler_fn *handler, void *ctx)
{
	enum qoc_err err = QOC_OK;
	enum qoc_http_method m = qoc_http_method_parse(method);
	if (m == QOC_HTTP_OTHER || !handler || !pattern)
		return QOC_EINVAL;
	struct route *r = calloc(1, sizeof(*r));
	if (!r)
		return QOC_ENOMEM;
	err = parse_pattern(pattern, r);
	if (err)
		goto out;
	for (size_t i = 0; i < router->count; i++) {
		struct route *old = router->routes[i];
		int same = same_shape(old, r);
		if (same == 0)
			continue;
		if (same < 0 || old->handlers[m].fn) {
			err = QOC_ECONFLICT;
			goto out;
		}
		old->handlers[m] = (struct handler){handler, ctx};
		goto out; /* r is not needed: freed below */
	}
	r->handlers[m] = (struct handler){handler, ctx};
	err = insert_route(router, r);
	if (!err)
		r = NULL;
out:
	route_free(r);
	return err;
}

/* Matches path against r; on success stores parameter slices (raw) and the catch-all. */
static bool route_matches(const struct route *r, const char *path, struct qoc_str *params,
                          size_t *nparams, const char **rest)
{
	const char *p = path + 1;
	*nparams = 0;
	*rest = NULL;
	for (size_t i = 0; i < r->nseg; i++) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		const struct seg *s = &r->segs[i];
		if (s->kind == SEG_LITERAL) {
			if (len != s->len || memcmp(p, s->text, len) != 0)
				return false;
		} else {
			if (len == 0)
				return false;
			params[(*nparams)++] = (struct qoc_str){p, len};
		}
		bool last = (i + 1 == r->nseg);
		if (!slash && (!last || r->catch_all))
			return false;
		if (slash && last && !r->catch_all)
			return false;
		p = slash ? slash + 1 : p + len;
	}
	if (r->catch_all)
		*rest = p;
	return true;
}

/* Decodes the parameters of the chosen route into out. QOC_EINVAL: a value does not
 * decode to a clean segment, so the route does not match after all. */
static enum qoc_err bind_params(const struct route *r, const struct qoc_str *raw, size_t n,
                                const char *rest, struct qoc_arena *arena,
                                struct qoc_route_match *out)
{
	size_t total = n + (rest ? 1 : 0);
	if (total == 0)
		return QOC_OK;
	struct qoc_http_param *params = qoc_arena_alloc(arena, total * sizeof(*params));
	if (!params)
		return QOC_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < r->nseg; i++) {
		const struct seg *s = &r->segs[i];
		if (s->kind != SEG_PARAM)
			continue;
		char *value;
		size_t len;
		enum qoc_err err =
		    qoc_form_decode(arena, raw[k].ptr, raw[k].len, false, &value, &len);
		if (err)
			return err;
		if (memchr(value, '/', len))
			return QOC_EINVAL;
		params[k].name = qoc_arena_strndup(arena, s->text, s->len);
		if (!params[k].name)
			return QOC_ENOMEM;
		params[k++].value = value;
	}
	if (rest) {
		params[k].name = "*";
		params[k++].value = rest;
	}
	out->params = params;
	out->param_count = k;
	return QOC_OK;
}

static const struct handler *pick_handler(const struct route *r, enum qoc_http_method m)
{
	if (m == QOC_HTTP_OTHER)
		return NULL;
	if (r->handlers[m].fn)
		return &r->handlers[m];
	if (m == QOC_HTTP_HEAD && r->handlers[QOC_HTTP_GET].fn)
		return &r->handlers[QOC_HTTP_GET];
	return NULL;
}

static void format_allow(unsigned mask, char *out, size_t size)
{
	if (mask & (1u << QOC_HTTP_GET))
		mask |= 1u << QOC_HTTP_HEAD;
	size_t o = 0;
	out[0] = '\0';
	for (int m = 0; m < QOC_HTTP_OTHER; m++) {
		if (!(mask & (1u << m)))
			continue;
		const char *name = qoc_http_method_name((enum qoc_http_method)m);
		size_t n = strlen(name);
		if (o + n + 3 > size)
			break; /* cannot happen with 64 bytes: all seven fit in 44 */
		if (o) {
			memcpy(out + o, ", ", 2);
			o += 2;
		}
		memcpy(out + o, name, n);
		o += n;
		out[o] = '\0';
	}
}

enum qoc_err qoc_router_dispatch(const struct qoc_router *router, enum qoc_http_method method,
                                 const char *path, struct qoc_arena *arena,
                                 struct qoc_route_match *out)
{
	memset(out, 0, sizeof(*out));
	out->status = QOC_ROUTE_NOT_FOUND;
	if (!path || path[0] != '/')
		return QOC_OK;
	unsigned allowed = 0;
	for (size_t i = 0; i < router->count; i++) {
		const struct route *r = router->routes[i];
		struct qoc_str raw[QOC_ROUTER_MAX_PARAMS];
		size_t n;
		const char *rest;
		if (!route_matches(r, path, raw, &n, &rest))
			continue;
		const struct handler *h = pick_handler(r, method);
		if (!h) {
			for (int m = 0; m < QOC_HTTP_OTHER; m++)
				if (r->handlers[m].fn)
					allowed |= 1u << m;
			continue;
		}
		enum qoc_err err = bind_params(r, raw, n, rest, arena, out);
		if (err == QOC_EINVAL)
			continue;
		if (err)
			return err;
		out->status = QOC_ROUTE_FOUND;
		out->handler = h->fn;
		out->ctx = h->ctx;
		out->pattern = r->pattern;
		return QOC_OK;
	}
	if (allowed) {
		out->status = QOC_ROUTE_METHOD_NOT_ALLOWED;
		format_allow(allowed, out->allow, sizeof(out->allow));
	}
	return QOC_OK;
}
