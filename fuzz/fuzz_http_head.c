/* fuzz_http_head.c - libFuzzer target for the request head as the real server reads it:
 * src/http/server.c's framing rules (RFC 9112 §6.1, §6.3: Content-Length /
 * Transfer-Encoding), its check of the raw head for NUL, CR and bare LF inside fields
 * (RFC 9110 §5.5) and the header limits, all on top of libmicrohttpd's parser.
 *
 * The server runs in this process on 127.0.0.1 (one connection thread) with a route that
 * echoes nothing secret; each input is written on a new connection, which is then
 * half-closed and read until the server closes it (200 ms at most). Besides memory and UB
 * errors it checks:
 *   - a head holding a NUL byte before its end never reaches the handler (no 200);
 *   - every answer starts with an HTTP/1.1 status line.
 * Seeds: fuzz/corpus/http_head/ (smuggling, NUL, cookies, chunked). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "http/router.h"
#include "http/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

#define MAX_INPUT 32768

static struct qoc_http_server *srv;
static struct qoc_router *router;

static enum qoc_err ok_handler(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req, (void)ctx;
	return qoc_http_resp_body(resp, 200, "text/plain", "ok", 2);
}

static void start(void)
{
	router = qoc_router_new();
	CHECK(router);
	CHECK(qoc_router_add(router, "GET", "/", ok_handler, NULL) == QOC_OK);
	CHECK(qoc_router_add(router, "POST", "/", ok_handler, NULL) == QOC_OK);
	struct qoc_http_options o = {.port = 0,
	                             .threads = 1,
	                             .offload_threads = 1,
	                             .wait_threads = 1,
	                             .connection_timeout_s = 1,
	                             .max_connections = 64};
	/* Port 0 is refused: try a few fixed ones. */
	for (uint16_t port = 39131; !srv && port < 39231; port++) {
		o.port = port;
		if (qoc_http_server_start(&o, router, &srv) != QOC_OK)
			srv = NULL;
	}
	CHECK(srv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!srv)
		start();
	if (size > MAX_INPUT)
		return 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons(qoc_http_server_port(srv))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	size_t off = 0;
	while (off < size) {
		ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server refused and closed early */
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	char buf[4096];
	size_t got = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (got < sizeof(buf) - 1 && poll(&p, 1, 200) == 1) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	if (got)
		CHECK(got >= 12 && memcmp(buf, "HTTP/1.1 ", 9) == 0);
	/* A NUL inside the first head (before its CRLFCRLF) must not reach the handler. */
	const uint8_t *end = NULL;
	for (size_t i = 0; i + 3 < size && !end; i++)
		if (!memcmp(data + i, "\r\n\r\n", 4))
			end = data + i;
	if (end && memchr(data, 0, (size_t)(end - data)) && got >= 12)
		CHECK(memcmp(buf + 9, "200", 3) != 0);
	return 0;
}
