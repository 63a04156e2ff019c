/* http.c - request accessors and response builders (no I/O). See http.h. */
#include "http/http.h"

#include <string.h>

#include "http/token.h"

static const char *const method_names[QOC_HTTP_METHOD_COUNT] = {
    [QOC_HTTP_GET] = "GET",         [QOC_HTTP_HEAD] = "HEAD",   [QOC_HTTP_POST] = "POST",
    [QOC_HTTP_PUT] = "PUT",         [QOC_HTTP_PATCH] = "PATCH", [QOC_HTTP_DELETE] = "DELETE",
    [QOC_HTTP_OPTIONS] = "OPTIONS", [QOC_HTTP_OTHER] = "OTHER",
};

enum qoc_http_method qoc_http_method_parse(const char *s)
{
	if (!s)
		return QOC_HTTP_OTHER;
	for (int m = 0; m < QOC_HTTP_OTHER; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum qoc_http_method)m;
	return QOC_HTTP_OTHER;
}

const char *qoc_http_method_name(enum qoc_http_method m)
{
	if ((unsigned)m >= QOC_HTTP_METHOD_COUNT)
		return "OTHER";
	return method_names[m];
}

void qoc_http_req_init(struct qoc_http_req *req, struct qoc_arena *arena)
{
	memset(req, 0, sizeof(*req));
	req->arena = arena;
	req->method = QOC_HTTP_GET;
	req->method_str = "GET";
	req->path = "/";
	req->query = "";
	req->body = (struct qoc_str){"", 0};
	req->max_form_fields = 64;
}

void qoc_http_resp_init(struct qoc_http_resp *resp, struct qoc_arena *arena, size_t max_body)
{
	memset(resp, 0, sizeof(*resp));
	resp->arena = arena;
	qoc_buf_init(&resp->body, max_body);
}

void qoc_http_resp_release(struct qoc_http_resp *resp)
{
	qoc_buf_release(&resp->body);
}

/* ---- request ---- */

const char *qoc_http_header(const struct qoc_http_req *req, const char *name)
{
	struct qoc_str n = qoc_str_from(name);
	for (size_t i = 0; i < req->header_count; i++)
		if (qoc_str_eq_nocase(qoc_str_from(req->headers[i].name), n))
			return req->headers[i].value;
	return NULL;
}

size_t qoc_http_header_count(const struct qoc_http_req *req, const char *name)
{
	struct qoc_str n = qoc_str_from(name);
	size_t count = 0;
	for (size_t i = 0; i < req->header_count; i++)
		if (qoc_str_eq_nocase(qoc_str_from(req->headers[i].name), n))
			count++;
	return count;
}

const char *qoc_http_param(const struct qoc_http_req *req, const char *name)
{
	for (size_t i = 0; i < req->param_count; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

const char *qoc_http_cookie(struct qoc_http_req *req, const char *name)
{
	if (!req->cookies_parsed) {
		req->cookies_parsed = true;
		struct qoc_str cookie = QOC_STR_LIT("Cookie");
		for (size_t i = 0; i < req->header_count && !req->cookies_err; i++) {
			const struct qoc_http_header_field *h = &req->headers[i];
			if (qoc_str_eq_nocase(qoc_str_from(h->name), cookie))
				req->cookies_err = qoc_cookie_parse(
				    req->arena, h->value, strlen(h->value), &req->cookies);
		}
	}
	if (req->cookies_err)
		return NULL;
	return qoc_cookie_get(&req->cookies, name);
}

size_t qoc_http_cookie_count(struct qoc_http_req *req, const char *name)
{
	if (!qoc_http_cookie(req, name))
		return 0;
	return qoc_cookie_count(&req->cookies, name);
}

bool qoc_http_content_type_is(const struct qoc_http_req *req, const char *type)
{
	const char *ct = qoc_http_header(req, "Content-Type");
	if (!ct)
		return false;
	const char *end = strchr(ct, ';');
	size_t len = end ? (size_t)(end - ct) : strlen(ct);
	while (len && (*ct == ' ' || *ct == '\t')) {
		ct++;
		len--;
	}
	while (len && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
	return qoc_str_eq_nocase((struct qoc_str){ct, len}, qoc_str_from(type));
}

enum qoc_err qoc_http_form_body(struct qoc_http_req *req, struct qoc_form *out)
{
	out->fields = NULL;
	out->count = 0;
	if (!qoc_http_content_type_is(req, "application/x-www-form-urlencoded"))
		return QOC_EINVAL;
	return qoc_form_parse(req->arena, req->body.ptr, req->body.len, req->max_form_fields, out);
}

enum qoc_err qoc_http_form_query(struct qoc_http_req *req, struct qoc_form *out)
{
	const char *q = req->query ? req->query : "";
	return qoc_form_parse(req->arena, q, strlen(q), req->max_form_fields, out);
}

enum qoc_err qoc_http_offload(struct qoc_http_req *req, qoc_http_work_fn *work, void *arg)
{
	if (!work || req->offload.work)
		return QOC_EINVAL;
	req->offload.work = work;
	req->offload.arg = arg;
	req->offload.wait = false;
	return QOC_OK;
}

enum qoc_err qoc_http_offload_wait(struct qoc_http_req *req, qoc_http_work_fn *work, void *arg)
{
	enum qoc_err err = qoc_http_offload(req, work, arg);
	if (!err)
		req->offload.wait = true;
	return err;
}

void *qoc_http_offload_arg(const struct qoc_http_req *req)
{
	return req->offload.arg;
}

/* ---- response ---- */

static bool header_name_ok(const char *name)
{
	if (!qoc_http_token(name, strlen(name)))
		return false;
	static const char *const reserved[] = {"Content-Type", "Content-Length",
	                                       "Transfer-Encoding", "Connection"};
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (qoc_str_eq_nocase(qoc_str_from(name), qoc_str_from(reserved[i])))
			return false;
	return true;
}

static bool header_value_ok(const char *value)
{
	for (const char *p = value; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* Appends without validation: name and value are already checked or ours. */
static enum qoc_err add_header(struct qoc_http_resp *resp, const char *name, const char *value)
{
	struct qoc_http_resp_header *h = qoc_arena_alloc(resp->arena, sizeof(*h));
	if (!h)
		return QOC_ENOMEM;
	h->next = NULL;
	h->name = qoc_arena_strdup(resp->arena, name);
	h->value = qoc_arena_strdup(resp->arena, value);
	if (!h->name || !h->value)
		return QOC_ENOMEM;
	if (resp->last)
		resp->last->next = h;
	else
		resp->headers = h;
	resp->last = h;
	return QOC_OK;
}

enum qoc_err qoc_http_resp_header(struct qoc_http_resp *resp, const char *name, const char *value)
{
	if (!name || !value || !header_name_ok(name) || !header_value_ok(value))
		return QOC_EINVAL;
	return add_header(resp, name, value);
}

const char *qoc_http_resp_get_header(const struct qoc_http_resp *resp, const char *name)
{
	for (const struct qoc_http_resp_header *h = resp->headers; h; h = h->next)
		if (qoc_str_eq_nocase(qoc_str_from(h->name), qoc_str_from(name)))
			return h->value;
	return NULL;
}

enum qoc_err qoc_http_resp_body(struct qoc_http_resp *resp, unsigned status,
                                const char *content_type, const void *data, size_t len)
{
	if (status < 100 || status > 599)
		return QOC_EINVAL;
	if (content_type && !header_value_ok(content_type))
		return QOC_EINVAL;
	const char *ct = NULL;
	if (content_type) {
		ct = qoc_arena_strdup(resp->arena, content_type);
		if (!ct)
			return QOC_ENOMEM;
	}
	qoc_buf_reset(&resp->body);
	enum qoc_err err = qoc_buf_append(&resp->body, data ? data : "", len);
	if (err)
		return err;
	resp->status = status;
	resp->content_type = ct;
	return QOC_OK;
}

struct dump_ctx {
	struct qoc_buf *buf;
	enum qoc_err err;
};

static int dump_cb(const char *data, size_t size, void *arg)
{
	struct dump_ctx *d = arg;
	d->err = qoc_buf_append(d->buf, data, size);
	return d->err ? -1 : 0;
}

void qoc_http_resp_jsonw_begin(struct qoc_http_resp *resp, struct qoc_jsonw *w)
{
	qoc_buf_reset(&resp->body);
	qoc_jsonw_begin(w, &resp->body);
}

enum qoc_err qoc_http_resp_jsonw_end(struct qoc_http_resp *resp, unsigned status,
                                     struct qoc_jsonw *w)
{
	enum qoc_err err = qoc_jsonw_end(w);
	if (!err && (status < 100 || status > 599))
		err = QOC_EINVAL;
	if (err) {
		qoc_buf_reset(&resp->body);
		return err;
	}
	resp->status = status;
	resp->content_type = "application/json";
	return QOC_OK;
}

enum qoc_err qoc_http_resp_json(struct qoc_http_resp *resp, unsigned status, json_t *json)
{
	enum qoc_err err = QOC_OK;
	if (!json)
		return QOC_ENOMEM;
	if (status < 100 || status > 599) {
		err = QOC_EINVAL;
		goto out;
	}
	qoc_buf_reset(&resp->body);
	struct dump_ctx d = {&resp->body, QOC_OK};
	if (json_dump_callback(json, dump_cb, &d, JSON_COMPACT) != 0) {
		err = d.err ? d.err : QOC_ENOMEM;
		qoc_buf_reset(&resp->body);
		goto out;
	}
	resp->status = status;
	resp->content_type = "application/json";
out:
	json_decref(json);
	return err;
}

/* A JSON string for s, with bytes that are not valid UTF-8 replaced by '?'. */
static json_t *lossy_string(struct qoc_arena *a, const char *s)
{
	size_t len = strlen(s);
	if (qoc_utf8_valid(s, len))
		return json_stringn(s, len);
	char *copy = qoc_arena_strndup(a, s, len);
	if (!copy)
		return NULL;
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)copy[i];
		size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (n > len - i || !qoc_utf8_valid(copy + i, n)) {
			copy[i++] = '?';
			continue;
		}
		i += n;
	}
	return json_stringn(copy, len);
}

enum qoc_err qoc_http_resp_problem(struct qoc_http_resp *resp, unsigned status, const char *title,
                                   const char *detail)
{
	enum qoc_err err = QOC_OK;
	if (status < 100 || status > 599)
		return QOC_EINVAL;
	json_t *o = json_object();
	if (!o)
		return QOC_ENOMEM;
	if (json_object_set_new(o, "type", json_string("about:blank")) ||
	    json_object_set_new(
	        o, "title", lossy_string(resp->arena, title ? title : qoc_http_reason(status))) ||
	    json_object_set_new(o, "status", json_integer(status)) ||
	    (detail && json_object_set_new(o, "detail", lossy_string(resp->arena, detail)))) {
		json_decref(o);
		return QOC_ENOMEM;
	}
	err = qoc_http_resp_json(resp, status, o);
	if (!err)
		resp->content_type = "application/problem+json";
	return err;
}

enum qoc_err qoc_http_resp_security_headers(struct qoc_http_resp *resp)
{
	enum qoc_err err =
	    add_header(resp, "Content-Security-Policy",
	               "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	               "object-src 'none'");
	if (!err)
		err = add_header(resp, "X-Frame-Options", "DENY");
	if (!err)
		err = add_header(resp, "Referrer-Policy", "no-referrer");
	if (!err)
		err = add_header(resp, "X-Content-Type-Options", "nosniff");
	return err;
}

enum qoc_err qoc_http_resp_html(struct qoc_http_resp *resp, unsigned status, const char *html)
{
	enum qoc_err err = qoc_http_resp_body(resp, status, "text/html; charset=utf-8", html,
	                                      html ? strlen(html) : 0);
	if (err)
		return err;
	return qoc_http_resp_security_headers(resp);
}

enum qoc_err qoc_http_resp_redirect(struct qoc_http_resp *resp, unsigned status,
                                    const char *location)
{
	if (status != 301 && status != 302 && status != 303)
		return QOC_EINVAL;
	if (!location || !location[0])
		return QOC_EINVAL;
	for (const char *p = location; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return QOC_EINVAL;
	enum qoc_err err = add_header(resp, "Location", location);
	if (err)
		return err;
	return qoc_http_resp_body(resp, status, NULL, "", 0);
}

enum qoc_err qoc_http_resp_set_cookie(struct qoc_http_resp *resp, const char *name,
                                      const char *value, const struct qoc_cookie_opts *opts)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	enum qoc_err err = qoc_cookie_build(&b, name, value, opts);
	if (!err)
		err = add_header(resp, "Set-Cookie", qoc_buf_cstr(&b));
	qoc_buf_release_secret(&b); /* session ids are secrets */
	return err;
}

static const struct {
	unsigned status;
	const char *text;
} reasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
};

const char *qoc_http_reason(unsigned status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return "Unknown";
}
