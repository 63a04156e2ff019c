/* http.h - the request and response every handler sees, independent of the server.
 *
 * A handler reads a struct qoc_http_req and fills a struct qoc_http_resp; it never sees
 * libmicrohttpd. The server (server.h) builds both around each request; tests build them
 * with qoc_http_req_init / qoc_http_resp_init and call handlers directly.
 *
 * Ownership: every pointer in a request points either into the request's arena or into
 * memory the server keeps alive until the response is sent; all of it dies with the
 * request. Strings a handler passes to the qoc_http_resp_* helpers are copied (into the
 * arena or the body buffer) before the helper returns, except where a comment says that a
 * reference is stolen.
 *
 * Errors a handler returns (see qoc_http_handler_fn) become responses in one place, the
 * server: QOC_ENOMEM is a 503, QOC_EPENDING an offload (below), anything else without a
 * response set a 500 problem.
 */
#ifndef QOC_HTTP_HTTP_H
#define QOC_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/jsonw.h"
#include "core/str.h"
#include "http/cookie.h"
#include "core/form.h"

enum qoc_http_method {
	QOC_HTTP_GET,
	QOC_HTTP_HEAD,
	QOC_HTTP_POST,
	QOC_HTTP_PUT,
	QOC_HTTP_PATCH,
	QOC_HTTP_DELETE,
	QOC_HTTP_OPTIONS,
	QOC_HTTP_OTHER, /* any other token (TRACE, CONNECT, PROPFIND, ...): never routed */
	QOC_HTTP_METHOD_COUNT
};

/* Exact, case-sensitive (RFC 9110 §9.1): "get" is QOC_HTTP_OTHER. NULL gives OTHER. */
enum qoc_http_method qoc_http_method_parse(const char *s);
/* "GET", ..., "OPTIONS"; "OTHER" for QOC_HTTP_OTHER. Static, never NULL. */
const char *qoc_http_method_name(enum qoc_http_method m);

/* 16 lowercase hex characters (64 random bits) and a NUL. */
#define QOC_HTTP_REQUEST_ID_LEN 16
/* Room for an IPv6 address in text form. */
#define QOC_HTTP_ADDR_SIZE 48

struct qoc_http_header_field {
	const char *name;  /* as received; compare case-insensitively */
	const char *value; /* leading/trailing whitespace already stripped by the parser */
};

struct qoc_http_param {
	const char *name;  /* the {name} of the route pattern, or "*" for a catch-all */
	const char *value; /* {name}: percent-decoded, non-empty, no NUL or '/';
	                    * "*": the raw rest of the path, NOT decoded (a static-file handler
	                    * must validate it) */
};

typedef void qoc_http_work_fn(void *arg);

struct qoc_http_req {
	struct qoc_arena *arena; /* per request; handlers allocate from it freely */
	enum qoc_http_method method;
	const char *method_str; /* as received */
	const char *path;       /* raw path: not percent-decoded, no query */
	const char *query;      /* raw query after '?', "" when none */
	char request_id[QOC_HTTP_REQUEST_ID_LEN + 1];
	char remote_addr[QOC_HTTP_ADDR_SIZE]; /* peer address as text, "" when unknown */
	struct qoc_str body;                  /* the whole body (bounded by the server's limit) */
	const struct qoc_http_header_field *headers; /* in received order */
	size_t header_count;
	const struct qoc_http_param *params; /* router path parameters */
	size_t param_count;
	const char *route;      /* the matched route pattern ("/apps/{client_id}"), or NULL */
	size_t max_form_fields; /* bound used by qoc_http_form_body / _query */
	bool resumed;           /* true when called again after qoc_http_offload */
	/* Per-request annotations of the layer above (api/capture.c keeps its analytics note
	 * here, arena memory); NULL at first, kept across an offload's resumed call, never
	 * read by http/. */
	void *app_note;

	/* Private to http.c and server.c. */
	struct {
		qoc_http_work_fn *work;
		void *arg;
		bool wait; /* on the wait pool (qoc_http_offload_wait) */
	} offload;
	struct qoc_cookie_jar cookies;
	bool cookies_parsed;
	enum qoc_err cookies_err;
};

struct qoc_http_resp_header {
	struct qoc_http_resp_header *next;
	const char *name;  /* arena memory */
	const char *value; /* arena memory */
};

struct qoc_http_resp {
	struct qoc_arena *arena;              /* the request's arena */
	unsigned status;                      /* 0 until a helper sets it */
	const char *content_type;             /* arena or static memory; NULL: no Content-Type */
	struct qoc_http_resp_header *headers; /* in insertion order */
	struct qoc_http_resp_header *last;
	struct qoc_buf body; /* bounded by the server's response limit */
};

/* Handler contract.
 * - Return QOC_OK after setting a response (status != 0).
 * - Return QOC_ENOMEM when an allocation failed: the server answers 503 (whatever resp
 *   holds), so a handler can simply pass the error up.
 * - Return any other error: the server sends resp if a helper set a status, else a 500
 *   problem. The error is logged (without request data).
 * - Return QOC_EPENDING right after qoc_http_offload(): see there.
 * ctx is the pointer given to qoc_router_add, shared by all threads: read-only or locked. */
typedef enum qoc_err qoc_http_handler_fn(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                         void *ctx);

/* For tests and the server: zeroes *req and sets the arena, method GET, path "/", query "",
 * and max_form_fields 64. */
void qoc_http_req_init(struct qoc_http_req *req, struct qoc_arena *arena);
/* Zeroes *resp, sets the arena and a body bounded by max_body bytes. */
void qoc_http_resp_init(struct qoc_http_resp *resp, struct qoc_arena *arena, size_t max_body);
/* Frees the body (headers live in the arena). */
void qoc_http_resp_release(struct qoc_http_resp *resp);

/* ---- reading the request ---- */

/* First header called `name` (ASCII case-insensitive), or NULL. */
const char *qoc_http_header(const struct qoc_http_req *req, const char *name);
/* How many headers are called `name`, to refuse a repeated Authorization or Origin. */
size_t qoc_http_header_count(const struct qoc_http_req *req, const char *name);
/* The router parameter `name` ("client_id" for "{client_id}", "*" for a catch-all), or NULL. */
const char *qoc_http_param(const struct qoc_http_req *req, const char *name);
/* The first cookie called `name` from all Cookie headers, or NULL (also when the Cookie
 * header is over QOC_COOKIE_MAX_COUNT or the arena is exhausted). See cookie.h. */
const char *qoc_http_cookie(struct qoc_http_req *req, const char *name);
/* How many cookies called `name` the request sent (0 also when qoc_http_cookie is NULL), to
 * refuse an ambiguous session cookie (cookie tossing from a sibling domain or path). */
size_t qoc_http_cookie_count(struct qoc_http_req *req, const char *name);
/* True when the Content-Type media type (before any ';') equals `type`, ignoring ASCII case
 * and surrounding whitespace: qoc_http_content_type_is(req, "application/json"). */
bool qoc_http_content_type_is(const struct qoc_http_req *req, const char *type);

/* Decodes the body as application/x-www-form-urlencoded (QOC_EINVAL if the Content-Type is
 * anything else) / the raw query string, into out (arena memory). Other errors as in
 * qoc_form_parse. */
enum qoc_err qoc_http_form_body(struct qoc_http_req *req, struct qoc_form *out);
enum qoc_err qoc_http_form_query(struct qoc_http_req *req, struct qoc_form *out);

/* Runs work(arg) on the server's offload pool (argon2id and other slow CPU work) without
 * holding a connection thread. Call it from a handler, then return QOC_EPENDING:
 *   1. the server suspends the connection and queues work; the handler's thread is free;
 *   2. a pool thread runs work(arg) (the request id is set for its logs);
 *   3. the server calls the same handler again with req->resumed == true; it builds the
 *      response from what work left in arg (qoc_http_offload_arg(req) returns it).
 * arg must live until then: allocate it from req->arena. work must not touch req or resp
 * (another thread owns them meanwhile) and must return in bounded time.
 * When the queue is full or the server is stopping, the server answers 503 with
 * Retry-After and the handler is NOT called again (put cleanups on the arena).
 * QOC_EINVAL when work is NULL or an offload is already pending. */
enum qoc_err qoc_http_offload(struct qoc_http_req *req, qoc_http_work_fn *work, void *arg);
/* The same on the server's wait pool, for work that mostly waits rather than computes: a
 * durable write's commit (group commit shares one fsync among the writes waiting at once,
 * so many may wait together), a round trip to a remote database. The connection threads,
 * few and CPU-bound, never sleep on a commit. Same contract as qoc_http_offload. */
enum qoc_err qoc_http_offload_wait(struct qoc_http_req *req, qoc_http_work_fn *work, void *arg);
/* The arg of the last qoc_http_offload(_wait) on this request (NULL before any). */
void *qoc_http_offload_arg(const struct qoc_http_req *req);

/* ---- building the response ---- */

/* Appends a header. name must be an RFC 9110 token; value must hold no control byte but
 * HTAB (no CR/LF injection). Content-Type, Content-Length, Transfer-Encoding and Connection
 * are refused (the helpers and the server own them). QOC_EINVAL / QOC_ENOMEM. */
enum qoc_err qoc_http_resp_header(struct qoc_http_resp *resp, const char *name, const char *value);
/* Sets status, content type (NULL: none) and replaces the body with data[0..len).
 * QOC_EINVAL for a status outside 100..599, QOC_ELIMIT over the body bound. */
enum qoc_err qoc_http_resp_body(struct qoc_http_resp *resp, unsigned status,
                                const char *content_type, const void *data, size_t len);
/* application/json body from `json`, whose reference is stolen (even on error, and NULL is
 * accepted as the result of a failed json_pack: QOC_ENOMEM). */
enum qoc_err qoc_http_resp_json(struct qoc_http_resp *resp, unsigned status, json_t *json);
/* The same for a flat object written straight into the body, without a jansson tree (the
 * answers of every token request): begin, the qoc_jsonw_* members, end. On an error from
 * end (the writer's first error, or a bad status) the body is left empty. */
void qoc_http_resp_jsonw_begin(struct qoc_http_resp *resp, struct qoc_jsonw *w);
enum qoc_err qoc_http_resp_jsonw_end(struct qoc_http_resp *resp, unsigned status,
                                     struct qoc_jsonw *w);
/* RFC 9457 application/problem+json: {"type":"about:blank","title":..,"status":..,
 * "detail":..}. title NULL: the status' reason phrase; detail NULL: omitted. Bytes that are
 * not valid UTF-8 in title or detail are replaced by '?'. */
enum qoc_err qoc_http_resp_problem(struct qoc_http_resp *resp, unsigned status, const char *title,
                                   const char *detail);
/* text/html; charset=utf-8 plus qoc_http_resp_security_headers. */
enum qoc_err qoc_http_resp_html(struct qoc_http_resp *resp, unsigned status, const char *html);
/* SECURITY.md page headers: Content-Security-Policy (default-src 'self'; frame-ancestors
 * 'none'; base-uri 'none'; object-src 'none'), X-Frame-Options: DENY, Referrer-Policy:
 * no-referrer, X-Content-Type-Options: nosniff. Static files (scripts, styles) want them
 * too; JSON APIs need not pay for them. */
enum qoc_err qoc_http_resp_security_headers(struct qoc_http_resp *resp);
/* 301, 302 or 303 (SECURITY.md: never 307/308 after a credential POST) with Location and an
 * empty body. location must be printable ASCII without spaces: QOC_EINVAL otherwise. */
enum qoc_err qoc_http_resp_redirect(struct qoc_http_resp *resp, unsigned status,
                                    const char *location);
/* Adds a Set-Cookie header; see qoc_cookie_build for the rules and QOC_COOKIE_OPTS_DEFAULT. */
enum qoc_err qoc_http_resp_set_cookie(struct qoc_http_resp *resp, const char *name,
                                      const char *value, const struct qoc_cookie_opts *opts);

/* The value of the first response header called `name` (case-insensitive), or NULL. */
const char *qoc_http_resp_get_header(const struct qoc_http_resp *resp, const char *name);
/* "Not Found" for 404 etc.; "Unknown" for codes it does not know. Static. */
const char *qoc_http_reason(unsigned status);

#endif
