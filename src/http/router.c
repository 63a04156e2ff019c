/* router.c - a trie of path segments; each pattern ends in a node with one handler per method.
 *
 * A node has literal children, at most one {param} child, at most one route ending there
 * and at most one catch-all route (pattern "<node>/" + "*"). Dispatch walks the path depth-first
 * trying literal, then parameter, then catch-all at every segment, which visits the routes that
 * match in exactly the specificity order of router.h, and only those: the cost follows
 * the depth of the path, not the number of routes. See router.h for the rules.
 */
#include "http/router.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"

enum seg_kind { SEG_LITERAL = 0, SEG_PARAM = 1, SEG_CATCH_ALL = 2 };

struct seg {
	enum seg_kind kind;
	const char *text; /* literal bytes or parameter name, in route->buf */
	size_t len;
};

struct handler {
	qoc_http_handler_fn *fn;
	void *ctx;
	unsigned flags; /* QOC_ROUTE_* */
};

struct route {
	char *pattern;    /* heap copy of the pattern as registered */
	char *buf;        /* heap: another copy, that segs point into */
	struct seg *segs; /* heap; the catch-all, if any, is not among them */
	size_t nseg;
	bool catch_all;
	unsigned metric_id; /* its route label (core/metrics.h) */
	struct handler handlers[QOC_HTTP_METHOD_COUNT];
};

struct node {
	char *text; /* literal children only: the segment, heap */
	size_t len;
	struct node **lits; /* literal children, heap */
	size_t nlits;
	struct node *param; /* the {name} child */
	struct route *end;  /* the route whose pattern ends here */
	struct route *star; /* the catch-all route of this node */
};

struct qoc_router {
	struct node root;
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

static void node_free(struct node *n)
{
	for (size_t i = 0; i < n->nlits; i++) {
		node_free(n->lits[i]);
		free(n->lits[i]);
	}
	free(n->lits);
	if (n->param) {
		node_free(n->param);
		free(n->param);
	}
	free(n->text);
	route_free(n->end);
	route_free(n->star);
}

void qoc_router_free(struct qoc_router *router)
{
	if (!router)
		return;
	node_free(&router->root);
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

/* For two routes of the same shape: 1 when their parameter names agree, else -1. */
static int same_names(const struct route *a, const struct route *b)
{
	for (size_t i = 0; i < a->nseg; i++) {
		const struct seg *x = &a->segs[i], *y = &b->segs[i];
		if (x->len != y->len || memcmp(x->text, y->text, x->len) != 0)
			return -1;
	}
	return 1;
}

static struct node *literal_child(const struct node *n, const char *text, size_t len)
{
	for (size_t i = 0; i < n->nlits; i++)
		if (n->lits[i]->len == len && memcmp(n->lits[i]->text, text, len) == 0)
			return n->lits[i];
	return NULL;
}

/* The child of n for segment s, created when missing. NULL when out of memory. */
static struct node *child_for(struct node *n, const struct seg *s)
{
	if (s->kind == SEG_PARAM) {
		if (!n->param)
			n->param = calloc(1, sizeof(*n->param));
		return n->param;
	}
	struct node *c = literal_child(n, s->text, s->len);
	if (c)
		return c;
	struct node **lits = realloc(n->lits, (n->nlits + 1) * sizeof(*lits));
	if (!lits)
		return NULL;
	n->lits = lits;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->text = malloc(s->len + 1);
	if (!c->text) {
		free(c);
		return NULL;
	}
	memcpy(c->text, s->text, s->len);
	c->text[s->len] = '\0';
	c->len = s->len;
	lits[n->nlits++] = c;
	return c;
}

enum qoc_err qoc_router_add(struct qoc_router *router, const char *method, const char *pattern,
                            qoc_http_handler_fn *handler, void *ctx)
{
	return qoc_router_add_flags(router, method, pattern, handler, ctx, 0);
}

enum qoc_err qoc_router_add_flags(struct qoc_router *router, const char *method,
                                  const char *pattern, qoc_http_handler_fn *handler, void *ctx,
                                  unsigned flags)
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
	struct node *n = &router->root;
	for (size_t i = 0; i < r->nseg && n; i++)
		n = child_for(n, &r->segs[i]);
	if (!n) {
		err = QOC_ENOMEM;
		goto out;
	}
	struct route **slot = r->catch_all ? &n->star : &n->end;
	if (*slot) {
		if (same_names(*slot, r) < 0 || (*slot)->handlers[m].fn)
			err = QOC_ECONFLICT;
		else
			(*slot)->handlers[m] = (struct handler){handler, ctx, flags};
		goto out; /* r itself is not needed: freed below */
	}
	r->handlers[m] = (struct handler){handler, ctx, flags};
	r->metric_id = qoc_metrics_route_intern(r->pattern);
	*slot = r;
	r = NULL;
out:
	route_free(r);
	return err;
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

struct walk {
	enum qoc_http_method method;
	struct qoc_arena *arena;
	struct qoc_route_match *out;
	struct qoc_str raw[QOC_ROUTER_MAX_PARAMS]; /* parameter values on the current branch */
	size_t nraw;
	unsigned allowed; /* methods of matching routes without one for this method */
	bool found;
	enum qoc_err err;
};

/* A route matched the path: take it if it serves the method and its parameters decode. */
static void consider(struct walk *w, const struct route *r, const char *rest)
{
	const struct handler *h = pick_handler(r, w->method);
	if (!h) {
		for (int m = 0; m < QOC_HTTP_OTHER; m++)
			if (r->handlers[m].fn)
				w->allowed |= 1u << m;
		return;
	}
	enum qoc_err err = bind_params(r, w->raw, w->nraw, rest, w->arena, w->out);
	if (err == QOC_EINVAL)
		return; /* a value that does not decode cleanly: this route does not match */
	if (err) {
		w->err = err;
		return;
	}
	w->found = true;
	w->out->handler = h->fn;
	w->out->ctx = h->ctx;
	w->out->flags = h->flags;
	w->out->pattern = r->pattern;
	w->out->route_id = r->metric_id;
}

static bool walk_done(const struct walk *w)
{
	return w->found || w->err;
}

static void walk(struct walk *w, const struct node *n, const char *p);

/* Continues in child c with the segment [p, end) consumed. */
static void descend(struct walk *w, const struct node *c, const char *end)
{
	if (*end == '\0') {
		if (c->end)
			consider(w, c->end, NULL);
	} else {
		walk(w, c, end + 1);
	}
}

/* p: the path after the '/' that ends the segment of n. */
static void walk(struct walk *w, const struct node *n, const char *p)
{
	const char *end = p + strcspn(p, "/");
	size_t len = (size_t)(end - p);
	const struct node *lit = literal_child(n, p, len);
	if (lit)
		descend(w, lit, end);
	if (!walk_done(w) && n->param && len > 0 && w->nraw < QOC_ROUTER_MAX_PARAMS) {
		w->raw[w->nraw++] = (struct qoc_str){p, len};
		descend(w, n->param, end);
		w->nraw--;
	}
	if (!walk_done(w) && n->star)
		consider(w, n->star, p);
}

enum qoc_err qoc_router_dispatch(const struct qoc_router *router, enum qoc_http_method method,
                                 const char *path, struct qoc_arena *arena,
                                 struct qoc_route_match *out)
{
	memset(out, 0, sizeof(*out));
	out->status = QOC_ROUTE_NOT_FOUND;
	if (!path || path[0] != '/')
		return QOC_OK;
	struct walk w = {.method = method, .arena = arena, .out = out};
	walk(&w, &router->root, path + 1);
	if (w.err)
		return w.err;
	if (w.found) {
		out->status = QOC_ROUTE_FOUND;
		return QOC_OK;
	}
	if (w.allowed) {
		out->status = QOC_ROUTE_METHOD_NOT_ALLOWED;
		format_allow(w.allowed, out->allow, sizeof(out->allow));
	}
	return QOC_OK;
}
