/* http_client.c - see http_client.h. */
#define _GNU_SOURCE /* memmem */
#include "support/http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

uint16_t test_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t len = sizeof(a);
	uint16_t port = 0;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

bool test_connect(struct test_conn *c, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct timeval tv = {.tv_sec = 10};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		return false;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(c->fd);
		c->fd = -1;
		return false;
	}
	return true;
}

void test_close(struct test_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

bool test_send(struct test_conn *c, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool test_send_str(struct test_conn *c, const char *s)
{
	return test_send(c, s, strlen(s));
}

/* Reads more bytes into c->buf; false on EOF, error or timeout. */
static bool fill(struct test_conn *c)
{
	if (c->len == sizeof(c->buf))
		return false;
	ssize_t n;
	do
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	c->len += (size_t)n;
	return true;
}

static void consume(struct test_conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

const char *test_header(const struct test_resp *r, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);
	const char *line = strstr(r->head, "\r\n");
	while (line && line[2]) {
		line += 2;
		if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			while (*v == ' ')
				v++;
			size_t n = strcspn(v, "\r");
			if (n >= size)
				n = size - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
		line = strstr(line, "\r\n");
	}
	return NULL;
}

bool test_read(struct test_conn *c, struct test_resp *r, bool head_only)
{
	char *end;
	memset(r, 0, sizeof(*r));
	while (!(end = memmem(c->buf, c->len, "\r\n\r\n", 4)))
		if (!fill(c))
			return false;
	size_t head_len = (size_t)(end - c->buf) + 4;
	if (head_len >= sizeof(r->head))
		return false;
	memcpy(r->head, c->buf, head_len);
	r->head[head_len] = '\0';
	consume(c, head_len);
	if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
		return false;
	char cl[32];
	size_t want = 0;
	if (!head_only && test_header(r, "Content-Length", cl, sizeof(cl)))
		want = strtoul(cl, NULL, 10);
	r->body = calloc(1, want + 1);
	while (c->len < want && c->len < sizeof(c->buf))
		if (!fill(c))
			break;
	size_t have = c->len < want ? c->len : want;
	memcpy(r->body, c->buf, have);
	r->body_len = have;
	consume(c, have);
	return have == want;
}

bool test_peer_closed(struct test_conn *c, int timeout_ms)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	char b;
	return recv(c->fd, &b, 1, MSG_PEEK) <= 0;
}

void test_resp_free(struct test_resp *r)
{
	free(r->body);
	r->body = NULL;
}

bool test_request(uint16_t port, const char *raw, struct test_resp *r, bool head_only)
{
	static __thread struct test_conn c;
	memset(r, 0, sizeof(*r));
	if (!test_connect(&c, port))
		return false;
	/* The server may refuse early and close while we still write: read what it said. */
	(void)test_send_str(&c, raw);
	bool ok = test_read(&c, r, head_only);
	test_close(&c);
	return ok;
}
