/* event.c - endpoint names and the histogram's buckets (see event.h). */
#include "analytics/event.h"

#include <string.h>

static const char *const names[QOC_EP_COUNT] = {
    [QOC_EP_AUTHORIZE] = "authorize",   [QOC_EP_TOKEN] = "token",   [QOC_EP_USERINFO] = "userinfo",
    [QOC_EP_INTROSPECT] = "introspect", [QOC_EP_REVOKE] = "revoke", [QOC_EP_LOGOUT] = "logout",
};

/* Roughly doubling from 1 ms: fine where a protocol call spends its time (1-100 ms), and
 * enough range to see a stalled store (over 10 s is one bucket). */
const double QOC_AN_HIST_BOUNDS_MS[QOC_AN_HIST_BUCKETS - 1] = {
    0.5, 1, 2, 3, 5, 8, 13, 20, 30, 50, 80, 130, 250, 500, 1000,
};

const char *qoc_endpoint_name(enum qoc_endpoint ep)
{
	return (unsigned)ep < QOC_EP_COUNT ? names[ep] : NULL;
}

enum qoc_endpoint qoc_endpoint_parse(const char *name)
{
	for (unsigned i = 0; name && i < QOC_EP_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return (enum qoc_endpoint)i;
	return QOC_EP_COUNT;
}

unsigned qoc_an_hist_bucket(uint32_t latency_us)
{
	double ms = latency_us / 1000.0;
	unsigned i = 0;
	while (i < QOC_AN_HIST_BUCKETS - 1 && ms >= QOC_AN_HIST_BOUNDS_MS[i])
		i++;
	return i;
}

bool qoc_an_copy(char *dst, unsigned size, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= size) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src ? src : "", n + 1);
	return true;
}
