/* http_client.h - a raw-socket HTTP/1.1 client for tests that drive a real server.
 *
 * Deliberately dumb: it writes exactly the bytes a test gives it and parses responses
 * with Content-Length bodies (what the QOC server sends), so tests can send malformed,
 * oversized or pipelined requests that a real client library would refuse to produce.
 */
#ifndef QOC_TEST_HTTP_CLIENT_H
#define QOC_TEST_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_conn {
	int fd;
	char buf[1 << 16]; /* bytes read but not yet consumed */
	size_t len;
};

struct test_resp {
	int status;       /* 0 when no response could be read */
	char head[16384]; /* status line and headers, NUL-terminated */
	char *body;       /* malloc'd, NUL-terminated; free with test_resp_free */
	size_t body_len;
};

/* A port that was free a moment ago (bind port 0, read it, close). */
uint16_t test_free_port(void);
/* Connects to 127.0.0.1:port with a 10 s receive timeout. false on failure. */
bool test_connect(struct test_conn *c, uint16_t port);
void test_close(struct test_conn *c);
/* Writes all bytes (MSG_NOSIGNAL); false when the peer closed or failed. */
bool test_send(struct test_conn *c, const void *data, size_t len);
bool test_send_str(struct test_conn *c, const char *s);
/* Reads one response; head_only for answers to HEAD. false when none could be read. */
bool test_read(struct test_conn *c, struct test_resp *r, bool head_only);
/* True when the server has closed the connection (reads EOF within timeout_ms). */
bool test_peer_closed(struct test_conn *c, int timeout_ms);
/* The value of header `name` (case-insensitive) copied into out, or NULL. */
const char *test_header(const struct test_resp *r, const char *name, char *out, size_t size);
void test_resp_free(struct test_resp *r);
/* One request on a fresh connection: connect, send, read, close. */
bool test_request(uint16_t port, const char *raw, struct test_resp *r, bool head_only);

#endif
