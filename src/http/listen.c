/* listen.c - the server's listening socket. See listen.h. */
#include "http/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

static enum qoc_err parse_address(const char *address, uint16_t port, struct sockaddr_storage *ss,
                                  socklen_t *len)
{
	char host[64];
	size_t n = strlen(address);
	memset(ss, 0, sizeof(*ss));
	if (n >= 2 && address[0] == '[' && address[n - 1] == ']') {
		address++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return QOC_EINVAL;
	memcpy(host, address, n);
	host[n] = '\0';
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return QOC_OK;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return QOC_OK;
	}
	return QOC_EINVAL;
}

enum qoc_err qoc_http_listen(const char *address, uint16_t port, int *fd_out, int *sys_errno)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	char qaddr[160];
	*fd_out = -1;
	if (parse_address(address, port, &ss, &len)) {
		qoc_log_error("invalid listen address", "addr=%s",
		              qoc_log_quote(qaddr, sizeof(qaddr), address));
		*sys_errno = EINVAL;
		return QOC_EINVAL;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0)
		goto fail;
	*fd_out = fd;
	return QOC_OK;
fail:
	*sys_errno = errno;
	if (fd >= 0)
		close(fd);
	qoc_log_error("cannot listen", "addr=%s port=%u error=\"%s\"",
	              qoc_log_quote(qaddr, sizeof(qaddr), address), (unsigned)port,
	              strerror(*sys_errno));
	return QOC_EIO;
}
