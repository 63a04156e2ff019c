/* event.h - one captured protocol request, the endpoints, and the latency histogram.
 *
 * These definitions are shared by capture (api/), the writer, the store and the query
 * math, so they live in one small header with no dependency but core. An event is a
 * fixed-size value (no pointers): the capture queue copies it, nothing is allocated on
 * the request path.
 */
#ifndef QOC_ANALYTICS_EVENT_H
#define QOC_ANALYTICS_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_analytics.h" /* QOC_AN_HIST_BUCKETS */

/* The protocol endpoints that name an application. The names are the API's (issue 6). */
enum qoc_endpoint {
	QOC_EP_AUTHORIZE = 0, /* /oauth2/authorize and the login/consent forms completing it */
	QOC_EP_TOKEN,
	QOC_EP_USERINFO,
	QOC_EP_INTROSPECT,
	QOC_EP_REVOKE,
	QOC_EP_LOGOUT,
	QOC_EP_COUNT
};

/* "authorize", "token", ...; NULL out of range. Static. */
const char *qoc_endpoint_name(enum qoc_endpoint ep);
/* QOC_EP_COUNT when name is not one of them. */
enum qoc_endpoint qoc_endpoint_parse(const char *name);

#define QOC_AN_CLIENT_ID_MAX 64 /* bytes with the NUL; longer client ids are not captured */
#define QOC_AN_ACCOUNT_MAX 64
#define QOC_AN_ERROR_MAX 40 /* OAuth error codes are short ASCII tokens */
#define QOC_AN_ADDR_MAX 48  /* an IPv6 address in text form */

struct qoc_analytics_event {
	int64_t at;          /* Unix seconds (the injected clock) */
	uint32_t latency_us; /* handler time, saturated */
	uint16_t status;     /* HTTP status sent */
	uint8_t endpoint;    /* enum qoc_endpoint */
	char client_id[QOC_AN_CLIENT_ID_MAX];
	char error[QOC_AN_ERROR_MAX];        /* "" on success, else the OAuth error code */
	char account_id[QOC_AN_ACCOUNT_MAX]; /* "" when not known */
	char addr[QOC_AN_ADDR_MAX];          /* client address (text); the writer maps it */
	char country[3];                     /* ISO 3166 alpha-2, "ZZ" unknown; set by the writer */
};

/* Latency histogram: bucket i counts requests with latency < QOC_AN_HIST_BOUNDS_MS[i] (and
 * >= the previous bound); the last bucket has no upper bound. Percentiles are read from
 * it (query.h), so they are exact to the bucket and interpolated inside it. */
extern const double QOC_AN_HIST_BOUNDS_MS[QOC_AN_HIST_BUCKETS - 1];
/* The bucket of a latency in microseconds. */
unsigned qoc_an_hist_bucket(uint32_t latency_us);

/* Copies src into dst[size] when it fits (with its NUL); false (dst = "") otherwise. */
bool qoc_an_copy(char *dst, unsigned size, const char *src);

#endif
