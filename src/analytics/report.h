/* report.h - the figures of an application's analytics over a range: what the API, the
 * exports and the console show (issue 6), computed from the store's hourly rollups.
 *
 * Ranges: [from, to) in Unix seconds, aligned outward to whole buckets of the granularity
 * (UTC hours, UTC days, ISO weeks starting Monday 00:00 UTC), so every bucket of the
 * series is complete and total_requests is exactly the sum of the series.
 */
#ifndef QOC_ANALYTICS_REPORT_H
#define QOC_ANALYTICS_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"
#include "store/store_analytics.h"

enum qoc_an_granularity { QOC_AN_HOUR = 0, QOC_AN_DAY, QOC_AN_WEEK };

/* Longest range a report covers (13 months of rollups fit). */
#define QOC_AN_MAX_RANGE_SECONDS (400 * 86400LL)

/* "hour", "day", "week". */
bool qoc_an_granularity_parse(const char *s, enum qoc_an_granularity *out);
const char *qoc_an_granularity_name(enum qoc_an_granularity g);
/* Start of the bucket holding t; the start of the bucket after the one starting at start. */
int64_t qoc_an_bucket_floor(int64_t t, enum qoc_an_granularity g);
int64_t qoc_an_bucket_next(int64_t start, enum qoc_an_granularity g);
/* Aligns [*from, *to) outward to buckets. QOC_EINVAL: from >= to; QOC_ELIMIT: longer than
 * QOC_AN_MAX_RANGE_SECONDS (after alignment). */
enum qoc_err qoc_an_align_range(int64_t *from, int64_t *to, enum qoc_an_granularity g);

/* A time parameter: Unix seconds ("1764151200"), a UTC date ("2026-11-26") or any RFC
 * 3339 date-time ("2026-11-26T10:00:00Z", "2026-11-26T10:00:00.123Z" as a browser's
 * toISOString() writes it, "2026-11-26T12:00:00+02:00"; core/rfc3339.h), rounded down to
 * the second. Times before 1970 are refused. */
bool qoc_an_parse_time(const char *s, int64_t *out);

/* The q-quantile (0 < q <= 1) in milliseconds of a latency histogram (event.h bounds),
 * interpolated linearly inside its bucket; 0 when the histogram is empty. */
double qoc_an_percentile(const int64_t hist[QOC_AN_HIST_BUCKETS], double q);

struct qoc_an_point {
	int64_t start;
	int64_t requests, errors;
};

struct qoc_an_kv {
	const char *key;
	int64_t n;
};

struct qoc_an_report {
	const char *client_id;
	const char *app_name;
	int64_t from, to; /* aligned */
	enum qoc_an_granularity granularity;
	int64_t total_requests, total_errors, lifetime, active_users;
	/* Meaningful when total_requests > 0 (the API then sends numbers, else null). */
	double success_rate; /* 0..1 */
	double avg_ms, p95_ms;
	struct qoc_an_point *series; /* one per bucket, empty ones included */
	size_t nseries;
	struct qoc_an_kv *countries, *endpoints, *errors; /* by count desc, then key */
	size_t ncountries, nendpoints, nerrors;
};

/* Builds the report from a store range (rollups of [from, to), already aligned) and the
 * two live figures. Arrays from a. QOC_ENOMEM. */
enum qoc_err qoc_an_report_build(const struct qoc_an_range *r, int64_t from, int64_t to,
                                 enum qoc_an_granularity g, int64_t lifetime, int64_t active_users,
                                 struct qoc_arena *a, struct qoc_an_report *out);

/* Reads the store and builds: from, to already aligned. Store errors as they come. */
enum qoc_err qoc_an_report_load(struct qoc_store *st, struct qoc_arena *a, const char *client_id,
                                int64_t from, int64_t to, enum qoc_an_granularity g, int64_t now,
                                struct qoc_an_report *out);

#endif
