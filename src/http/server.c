/* server.c - libmicrohttpd glue: request lifecycle, limits, offload, graceful stop.
 *
 * Life of a request (struct conn_req, one per request, freed at completion):
 *   on_uri        MHD has the request line: allocate, copy the raw target, count it active.
 *   first call    headers are in: check URI / header / Content-Length limits. Nothing is
 *                 queued here unless a limit is hit (libmicrohttpd 0.9.75 closes the
 *                 connection when a response is queued in the first call: right for a
 *                 refusal, wrong for anything else).
 *   body calls    append to a bounded buffer; past the limit, drain and remember.
 *   final call    route, run the handler, queue its response (or start an offload).
 *   resumed call  after an offload: run the handler again with req->resumed set.
 *   on_completed  access log, free everything.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "core/random.h"
#include "http/conn_guard.h"
#include "http/listen.h"
#include "http/offload.h"
#include "http/tls.h"
#include "http/token.h"

#define KIB ((size_t)1024)
#define MIB (KIB * KIB)
/* After the offload pool drained at stop: how long answers may take to go out. */
#define FLUSH_NS (1000u * 1000u * 1000u)

struct qoc_http_server {
	struct MHD_Daemon *daemon;
	struct qoc_router *router;
	struct qoc_http_options opts;      /* defaults filled in */
	struct qoc_offload_pool pool;      /* CPU work (qoc_http_offload) */
	struct qoc_offload_pool wait_pool; /* waiting work (qoc_http_offload_wait) */
	struct qoc_conn_guard *guard;      /* per-address limits, head deadline */
	int listen_fd;
	uint16_t port;
	atomic_uint active;    /* requests from on_uri to on_completed */
	atomic_uint suspended; /* requests parked while their offload job runs */
	atomic_bool stopping;
};

enum phase { PH_NEW, PH_BODY, PH_OFFLOADED, PH_ANSWERED };

struct conn_req {
	struct qoc_http_server *srv;
	struct MHD_Connection *conn;
	struct qoc_arena arena;
	struct qoc_http_req req;
	struct qoc_http_resp resp;
	struct qoc_buf body;
	struct qoc_offload_job job;
	struct qoc_route_match match;
	struct qoc_conn_rec *rec; /* the connection's guard record; NULL when it has none */
	char *uri; /* arena copy of the raw request target; NULL when over the limit */
	size_t uri_len;
	uint64_t start_ns;
	enum phase phase;
	bool on_wait_pool; /* PH_OFFLOADED: the job is the handler itself (QOC_ROUTE_WAITS) */
	enum qoc_err handler_err; /* what it returned there */
	bool body_too_large;
	bool body_oom;
	size_t drained;  /* body bytes thrown away after the limit was hit */
	unsigned status; /* queued status and body size, for the access log */
	size_t bytes;
};

/* ---- small helpers ---- */

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 32 ? 32 : (unsigned)n;
}

static void fill_defaults(struct qoc_http_options *o)
{
	if (!o->address)
		o->address = "127.0.0.1";
	if (!o->threads)
		o->threads = 2 * online_cpus();
	if (o->threads > 64)
		o->threads = 64;
	if (!o->offload_threads)
		o->offload_threads = online_cpus();
	if (o->offload_threads > 64)
		o->offload_threads = 64;
	if (!o->offload_queue)
		o->offload_queue = 256;
	if (!o->wait_threads)
		o->wait_threads = 32;
	if (o->wait_threads > 256)
		o->wait_threads = 256;
	if (!o->wait_queue)
		o->wait_queue = 1024;
	if (!o->connection_timeout_s)
		o->connection_timeout_s = 30;
	if (!o->max_connections)
		o->max_connections = 1024;
	if (!o->max_header_bytes)
		o->max_header_bytes = 16 * KIB;
	if (!o->max_uri_bytes)
		o->max_uri_bytes = 8 * KIB;
	if (!o->max_body_bytes)
		o->max_body_bytes = MIB;
	if (!o->max_response_bytes)
		o->max_response_bytes = 16 * MIB;
	if (!o->max_form_fields)
		o->max_form_fields = 64;
	if (!o->arena_budget)
		o->arena_budget = QOC_ARENA_DEFAULT_BUDGET;
	if (!o->max_connections_per_address)
		o->max_connections_per_address = 64;
	if (!o->request_head_timeout_s)
		o->request_head_timeout_s = 10;
	if (!o->trusted_proxies)
		o->trusted_proxies = "";
}

/* 64 random bits as hex. Ids need to be unique, not secret; the CSPRNG is read in batches
 * so a request costs no system call. */
static void make_request_id(char out[QOC_HTTP_REQUEST_ID_LEN + 1])
{
	static _Thread_local unsigned char pool[256];
	static _Thread_local size_t off = sizeof(pool);
	static const char hex[] = "0123456789abcdef";
	if (off + 8 > sizeof(pool)) {
		if (qoc_random_bytes(pool, sizeof(pool)) != QOC_OK) {
			uint64_t x = qoc_monotonic_ns() * 0x9e3779b97f4a7c15ull;
			for (size_t i = 0; i < sizeof(pool);
			     i++, x = x * 6364136223846793005ull + 1)
				pool[i] = (unsigned char)(x >> 56);
		}
		off = 0;
	}
	for (size_t i = 0; i < 8; i++) {
		out[2 * i] = hex[pool[off + i] >> 4];
		out[2 * i + 1] = hex[pool[off + i] & 15];
	}
	out[QOC_HTTP_REQUEST_ID_LEN] = '\0';
	off += 8;
}

/* Writes n in decimal at out; returns the end. */
static char *put_u8(char *out, unsigned n)
{
	if (n >= 100)
		*out++ = (char)('0' + n / 100);
	if (n >= 10)
		*out++ = (char)('0' + n / 10 % 10);
	*out++ = (char)('0' + n % 10);
	return out;
}

/* The peer address as text. IPv4 by hand: inet_ntop goes through sprintf, which was the
 * largest single cost of this layer per request (docs/http.md). */
static void peer_text(struct MHD_Connection *conn, char *out, size_t size)
{
	out[0] = '\0';
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET && size >= INET_ADDRSTRLEN) {
		const unsigned char *b =
		    (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
		        ->sin_addr;
		char *p = out;
		for (int i = 0; i < 4; i++) {
			p = put_u8(p, b[i]);
			*p++ = i < 3 ? '.' : '\0';
		}
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          out, (socklen_t)size);
	}
}

/* Response bodies may hold tokens: wipe the whole allocation before freeing it. */
static void wipe_free(void *p)
{
	if (p)
		qoc_memwipe(p, malloc_usable_size(p));
	free(p);
}

/* ---- queueing responses ---- */

static bool add_std_headers(struct conn_req *cr, struct MHD_Response *r)
{
	bool ok = MHD_add_response_header(r, "X-Request-Id", cr->req.request_id) == MHD_YES;
	if (ok && atomic_load(&cr->srv->stopping))
		ok = MHD_add_response_header(r, "Connection", "close") == MHD_YES;
	return ok;
}

static enum MHD_Result queue_mhd(struct conn_req *cr, unsigned status, struct MHD_Response *r,
                                 size_t body_len)
{
	enum MHD_Result ret = MHD_queue_response(cr->conn, status, r);
	MHD_destroy_response(r);
	cr->phase = PH_ANSWERED;
	cr->status = status;
	cr->bytes = cr->req.method == QOC_HTTP_HEAD ? 0 : body_len;
	return ret;
}

/* Last resort when even the arena is exhausted: a constant problem document. */
static enum MHD_Result queue_static(struct conn_req *cr, unsigned status)
{
	static const char body503[] =
	    "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503}";
	static const char body500[] =
	    "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500}";
	const char *body = status == 503 ? body503 : body500;
	size_t len = status == 503 ? sizeof(body503) - 1 : sizeof(body500) - 1;
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	if (!add_std_headers(cr, r) ||
	    MHD_add_response_header(r, "Content-Type", "application/problem+json") != MHD_YES ||
	    (status == 503 && MHD_add_response_header(r, "Retry-After", "1") != MHD_YES)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	return queue_mhd(cr, status, r, len);
}

/* Sends cr->resp; its body buffer moves to libmicrohttpd without a copy. */
static enum MHD_Result queue_resp(struct conn_req *cr)
{
	struct qoc_http_resp *resp = &cr->resp;
	size_t len = resp->body.len;
	struct MHD_Response *r =
	    len ? MHD_create_response_from_buffer_with_free_callback(len, resp->body.data,
	                                                             wipe_free)
	        : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r)
		return queue_static(cr, 503);
	if (len)
		qoc_buf_init(&resp->body, resp->body.max); /* ownership moved */
	bool ok = add_std_headers(cr, r);
	if (ok && resp->content_type)
		ok = MHD_add_response_header(r, "Content-Type", resp->content_type) == MHD_YES;
	for (const struct qoc_http_resp_header *h = resp->headers; ok && h; h = h->next)
		ok = MHD_add_response_header(r, h->name, h->value) == MHD_YES;
	if (!ok) {
		MHD_destroy_response(r);
		return queue_static(cr, 503);
	}
	return queue_mhd(cr, resp->status, r, len);
}

/* Replaces whatever a handler left in resp by a problem document. */
static enum MHD_Result answer_problem(struct conn_req *cr, unsigned status, const char *detail,
                                      const char *allow)
{
	qoc_http_resp_release(&cr->resp);
	qoc_http_resp_init(&cr->resp, &cr->arena, cr->srv->opts.max_response_bytes);
	enum qoc_err err = qoc_http_resp_problem(&cr->resp, status, NULL, detail);
	if (!err && allow)
		err = qoc_http_resp_header(&cr->resp, "Allow", allow);
	if (!err && status == 503)
		err = qoc_http_resp_header(&cr->resp, "Retry-After", "1");
	if (err)
		return queue_static(cr, status == 500 ? 500 : 503);
	return queue_resp(cr);
}

/* ---- handler and offload ---- */

static enum MHD_Result run_handler(struct conn_req *cr);

static void offload_done(struct qoc_offload_job *job)
{
	struct conn_req *cr =
	    (struct conn_req *)(void *)((char *)job - offsetof(struct conn_req, job));
	MHD_resume_connection(cr->conn); /* cr may be gone once this returns */
}

/* Suspends the connection and queues job on pool; 503 when its queue is full. */
static enum MHD_Result suspend_into(struct conn_req *cr, struct qoc_offload_pool *pool,
                                    qoc_http_work_fn *work, void *arg)
{
	struct qoc_http_server *srv = cr->srv;
	if (!qoc_offload_pool_reserve(pool))
		return answer_problem(cr, 503, "server busy, retry later", NULL);
	cr->job = (struct qoc_offload_job){
	    .work = work, .arg = arg, .done = offload_done, .request_id = cr->req.request_id};
	cr->phase = PH_OFFLOADED;
	atomic_fetch_add(&srv->suspended, 1);
	MHD_suspend_connection(cr->conn);
	qoc_offload_pool_push(pool, &cr->job); /* may resume at once when stopping */
	return MHD_YES;
}

static enum MHD_Result start_offload(struct conn_req *cr)
{
	struct qoc_http_server *srv = cr->srv;
	struct qoc_offload_pool *pool = cr->req.offload.wait ? &srv->wait_pool : &srv->pool;
	cr->on_wait_pool = false;
	return suspend_into(cr, pool, cr->req.offload.work, cr->req.offload.arg);
}

/* A QOC_ROUTE_WAITS handler, on a wait pool thread: the connection is suspended, so this
 * thread owns req and resp until offload_done resumes it. */
static void handler_work(void *arg)
{
	struct conn_req *cr = arg;
	cr->handler_err = cr->match.handler(&cr->req, &cr->resp, cr->match.ctx);
}

static enum MHD_Result handler_outcome(struct conn_req *cr, enum qoc_err err);

static enum MHD_Result resumed_call(struct conn_req *cr)
{
	atomic_fetch_sub(&cr->srv->suspended, 1);
	cr->phase = PH_BODY;
	if (cr->job.cancelled)
		return answer_problem(cr, 503, "server stopping", NULL);
	if (cr->on_wait_pool) { /* the handler ran there: its outcome, here */
		qoc_log_set_request_id(cr->req.request_id);
		enum MHD_Result ret = handler_outcome(cr, cr->handler_err);
		qoc_log_set_request_id(NULL);
		return ret;
	}
	cr->req.resumed = true;
	return run_handler(cr);
}

/* Turns the handler's result into a response, an offload or an error answer. */
static enum MHD_Result handler_outcome(struct conn_req *cr, enum qoc_err err)
{
	struct qoc_http_req *req = &cr->req;
	if (err == QOC_EPENDING && req->offload.work)
		return start_offload(cr);
	if (err == QOC_ENOMEM)
		return answer_problem(cr, 503, NULL, NULL);
	/* A store that could not answer in time (no connection, the database restarting)
	 * and a handler that left it to us: 503 with Retry-After, not 500. */
	if (err == QOC_EBUSY && cr->resp.status == 0)
		return answer_problem(cr, 503, "the store is busy, retry later", NULL);
	if (err == QOC_EPENDING) {
		qoc_log_error("handler returned pending without an offload", "route=%s",
		              cr->match.pattern);
		return answer_problem(cr, 500, NULL, NULL);
	}
	if (err)
		qoc_log_warn("handler failed", "route=%s err=\"%s\"", cr->match.pattern,
		             qoc_strerror(err));
	if (cr->resp.status == 0) {
		if (!err)
			qoc_log_error("handler set no response", "route=%s", cr->match.pattern);
		return answer_problem(cr, 500, NULL, NULL);
	}
	return queue_resp(cr);
}

static enum MHD_Result run_handler(struct conn_req *cr)
{
	struct qoc_http_req *req = &cr->req;
	req->offload.work = NULL; /* arg stays: the resumed call reads it */
	if (cr->match.flags & QOC_ROUTE_WAITS) {
		cr->on_wait_pool = true;
		return suspend_into(cr, &cr->srv->wait_pool, handler_work, cr);
	}
	/* The id goes on log lines of the handler and of the outcome below. */
	qoc_log_set_request_id(req->request_id);
	enum MHD_Result ret = handler_outcome(cr, cr->match.handler(req, &cr->resp, cr->match.ctx));
	qoc_log_set_request_id(NULL);
	return ret;
}

/* ---- the access handler's phases ---- */

struct header_scan {
	struct qoc_http_header_field *fields;
	size_t count;
	size_t cap;
	size_t bytes;
	const char *cursor; /* end of the previous line's text in the raw head; NULL: unknown */
	const char *end;    /* end of the raw head */
	bool malformed;
};

/* What libmicrohttpd 0.9.75 spends per header field or cookie in its connection pool (a
 * 56-byte record, aligned), charged against max_header_bytes: many small fields then hit
 * our 431, with room left in the pool for the answer, before they exhaust the pool (where
 * libmicrohttpd closes the connection without answering). */
#define FIELD_OVERHEAD 64

/* RFC 9110 §5.1: a field name is a token; §5.5: a value holds no control byte but HTAB.
 * libmicrohttpd 0.9.75 lets "Name :" and some control bytes through; refusing them keeps
 * us from reading a request differently from a proxy in front (request smuggling). */
static bool field_ok(const char *key, size_t key_size, const char *value, size_t value_size)
{
	if (!qoc_http_token(key, key_size))
		return false;
	for (size_t i = 0; i < value_size; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* True when [p, p + n) lies inside [h->cursor, h->end). */
static bool in_head(const struct header_scan *h, const char *p, size_t n)
{
	return p >= h->cursor && p <= h->end && n <= (size_t)(h->end - p);
}

/* libmicrohttpd 0.9.75 parses the head in place (each CR and LF of a line end becomes a
 * NUL, so does the colon) but hands over every name and value cut at its first NUL
 * (strlen), so "Authorization: Bearer <token>\0junk" arrives as "Bearer <token>". The
 * bytes between what it handed over must therefore be exactly what the parser wrote:
 * "\0\0" for the CRLF before a field, "\0" plus optional SP / HTAB between name and value
 * (RFC 9112 §5.1). Anything else is a NUL inside a field (RFC 9110 §5.5), a bare LF line
 * end or an obsolete line folding (RFC 9112 §2.2, §5.2): 400. */
static bool raw_field_ok(struct header_scan *h, const char *key, size_t key_size, const char *value,
                         size_t value_size)
{
	if (!h->cursor)
		return true;
	if (!in_head(h, key, key_size) || key - h->cursor != 2 || h->cursor[0] || h->cursor[1])
		return false;
	h->cursor = key + key_size;
	if (!in_head(h, value, value_size) || value == h->cursor || h->cursor[0])
		return false;
	for (const char *p = h->cursor + 1; p < value; p++)
		if (*p != ' ' && *p != '\t')
			return false;
	h->cursor = value + value_size;
	return true;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size)
{
	struct header_scan *h = cls;
	(void)kind;
	h->bytes += key_size + value_size + 4 + FIELD_OVERHEAD; /* "name: value\r\n" */
	if (!field_ok(key, key_size, value ? value : "", value ? value_size : 0) ||
	    !raw_field_ok(h, key, key_size, value ? value : "", value ? value_size : 0))
		h->malformed = true;
	if (h->count < h->cap) {
		h->fields[h->count].name = key;
		h->fields[h->count].value = value ? value : "";
		h->count++;
	}
	return MHD_YES;
}

/* Where the raw head is, from the in-place request line (method .. version) and
 * libmicrohttpd's count of the head's bytes. */
static void locate_head(struct conn_req *cr, const char *method, const char *version,
                        struct header_scan *h)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(cr->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	if (!ci || !method || !version || version <= method)
		return;
	h->end = method + ci->header_size;
	size_t vlen = strlen(version);
	if (version + vlen > h->end)
		return;
	h->cursor = version + vlen;
}

/* Fills req->headers. QOC_ELIMIT over max_header_bytes, QOC_EINVAL for a malformed field
 * or head, QOC_ENOMEM. */
static enum qoc_err collect_headers(struct conn_req *cr, const char *method, const char *version)
{
	struct header_scan h = {0};
	locate_head(cr, method, version, &h);
	int n = MHD_get_connection_values(cr->conn, MHD_HEADER_KIND, NULL, NULL);
	if (n > 0) {
		h.cap = (size_t)n;
		h.fields = qoc_arena_alloc(&cr->arena, h.cap * sizeof(*h.fields));
		if (!h.fields)
			return QOC_ENOMEM;
		MHD_get_connection_values_n(cr->conn, MHD_HEADER_KIND, collect_header, &h);
	}
	/* The cookies libmicrohttpd split out of the Cookie field: a record each. */
	int cookies = MHD_get_connection_values(cr->conn, MHD_COOKIE_KIND, NULL, NULL);
	if (cookies > 0)
		h.bytes += (size_t)cookies * FIELD_OVERHEAD;
	if (h.bytes > cr->srv->opts.max_header_bytes)
		return QOC_ELIMIT;
	/* After the last field: its CRLF and the empty line's. */
	if (h.cursor && (h.end - h.cursor != 4 || memcmp(h.cursor, "\0\0\0\0", 4) != 0))
		h.malformed = true;
	if (h.malformed)
		return QOC_EINVAL;
	cr->req.headers = h.fields;
	cr->req.header_count = h.count;
	return QOC_OK;
}

/* True when a Content-Length is present and larger than max. */
static bool content_length_over(const struct qoc_http_req *req, size_t max)
{
	const char *cl = qoc_http_header(req, "Content-Length");
	if (!cl)
		return false;
	size_t v = 0;
	for (const char *p = cl; *p; p++) {
		if (*p < '0' || *p > '9')
			return false; /* libmicrohttpd refuses malformed lengths itself */
		size_t d = (size_t)(*p - '0');
		if (v > max / 10 || (v == max / 10 && d > max % 10))
			return true; /* v * 10 + d > max, without overflowing */
		v = v * 10 + d;
	}
	return false;
}

/* Compares the n bytes at a with the lower-case ASCII text lc, ignoring case. */
static bool equal_lc(const char *a, size_t n, const char *lc)
{
	size_t i = 0;
	for (; i < n && lc[i]; i++)
		if ((a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]) != lc[i])
			return false;
	return i == n && !lc[i];
}

static bool name_is(const char *name, const char *lc)
{
	return equal_lc(name, strlen(name), lc);
}

/* Calls each comma-separated member of a list value (RFC 9110 §5.6.1), OWS trimmed;
 * false as soon as fn does. */
static bool each_member(const char *v, bool (*fn)(const char *m, size_t n, void *arg), void *arg)
{
	for (;;) {
		while (*v == ' ' || *v == '\t')
			v++;
		size_t n = strcspn(v, ",");
		size_t t = n;
		while (t > 0 && (v[t - 1] == ' ' || v[t - 1] == '\t'))
			t--;
		if (!fn(v, t, arg))
			return false;
		if (!v[n])
			return true;
		v += n + 1;
	}
}

struct length_scan {
	const char *first; /* the first member seen */
	size_t first_len;
};

/* Every Content-Length member must be the same run of digits. */
static bool length_member(const char *m, size_t n, void *arg)
{
	struct length_scan *ls = arg;
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++)
		if (m[i] < '0' || m[i] > '9')
			return false;
	if (!ls->first) {
		ls->first = m;
		ls->first_len = n;
		return true;
	}
	return n == ls->first_len && memcmp(m, ls->first, n) == 0;
}

struct coding_scan {
	size_t count;
	bool last_chunked;
};

static bool coding_member(const char *m, size_t n, void *arg)
{
	struct coding_scan *cs = arg;
	cs->count++;
	cs->last_chunked = equal_lc(m, n, "chunked");
	return true;
}

/* RFC 9112 §6.1, §6.3: how the body is framed must be unambiguous, or a proxy in front
 * and we could split the bytes into requests differently (request smuggling).
 * 0 when fine, else the status to refuse with (then the connection closes):
 *   Content-Length fields or members that disagree                       -> 400
 *   Transfer-Encoding together with Content-Length, or in an HTTP/1.0
 *   request, or whose final coding is not chunked                         -> 400
 *   Transfer-Encoding with any coding besides chunked (we decode none)    -> 501 */
static unsigned framing_refusal(const struct qoc_http_req *req, const char *version)
{
	struct length_scan ls = {0};
	struct coding_scan cs = {0};
	bool has_length = false;
	for (size_t i = 0; i < req->header_count; i++) {
		const struct qoc_http_header_field *f = &req->headers[i];
		if (name_is(f->name, "content-length")) {
			has_length = true;
			if (!each_member(f->value, length_member, &ls))
				return 400;
		} else if (name_is(f->name, "transfer-encoding")) {
			each_member(f->value, coding_member, &cs);
		}
	}
	if (!cs.count)
		return 0;
	if (has_length || !cs.last_chunked || (version && strcmp(version, "HTTP/1.1") != 0))
		return 400;
	return cs.count == 1 ? 0 : 501;
}

static enum MHD_Result first_call(struct conn_req *cr, const char *method, const char *version)
{
	struct qoc_http_server *srv = cr->srv;
	struct qoc_http_req *req = &cr->req;
	char id[QOC_HTTP_REQUEST_ID_LEN + 1];
	memcpy(id, req->request_id, sizeof(id));
	qoc_http_req_init(req, &cr->arena);
	memcpy(req->request_id, id, sizeof(id));
	req->method = qoc_http_method_parse(method);
	req->method_str = method;
	req->max_form_fields = srv->opts.max_form_fields;
	if (cr->rec)
		qoc_conn_rec_head_done(cr->rec);
	peer_text(cr->conn, req->remote_addr, sizeof(req->remote_addr));
	cr->phase = PH_BODY;
	if (cr->uri_len > srv->opts.max_uri_bytes)
		return answer_problem(cr, 414, "request URI too long", NULL);
	if (!cr->uri)
		return answer_problem(cr, 503, NULL, NULL);
	char *q = memchr(cr->uri, '?', cr->uri_len);
	if (q) {
		*q = '\0';
		req->query = q + 1;
	}
	req->path = cr->uri;
	enum qoc_err err = collect_headers(cr, method, version);
	if (err == QOC_ELIMIT)
		return answer_problem(cr, 431, "request header fields too large", NULL);
	if (err == QOC_EINVAL)
		return answer_problem(cr, 400, "malformed header field", NULL);
	if (err)
		return answer_problem(cr, 503, NULL, NULL);
	unsigned refusal = framing_refusal(req, version);
	if (refusal == 501)
		return answer_problem(cr, 501, "transfer coding not implemented (only chunked)",
		                      NULL);
	if (refusal)
		return answer_problem(cr, 400,
		                      "ambiguous message framing (Content-Length / "
		                      "Transfer-Encoding)",
		                      NULL);
	if (content_length_over(req, srv->opts.max_body_bytes))
		return answer_problem(cr, 413, "request body too large", NULL);
	return MHD_YES;
}

static enum MHD_Result body_call(struct conn_req *cr, const char *data, size_t *size)
{
	size_t n = *size;
	*size = 0;
	if (!cr->body_too_large && !cr->body_oom) {
		enum qoc_err err = qoc_buf_append(&cr->body, data, n);
		if (err == QOC_ELIMIT)
			cr->body_too_large = true;
		else if (err)
			cr->body_oom = true;
		if (err)
			qoc_buf_release_secret(&cr->body);
	}
	if (cr->body_too_large || cr->body_oom) {
		/* libmicrohttpd 0.9.75 cannot answer while a body is arriving: read on, up to a
		 * point, so the client still gets its 413. */
		size_t max = cr->srv->opts.max_body_bytes;
		cr->drained += n;
		if (cr->drained > (max > MIB ? max : MIB))
			return MHD_NO;
	}
	return MHD_YES;
}

static enum MHD_Result final_call(struct conn_req *cr)
{
	struct qoc_http_req *req = &cr->req;
	if (cr->body_too_large)
		return answer_problem(cr, 413, "request body too large", NULL);
	if (cr->body_oom)
		return answer_problem(cr, 503, NULL, NULL);
	req->body = qoc_buf_str(&cr->body);
	if (qoc_router_dispatch(cr->srv->router, req->method, req->path, &cr->arena, &cr->match))
		return answer_problem(cr, 503, NULL, NULL);
	switch (cr->match.status) {
	case QOC_ROUTE_NOT_FOUND:
		return answer_problem(cr, 404, NULL, NULL);
	case QOC_ROUTE_METHOD_NOT_ALLOWED:
		return answer_problem(cr, 405, NULL, cr->match.allow);
	case QOC_ROUTE_FOUND:
		break;
	}
	req->params = cr->match.params;
	req->param_count = cr->match.param_count;
	req->route = cr->match.pattern;
	return run_handler(cr);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
	struct conn_req *cr = *req_cls;
	enum MHD_Result ret = MHD_NO;
	(void)cls, (void)conn, (void)url;
	if (!cr)
		return MHD_NO; /* on_uri could not allocate: drop the connection */
	switch (cr->phase) {
	case PH_NEW:
		ret = first_call(cr, method, version);
		break;
	case PH_BODY:
		ret = *upload_data_size ? body_call(cr, upload_data, upload_data_size)
		                        : final_call(cr);
		break;
	case PH_OFFLOADED:
		ret = resumed_call(cr);
		break;
	case PH_ANSWERED:
		break;
	}
	return ret;
}

/* ---- request begin / end ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct qoc_http_server *srv = cls;
	/* malloc + memset, not calloc: glibc's calloc skips the thread cache (measured). */
	struct conn_req *cr = malloc(sizeof(*cr));
	if (!cr)
		return NULL;
	memset(cr, 0, sizeof(*cr));
	cr->srv = srv;
	cr->conn = conn;
	cr->start_ns = qoc_monotonic_ns();
	qoc_arena_init(&cr->arena, srv->opts.arena_budget);
	qoc_buf_init(&cr->body, srv->opts.max_body_bytes);
	qoc_http_resp_init(&cr->resp, &cr->arena, srv->opts.max_response_bytes);
	make_request_id(cr->req.request_id);
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	cr->rec = ci ? ci->socket_context : NULL;
	cr->uri_len = strlen(uri);
	if (cr->uri_len <= srv->opts.max_uri_bytes)
		cr->uri = qoc_arena_strndup(&cr->arena, uri, cr->uri_len);
	atomic_fetch_add(&srv->active, 1);
	return cr;
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return NULL;
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "shutdown";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client_abort";
	default:
		return "error";
	}
}

static void log_access(struct conn_req *cr, enum MHD_RequestTerminationCode toe)
{
	char path[256], qpath[300];
	const char *uri = cr->uri ? cr->uri : "-";
	size_t n = strcspn(uri, "?"); /* the query never reaches the log */
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	memcpy(path, uri, n);
	path[n] = '\0';
	/* The method's name from our table: libmicrohttpd's copy may be gone by now, and an
	 * unknown method token is the client's text. */
	const char *method = cr->phase == PH_NEW ? "-" : qoc_http_method_name(cr->req.method);
	const char *term = termination_name(toe);
	/* Whole microseconds, printed as milliseconds: cheaper than %f on every request. */
	unsigned long long us = (qoc_monotonic_ns() - cr->start_ns) / 1000u;
	qoc_log_set_request_id(cr->req.request_id);
	qoc_log_info("http", "method=%s path=%s status=%u bytes=%zu dur_ms=%llu.%03llu%s%s", method,
	             qoc_log_quote(qpath, sizeof(qpath), path), cr->status, cr->bytes, us / 1000u,
	             us % 1000u, term ? " term=" : "", term ? term : "");
	qoc_log_set_request_id(NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct qoc_http_server *srv = cls;
	struct conn_req *cr = *req_cls;
	(void)conn;
	if (!cr)
		return;
	*req_cls = NULL;
	if (cr->phase == PH_OFFLOADED) /* resumed, then closed before the handler ran again */
		atomic_fetch_sub(&srv->suspended, 1);
	if (cr->rec)
		qoc_conn_guard_head_next(srv->guard, cr->rec); /* the next request's head */
	if (srv->opts.access_log)
		log_access(cr, toe);
	if (!srv->opts.no_metrics)
		qoc_metrics_http_request(cr->match.route_id, cr->status,
		                         qoc_monotonic_ns() - cr->start_ns);
	qoc_http_resp_release(&cr->resp);
	qoc_buf_release_secret(&cr->body);
	qoc_arena_release(&cr->arena);
	free(cr);
	atomic_fetch_sub(&srv->active, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char text[512], quoted[600];
	(void)cls;
	vsnprintf(text, sizeof(text), fmt, ap);
	/* Mostly refused client requests (also logged as access lines): info, not warn. */
	qoc_log_info("libmicrohttpd", "detail=%s", qoc_log_quote(quoted, sizeof(quoted), text));
}

/* We route on the raw target and decode ourselves: tell libmicrohttpd not to unescape. */
static size_t keep_escapes(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls, (void)conn;
	return strlen(s);
}

/* ---- connections ---- */

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct qoc_http_server *srv = cls;
	(void)addrlen;
	return qoc_conn_guard_admit(srv->guard, addr) ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct qoc_http_server *srv = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		*socket_context = fd ? qoc_conn_guard_open(srv->guard, fd->connect_fd,
		                                           ad ? ad->client_addr : NULL)
		                     : NULL;
		if (!srv->opts.no_metrics)
			qoc_metrics_connection(1);
		if (srv->opts.tls && qoc_tls_conn_open(srv->opts.tls, conn) != QOC_OK)
			qoc_log_warn("tls connection refused", "error=\"%s\"", "out of memory");
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		qoc_conn_guard_close(srv->guard, *socket_context);
		*socket_context = NULL;
		if (!srv->opts.no_metrics)
			qoc_metrics_connection(-1);
		if (srv->opts.tls)
			qoc_tls_conn_close(conn); /* GnuTLS's session is gone by now */
	}
}

/* ---- start / stop ---- */

static enum qoc_err start_daemon(struct qoc_http_server *srv, int *sys_errno)
{
	const struct qoc_http_options *o = &srv->opts;
	/* Room for a request at our header and URI limits plus 16 KiB for libmicrohttpd's own
	 * bookkeeping (about 48 bytes per header field, the response head), so our limits trip
	 * first. No more: libmicrohttpd zeroes the whole pool for every request, so each KiB
	 * here is paid on every request (see docs/http.md). */
	size_t mem = o->max_header_bytes + o->max_uri_bytes + 16 * KIB;
	if (mem < 32 * KIB)
		mem = 32 * KIB;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	/* HTTPS: the certificate callback and priority string of http/tls.c. */
	struct MHD_OptionItem tls_opts[3] = {{MHD_OPTION_END, 0, NULL}};
	if (o->tls) {
		flags |= MHD_USE_TLS;
		qoc_tls_daemon_options(tls_opts);
	}
	/* libmicrohttpd 0.9.75 closes the socket it was given on some failure paths and not
	 * on others. It gets a duplicate: we never close that one after a failure (its number
	 * may be reused already); at worst a failed start leaks one descriptor. */
	int mhd_fd = fcntl(srv->listen_fd, F_DUPFD_CLOEXEC, 0);
	if (mhd_fd < 0) {
		*sys_errno = errno;
		return QOC_EIO;
	}
	errno = 0;
	/* clang-format off */
	srv->daemon = MHD_start_daemon(flags, 0, on_accept, srv, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)mhd_fd,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->connection_timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)o->max_connections,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
		MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
		MHD_OPTION_ARRAY, tls_opts,
		/* Last: with one thread, end the list here (a pool of 1 draws a warning). */
		o->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
		(unsigned int)o->threads,
		MHD_OPTION_END);
	/* clang-format on */
	if (!srv->daemon) {
		*sys_errno = errno ? errno : EIO;
		qoc_log_error("cannot start libmicrohttpd", "error=\"%s\"", strerror(*sys_errno));
		return QOC_EIO;
	}
	/* Only the daemon's copy may stay open, or the port would outlive MHD_quiesce_daemon. */
	close(srv->listen_fd);
	srv->listen_fd = -1;
	return QOC_OK;
}

enum qoc_err qoc_http_server_start(const struct qoc_http_options *opts, struct qoc_router *router,
                                   struct qoc_http_server **out)
{
	enum qoc_err err = QOC_OK;
	int sys_errno = EINVAL;
	unsigned pools_started = 0;
	*out = NULL;
	if (!opts || !router || opts->port == 0) {
		errno = EINVAL;
		return QOC_EINVAL;
	}
	if (opts->tls && !qoc_tls_supported()) {
		errno = ENOTSUP;
		return QOC_EINVAL;
	}
	struct qoc_http_server *srv = calloc(1, sizeof(*srv));
	if (!srv) {
		errno = ENOMEM;
		return QOC_ENOMEM;
	}
	srv->listen_fd = -1;
	srv->router = router;
	srv->opts = *opts;
	fill_defaults(&srv->opts);
	err = qoc_http_listen(srv->opts.address, srv->opts.port, &srv->listen_fd, &sys_errno);
	if (err)
		goto out;
	srv->port = srv->opts.port;
	err =
	    qoc_offload_pool_start(&srv->pool, srv->opts.offload_threads, srv->opts.offload_queue);
	if (!err) {
		pools_started = 1;
		err = qoc_offload_pool_start(&srv->wait_pool, srv->opts.wait_threads,
		                             srv->opts.wait_queue);
	}
	if (err) {
		sys_errno = err == QOC_ENOMEM ? ENOMEM : EAGAIN;
		goto out;
	}
	pools_started = 2;
	struct qoc_cidr_list proxies;
	if (qoc_cidr_list_parse(srv->opts.trusted_proxies, &proxies) != QOC_OK) {
		err = QOC_EINVAL;
		sys_errno = EINVAL;
		goto out;
	}
	struct qoc_conn_guard_opts go = {
	    .capacity = srv->opts.max_connections,
	    .per_address = srv->opts.max_connections_per_address,
	    .per_proxy = srv->opts.max_connections_per_proxy,
	    .head_timeout_s = srv->opts.request_head_timeout_s,
	    .proxies = &proxies,
	};
	err = qoc_conn_guard_start(&go, &srv->guard);
	if (err) {
		sys_errno = err == QOC_ENOMEM ? ENOMEM : EAGAIN;
		goto out;
	}
	err = start_daemon(srv, &sys_errno);
	if (err)
		goto out;
	*out = srv;
	srv = NULL;
out:
	if (srv) {
		if (pools_started > 1) {
			qoc_offload_pool_stop(&srv->wait_pool);
			qoc_offload_pool_release(&srv->wait_pool);
		}
		if (pools_started > 0) {
			qoc_offload_pool_stop(&srv->pool);
			qoc_offload_pool_release(&srv->pool);
		}
		if (srv->listen_fd >= 0)
			close(srv->listen_fd);
		qoc_conn_guard_free(srv->guard);
		free(srv);
	}
	if (err)
		errno = sys_errno;
	return err;
}

uint16_t qoc_http_server_port(const struct qoc_http_server *srv)
{
	return srv->port;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

void qoc_http_server_stop(struct qoc_http_server *srv, unsigned timeout_ms)
{
	if (!srv)
		return;
	atomic_store(&srv->stopping, true);
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
	/* Quiescing only stops polling the socket: the kernel would go on completing
	 * handshakes that nobody accepts. Shutting the listener down makes new connections
	 * fail at once (Linux: the socket leaves LISTEN); it is closed after the daemon. */
	if (fd != MHD_INVALID_SOCKET)
		shutdown(fd, SHUT_RDWR);
	uint64_t deadline = qoc_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
	while (atomic_load(&srv->active) > 0 && qoc_monotonic_ns() < deadline)
		sleep_ms(2);
	/* Queued jobs are cancelled, running ones finish; each resumes its connection. */
	qoc_offload_pool_stop(&srv->wait_pool);
	qoc_offload_pool_stop(&srv->pool);
	/* libmicrohttpd 0.9.75 aborts in MHD_stop_daemon while a connection is suspended:
	 * wait until every resumed connection has been taken back by its thread. */
	while (atomic_load(&srv->suspended) > 0)
		sleep_ms(1);
	/* Those resumed requests now have answers (a result or a 503) on their way out: give
	 * them a moment to be written before the connections close. */
	uint64_t flush = qoc_monotonic_ns() + FLUSH_NS;
	if (flush < deadline)
		flush = deadline;
	while (atomic_load(&srv->active) > 0 && qoc_monotonic_ns() < flush)
		sleep_ms(1);
	qoc_conn_guard_stop_reaper(srv->guard); /* no shutdown(2) of a closing daemon's fds */
	MHD_stop_daemon(srv->daemon);
	qoc_conn_guard_free(srv->guard);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	qoc_offload_pool_release(&srv->wait_pool);
	qoc_offload_pool_release(&srv->pool);
	free(srv);
}
