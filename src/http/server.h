/* server.h - the HTTP/1.1 server: libmicrohttpd underneath, qoc handlers on top.
 *
 * One internal epoll thread pool serves connections (keep-alive included); each request
 * gets an arena, a request id and a bounded body, is routed by a struct qoc_router and
 * answered from the handler's struct qoc_http_resp. Slow CPU work goes to a separate
 * bounded pool through qoc_http_offload (http.h), so a 10 ms argon2id never holds a
 * connection thread.
 *
 * Limits, each a 4xx with an application/problem+json body and a closed connection:
 *   request URI longer than max_uri_bytes                  -> 414
 *   header fields larger than max_header_bytes in total    -> 431
 *   body larger than max_body_bytes, by Content-Length     -> 413 (before reading it)
 *   ... or while receiving a chunked body                  -> 413 (after draining up to
 *       max(max_body_bytes, 1 MiB) more; past that the connection is just closed)
 * libmicrohttpd's own per-connection memory limit is set 16 KiB above these, so ours apply
 * first; requests beyond it get libmicrohttpd's own 414 / 431 (an HTML body, no
 * X-Request-Id). Idle or slow connections are closed after connection_timeout_s, a request
 * head that is not complete request_head_timeout_s after the connection opened or the
 * previous answer went out is cut, and one address holds a bounded number of connections.
 *
 * Every response carries X-Request-Id; HEAD responses carry no body. (Page security headers
 * are the handler's, with qoc_http_resp_html / qoc_http_resp_security_headers.) With access_log,
 * one logfmt line per request goes to qoc_log at info: msg=http method=GET path=/x status=200
 * bytes=12 dur_ms=0.153 req=<id> (path without the query; no header values, no query, no body).
 */
#ifndef QOC_HTTP_SERVER_H
#define QOC_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/router.h"

struct qoc_tls; /* http/tls.h */

/* Zero (or NULL) in any field picks the default in brackets. */
struct qoc_http_options {
	const char *address;      /* IPv4 or IPv6 literal, "[::1]" too ["127.0.0.1"] */
	uint16_t port;            /* required: 1..65535 (0 is refused) */
	unsigned threads;         /* connection threads [2 x online CPUs, at most 64] */
	unsigned offload_threads; /* offload pool threads [online CPUs, at most 64] */
	unsigned offload_queue;   /* offload jobs waiting at most [256]; more -> 503 */
	unsigned wait_threads;    /* wait pool threads (qoc_http_offload_wait) [32, at most 256] */
	unsigned wait_queue;      /* wait pool jobs queued at most [1024]; more -> 503 */
	unsigned connection_timeout_s; /* idle/slow connection timeout [30] */
	unsigned max_connections;      /* concurrent connections [1024] */
	size_t max_header_bytes; /* header fields: names + values + 4, + 64 per field and cookie [16
	                            KiB] */
	size_t max_uri_bytes;    /* request target, query included [8 KiB] */
	size_t max_body_bytes;   /* request body [1 MiB] */
	size_t max_response_bytes; /* response body a handler may build [16 MiB] */
	size_t max_form_fields;    /* req->max_form_fields [64] */
	size_t arena_budget;       /* per-request arena [QOC_ARENA_DEFAULT_BUDGET] */
	bool access_log;           /* one info line per request */
	/* Connection guard (docs/decisions/http-connections.md). A client address (IPv6: its
	 * /64) holds at most max_connections_per_address connections [64]; an address in
	 * trusted_proxies (comma-separated CIDRs, as core/cidr.h parses them [none]) holds at
	 * most max_connections_per_proxy [0: only max_connections]. More are closed at
	 * accept. A request head (request line and fields) must be complete within
	 * request_head_timeout_s of the connection opening or the previous answer [10],
	 * however slowly its bytes arrive; else the connection is closed. */
	unsigned max_connections_per_address;
	unsigned max_connections_per_proxy;
	unsigned request_head_timeout_s;
	const char *trusted_proxies;
	/* Not counted in the qoc_http_* metrics (core/metrics.h): the metrics listener. */
	bool no_metrics;
	/* HTTPS (http/tls.h): NULL serves plain HTTP; else TLS with tls's credentials
	 * (borrowed: it must outlive the server; reload it at any time). */
	struct qoc_tls *tls;
};

struct qoc_http_server;

/* Binds opts->address:port and starts serving router (borrowed: it must outlive the
 * server and not change meanwhile). On QOC_OK *out is the running server.
 * Errors: QOC_EINVAL (bad options: port 0, unparsable address; opts->tls with a
 * libmicrohttpd built without TLS, errno ENOTSUP); QOC_EIO when the socket
 * cannot be bound or the server cannot start, with errno set to the cause, e.g.
 * EADDRINUSE when the port is taken (also logged with the address); QOC_ENOMEM.
 * *out is NULL on error. */
enum qoc_err qoc_http_server_start(const struct qoc_http_options *opts, struct qoc_router *router,
                                   struct qoc_http_server **out);

/* The port actually bound. */
uint16_t qoc_http_server_port(const struct qoc_http_server *srv);

/* Graceful stop, then frees srv (NULL is a no-op):
 *   1. stops accepting (the listening socket closes at once) and asks keep-alive clients
 *      to close (Connection: close on further responses);
 *   2. waits up to timeout_ms for in-flight requests (offloaded ones included) to finish;
 *   3. cancels offload jobs still queued (their requests get 503), waits for running
 *      ones, gives the answers of those requests up to 1 s more to be written, and closes
 *      every remaining connection.
 * Must not be called from a handler. */
void qoc_http_server_stop(struct qoc_http_server *srv, unsigned timeout_ms);

#endif
