/* client_addr.h - the client address of a request, honouring X-Forwarded-For only from
 * trusted proxies.
 *
 * The peer is the client unless it is a trusted proxy. Then X-Forwarded-For (all its
 * header lines, in order, as one list) is read from the right: each hop appended by a
 * trusted proxy is skipped, and the first address that is not a trusted proxy is the
 * client. So a client cannot forge its address by sending its own X-Forwarded-For: the
 * entries left of the first untrusted one are never read. A malformed entry stops the
 * walk at the last address known good.
 */
#ifndef QOC_ANALYTICS_CLIENT_ADDR_H
#define QOC_ANALYTICS_CLIENT_ADDR_H

#include <stddef.h>

#include "analytics/event.h"
#include "core/cidr.h"

/* Most X-Forwarded-For entries examined (a longer chain ends the walk there). */
#define QOC_AN_XFF_MAX_HOPS 32

/* peer: the socket's address as text ("" when unknown: out is ""); xff[0..n): the values
 * of every X-Forwarded-For header line, in received order. out gets the canonical text
 * form (inet_ntop; IPv4-mapped IPv6 as plain IPv4). */
void qoc_an_client_addr(const char *peer, const char *const *xff, size_t n,
                        const struct qoc_cidr_list *trusted, char out[QOC_AN_ADDR_MAX]);

#endif
