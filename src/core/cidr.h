/* cidr.h - IP addresses and CIDR ranges (IPv4 and IPv6), for the trusted-proxy list.
 *
 * Addresses are kept as 16 bytes: IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so one
 * comparison serves both families and "10.0.0.0/8" matches the peer "::ffff:10.1.2.3"
 * that a dual-stack socket reports.
 */
#ifndef QOC_CORE_CIDR_H
#define QOC_CORE_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct qoc_ip {
	uint8_t b[16];
};

struct qoc_cidr {
	struct qoc_ip net; /* host bits cleared */
	unsigned bits;     /* prefix length over the 128-bit form */
};

/* Most ranges a list may hold. */
#define QOC_CIDR_LIST_MAX 64

struct qoc_cidr_list {
	struct qoc_cidr items[QOC_CIDR_LIST_MAX];
	size_t count;
};

/* Parses a textual IPv4 or IPv6 address (no brackets, no port, no zone). */
bool qoc_ip_parse(const char *s, size_t len, struct qoc_ip *out);
/* True for an IPv4-mapped address. */
bool qoc_ip_is_v4(const struct qoc_ip *ip);
/* The IPv4 address as a host-order integer (only meaningful when qoc_ip_is_v4). */
uint32_t qoc_ip_v4(const struct qoc_ip *ip);
/* Loopback, private (RFC 1918, RFC 4193), link-local, CGNAT, unspecified or
 * documentation ranges: addresses that say nothing about a country. */
bool qoc_ip_is_private(const struct qoc_ip *ip);

/* Parses "a.b.c.d/n", "v6::/n" or a bare address (a /32 or /128). */
bool qoc_cidr_parse(const char *s, size_t len, struct qoc_cidr *out);
bool qoc_cidr_contains(const struct qoc_cidr *c, const struct qoc_ip *ip);

/* Parses a comma-separated list (spaces around items allowed; "" is an empty list).
 * QOC_EINVAL for a malformed item, QOC_ELIMIT beyond QOC_CIDR_LIST_MAX items. */
enum qoc_err qoc_cidr_list_parse(const char *s, struct qoc_cidr_list *out);
bool qoc_cidr_list_contains(const struct qoc_cidr_list *l, const struct qoc_ip *ip);

#endif
