/* cidr.c - see cidr.h. inet_pton does the address syntax; this file only frames it. */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>

#define ADDR_TEXT_MAX 64 /* longer than any address in text form */

bool qoc_ip_parse(const char *s, size_t len, struct qoc_ip *out)
{
	char tmp[ADDR_TEXT_MAX];
	if (!s || len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	uint8_t v4[4];
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		out->b[10] = out->b[11] = 0xff;
		memcpy(out->b + 12, v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, tmp, out->b) == 1;
}

bool qoc_ip_is_v4(const struct qoc_ip *ip)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(ip->b, prefix, sizeof(prefix)) == 0;
}

uint32_t qoc_ip_v4(const struct qoc_ip *ip)
{
	return (uint32_t)ip->b[12] << 24 | (uint32_t)ip->b[13] << 16 | (uint32_t)ip->b[14] << 8 |
	       ip->b[15];
}

static void mask(struct qoc_ip *ip, unsigned bits);

/* Parsed once (the table is constant): the writer asks for every event. */
static struct qoc_cidr_list private_ranges;
static pthread_once_t private_once = PTHREAD_ONCE_INIT;

static void private_init(void)
{
	static const char list[] = "0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8,"
	                           " 169.254.0.0/16, 172.16.0.0/12, 192.0.2.0/24, 192.168.0.0/16,"
	                           " 198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24, 224.0.0.0/3,"
	                           " ::/127, fc00::/7, fe80::/10, 2001:db8::/32, ff00::/8";
	(void)qoc_cidr_list_parse(list, &private_ranges); /* constant and valid (a unit test) */
}

bool qoc_ip_is_private(const struct qoc_ip *ip)
{
	pthread_once(&private_once, private_init);
	return qoc_cidr_list_contains(&private_ranges, ip);
}

static void mask(struct qoc_ip *ip, unsigned bits)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = bits > i * 8 ? bits - i * 8 : 0;
		if (keep < 8)
			ip->b[i] &= (uint8_t)(0xff00u >> keep);
	}
}

bool qoc_cidr_parse(const char *s, size_t len, struct qoc_cidr *out)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	if (!qoc_ip_parse(s, alen, &out->net))
		return false;
	unsigned max = qoc_ip_is_v4(&out->net) ? 32 : 128;
	unsigned bits = max;
	if (slash) {
		const char *p = slash + 1, *end = s + len;
		if (p == end || end - p > 3)
			return false;
		bits = 0;
		for (; p < end; p++) {
			if (*p < '0' || *p > '9')
				return false;
			bits = bits * 10 + (unsigned)(*p - '0');
		}
		if (bits > max)
			return false;
	}
	out->bits = bits + (128 - max); /* an IPv4 prefix also covers the 96 mapped bits */
	mask(&out->net, out->bits);
	return true;
}

bool qoc_cidr_contains(const struct qoc_cidr *c, const struct qoc_ip *ip)
{
	struct qoc_ip m = *ip;
	mask(&m, c->bits);
	return memcmp(m.b, c->net.b, 16) == 0;
}

enum qoc_err qoc_cidr_list_parse(const char *s, struct qoc_cidr_list *out)
{
	out->count = 0;
	if (!s)
		return QOC_OK;
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *b = p, *e = p + n;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (b == e) {
			if (p[n] == ',' || p != s) /* an empty item between commas */
				return QOC_EINVAL;
		} else {
			if (out->count == QOC_CIDR_LIST_MAX)
				return QOC_ELIMIT;
			if (!qoc_cidr_parse(b, (size_t)(e - b), &out->items[out->count]))
				return QOC_EINVAL;
			out->count++;
		}
		p += n;
		if (*p == ',') {
			p++;
			if (!*p)
				return QOC_EINVAL; /* trailing comma */
		}
	}
	return QOC_OK;
}

bool qoc_cidr_list_contains(const struct qoc_cidr_list *l, const struct qoc_ip *ip)
{
	for (size_t i = 0; i < l->count; i++)
		if (qoc_cidr_contains(&l->items[i], ip))
			return true;
	return false;
}
