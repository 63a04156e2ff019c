/* listen.h - the listening socket of the HTTP server (internal to src/http/).
 *
 * The server binds and listens itself and hands the socket to libmicrohttpd, because
 * libmicrohttpd only reports "failed" where an operator needs "address already in use".
 */
#ifndef QOC_HTTP_LISTEN_H
#define QOC_HTTP_LISTEN_H

#include <stdint.h>

#include "core/err.h"

/* Opens a non-blocking, close-on-exec TCP socket listening on address:port, with
 * SO_REUSEADDR (a restart does not wait out TIME_WAIT; Linux still refuses a second
 * listener) and, for IPv6, IPV6_V6ONLY. address is an IPv4 or IPv6 literal, brackets
 * allowed ("[::1]"). On QOC_OK *fd is the socket, which the caller owns.
 * QOC_EINVAL: not an address literal. QOC_EIO: socket, bind or listen failed, *sys_errno
 * says why (EADDRINUSE, EACCES, EADDRNOTAVAIL, ...). Failures are logged. */
enum qoc_err qoc_http_listen(const char *address, uint16_t port, int *fd, int *sys_errno);

#endif
