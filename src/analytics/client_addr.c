/* client_addr.c - see client_addr.h. */
#include "analytics/client_addr.h"

#include <arpa/inet.h>
#include <string.h>

/* One X-Forwarded-For entry without spaces, a port or IPv6 brackets. */
static bool parse_hop(const char *s, size_t len, struct qoc_ip *ip)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len && s[0] == '[') { /* "[v6]" or "[v6]:port" */
		const char *close = memchr(s, ']', len);
		if (!close)
			return false;
		return qoc_ip_parse(s + 1, (size_t)(close - s - 1), ip);
	}
	const char *colon = memchr(s, ':', len);
	if (colon && !memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)))
		len = (size_t)(colon - s); /* "a.b.c.d:port": exactly one colon */
	return qoc_ip_parse(s, len, ip);
}

static void format(const struct qoc_ip *ip, char out[QOC_AN_ADDR_MAX])
{
	if (qoc_ip_is_v4(ip))
		inet_ntop(AF_INET, ip->b + 12, out, QOC_AN_ADDR_MAX);
	else
		inet_ntop(AF_INET6, ip->b, out, QOC_AN_ADDR_MAX);
}

/* The hops of all lines, right to left: calls back until it returns false. */
struct walk {
	const struct qoc_cidr_list *trusted;
	struct qoc_ip client;
	unsigned hops;
	bool done;
};

static void step(struct walk *w, const char *s, size_t len)
{
	struct qoc_ip ip;
	if (w->done)
		return;
	if (++w->hops > QOC_AN_XFF_MAX_HOPS || !parse_hop(s, len, &ip)) {
		w->done = true; /* keep the last good address */
		return;
	}
	w->client = ip;
	if (!qoc_cidr_list_contains(w->trusted, &ip))
		w->done = true;
}

static void walk_line(struct walk *w, const char *v)
{
	size_t end = strlen(v);
	while (!w->done) {
		size_t start = end;
		while (start > 0 && v[start - 1] != ',')
			start--;
		step(w, v + start, end - start);
		if (start == 0)
			break;
		end = start - 1;
	}
}

void qoc_an_client_addr(const char *peer, const char *const *xff, size_t n,
                        const struct qoc_cidr_list *trusted, char out[QOC_AN_ADDR_MAX])
{
	struct walk w = {.trusted = trusted};
	out[0] = '\0';
	if (!peer || !qoc_ip_parse(peer, strlen(peer), &w.client))
		return;
	if (qoc_cidr_list_contains(trusted, &w.client))
		for (size_t i = n; i > 0 && !w.done; i--)
			walk_line(&w, xff[i - 1]);
	format(&w.client, out);
}
