/* store_analytics.h - usage analytics in the store: raw events, hourly rollups, lifetime
 * totals; the records and the qoc_store_* calls on them. The contract of each call is on
 * its op in store/store.h (block "analytics"). src/analytics/ builds what is passed in
 * (events and their hourly deltas, analytics/fold.h) and turns what is read back into
 * the API's figures (analytics/report.h); the store only adds and sums.
 * Ownership as everywhere in the store: records passed in are read during the call only,
 * records read back live in the caller's arena. */
#ifndef QOC_STORE_ANALYTICS_H
#define QOC_STORE_ANALYTICS_H

#include "store/store.h"

/* Buckets of the latency histogram of an hourly rollup (bounds: analytics/event.c). */
#define QOC_AN_HIST_BUCKETS 16

/* Dimensions counted per hour. */
#define QOC_AN_DIM_ENDPOINT "endpoint" /* key: "token", "authorize", ... */
#define QOC_AN_DIM_COUNTRY "country"   /* key: ISO 3166 alpha-2 or "ZZ" */
#define QOC_AN_DIM_ERROR "error"       /* key: the OAuth error code */

/* One captured request, kept raw for the retention period. */
struct qoc_an_event_row {
	int64_t at; /* Unix seconds */
	const char *client_id;
	const char *endpoint; /* an endpoint name */
	unsigned status;      /* HTTP status */
	const char *error;    /* NULL: success; else the OAuth error code */
	int64_t latency_us;
	const char *account_id; /* NULL when not known */
	const char *country;    /* two letters */
};

struct qoc_an_dim_count {
	const char *dim; /* one of QOC_AN_DIM_* */
	const char *key;
	int64_t n;
};

/* What a batch adds to one application's hour (hour: Unix seconds, a multiple of 3600). */
struct qoc_an_hour_delta {
	const char *client_id;
	int64_t hour;
	int64_t requests, errors, latency_us_sum;
	int64_t hist[QOC_AN_HIST_BUCKETS];
	const struct qoc_an_dim_count *dims; /* distinct (dim, key) pairs */
	size_t ndims;
	const char *const *accounts; /* distinct account ids seen in this hour */
	size_t naccounts;
};

struct qoc_an_batch {
	const struct qoc_an_event_row *events;
	size_t nevents;
	const struct qoc_an_hour_delta *hours; /* the sums of events, by (client_id, hour) */
	size_t nhours;
};

/* One stored hourly rollup. */
struct qoc_an_hour {
	int64_t hour;
	int64_t requests, errors, latency_us_sum, accounts;
	int64_t hist[QOC_AN_HIST_BUCKETS];
};

/* analytics_query's answer: the hours with traffic (ascending) and every dimension's
 * counts summed over the range (by dim, then count descending, then key). */
struct qoc_an_range {
	struct qoc_an_hour *hours;
	size_t nhours;
	struct qoc_an_dim_count *dims;
	size_t ndims;
};

/* Most events or hour deltas one analytics_append takes. */
#define QOC_AN_BATCH_MAX 4096

static inline enum qoc_err qoc_store_analytics_append(struct qoc_store *st,
                                                      const struct qoc_an_batch *b, size_t *skipped)
{
	return QOC_STORE_TIMED(analytics_append, st->ops->analytics_append(st, b, skipped));
}
static inline enum qoc_err qoc_store_analytics_query(struct qoc_store *st, struct qoc_arena *a,
                                                     const char *client_id, int64_t from_hour,
                                                     int64_t to_hour, struct qoc_an_range *out)
{
	return QOC_STORE_TIMED(analytics_query,
	                       st->ops->analytics_query(st, a, client_id, from_hour, to_hour, out));
}
static inline enum qoc_err qoc_store_analytics_lifetime(struct qoc_store *st, const char *client_id,
                                                        int64_t *requests)
{
	return QOC_STORE_TIMED(analytics_lifetime,
	                       st->ops->analytics_lifetime(st, client_id, requests));
}
static inline enum qoc_err qoc_store_analytics_active_users(struct qoc_store *st,
                                                            const char *client_id, int64_t now,
                                                            int64_t *users)
{
	return QOC_STORE_TIMED(analytics_active_users,
	                       st->ops->analytics_active_users(st, client_id, now, users));
}
static inline enum qoc_err qoc_store_analytics_purge(struct qoc_store *st, int64_t events_before,
                                                     int64_t rollups_before, size_t limit,
                                                     size_t *deleted)
{
	return QOC_STORE_TIMED(
	    analytics_purge,
	    st->ops->analytics_purge(st, events_before, rollups_before, limit, deleted));
}

#endif
