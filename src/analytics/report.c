/* report.c - see report.h. */
#include "analytics/report.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "analytics/event.h"
#include "core/rfc3339.h"

#define HOUR 3600LL
#define DAY 86400LL
#define WEEK (7 * DAY)
#define MONDAY_EPOCH (4 * DAY) /* 1970-01-05, the first Monday after the epoch */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool qoc_an_granularity_parse(const char *s, enum qoc_an_granularity *out)
{
	static const char *const names[] = {"hour", "day", "week"};
	for (unsigned i = 0; s && i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum qoc_an_granularity)i;
			return true;
		}
	return false;
}

const char *qoc_an_granularity_name(enum qoc_an_granularity g)
{
	return g == QOC_AN_HOUR ? "hour" : g == QOC_AN_DAY ? "day" : "week";
}

int64_t qoc_an_bucket_floor(int64_t t, enum qoc_an_granularity g)
{
	switch (g) {
	case QOC_AN_HOUR:
		return floor_div(t, HOUR) * HOUR;
	case QOC_AN_DAY:
		return floor_div(t, DAY) * DAY;
	case QOC_AN_WEEK:
		return floor_div(t - MONDAY_EPOCH, WEEK) * WEEK + MONDAY_EPOCH;
	}
	return t;
}

int64_t qoc_an_bucket_next(int64_t start, enum qoc_an_granularity g)
{
	return start + (g == QOC_AN_HOUR ? HOUR : g == QOC_AN_DAY ? DAY : WEEK);
}

enum qoc_err qoc_an_align_range(int64_t *from, int64_t *to, enum qoc_an_granularity g)
{
	if (*from >= *to)
		return QOC_EINVAL;
	if (*to - *from > QOC_AN_MAX_RANGE_SECONDS)
		return QOC_ELIMIT;
	int64_t f = qoc_an_bucket_floor(*from, g), t = qoc_an_bucket_floor(*to, g);
	if (t < *to)
		t = qoc_an_bucket_next(t, g);
	if (t - f > QOC_AN_MAX_RANGE_SECONDS + WEEK)
		return QOC_ELIMIT;
	*from = f;
	*to = t;
	return QOC_OK;
}

/* A full-date is its midnight UTC; anything else with a '-' must be an RFC 3339 date-time
 * (core/rfc3339.h: fractions, offsets, lower-case t/z, leap seconds). Before 1970 is
 * refused: analytics hold nothing older and bucket arithmetic starts at the epoch. */
static bool parse_civil(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	char buf[21];
	int64_t t;
	if (n == 10) {
		memcpy(buf, s, 10);
		memcpy(buf + 10, "T00:00:00Z", 11);
		s = buf;
		n = 20;
	}
	if (!qoc_rfc3339_parse(s, n, &t) || t < 0)
		return false;
	*out = t;
	return true;
}

bool qoc_an_parse_time(const char *s, int64_t *out)
{
	if (!s || !s[0])
		return false;
	if (strchr(s, '-'))
		return parse_civil(s, out);
	size_t n = strlen(s);
	if (n > 12) /* past the year 33000 */
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

double qoc_an_percentile(const int64_t hist[QOC_AN_HIST_BUCKETS], double q)
{
	int64_t n = 0;
	for (int i = 0; i < QOC_AN_HIST_BUCKETS; i++)
		n += hist[i];
	if (n == 0)
		return 0;
	double rank = q * (double)n, before = 0;
	for (int i = 0; i < QOC_AN_HIST_BUCKETS; i++) {
		if (hist[i] == 0 || before + (double)hist[i] < rank) {
			before += (double)hist[i];
			continue;
		}
		double lo = i == 0 ? 0 : QOC_AN_HIST_BOUNDS_MS[i - 1];
		if (i == QOC_AN_HIST_BUCKETS - 1)
			return lo; /* unbounded: its lower bound is all we know */
		double hi = QOC_AN_HIST_BOUNDS_MS[i];
		return lo + (hi - lo) * (rank - before) / (double)hist[i];
	}
	return QOC_AN_HIST_BOUNDS_MS[QOC_AN_HIST_BUCKETS - 2];
}

/* The dimension dim of r's counts (already sorted by the store) as an arena array. */
static enum qoc_err pick(const struct qoc_an_range *r, const char *dim, struct qoc_arena *a,
                         struct qoc_an_kv **out, size_t *n)
{
	size_t count = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < r->ndims; i++)
		count += strcmp(r->dims[i].dim, dim) == 0;
	if (count == 0)
		return QOC_OK;
	struct qoc_an_kv *v = qoc_arena_calloc(a, count, sizeof(*v));
	if (!v)
		return QOC_ENOMEM;
	for (size_t i = 0; i < r->ndims; i++)
		if (strcmp(r->dims[i].dim, dim) == 0)
			v[(*n)++] = (struct qoc_an_kv){.key = r->dims[i].key, .n = r->dims[i].n};
	*out = v;
	return QOC_OK;
}

static double round_to(double v, double unit)
{
	return round(v / unit) * unit;
}

static enum qoc_err fill_series(const struct qoc_an_range *r, int64_t from, int64_t to,
                                enum qoc_an_granularity g, struct qoc_arena *a,
                                struct qoc_an_report *out)
{
	size_t n = 0;
	for (int64_t t = from; t < to; t = qoc_an_bucket_next(t, g))
		n++;
	out->series = n ? qoc_arena_calloc(a, n, sizeof(*out->series)) : NULL;
	if (n && !out->series)
		return QOC_ENOMEM;
	size_t h = 0, i = 0;
	for (int64_t t = from; t < to; t = qoc_an_bucket_next(t, g), i++) {
		int64_t next = qoc_an_bucket_next(t, g);
		out->series[i].start = t;
		for (; h < r->nhours && r->hours[h].hour < next; h++) {
			if (r->hours[h].hour < t)
				continue; /* outside the range: not the store's contract, but
				             harmless */
			out->series[i].requests += r->hours[h].requests;
			out->series[i].errors += r->hours[h].errors;
		}
	}
	out->nseries = n;
	return QOC_OK;
}

enum qoc_err qoc_an_report_build(const struct qoc_an_range *r, int64_t from, int64_t to,
                                 enum qoc_an_granularity g, int64_t lifetime, int64_t active_users,
                                 struct qoc_arena *a, struct qoc_an_report *out)
{
	enum qoc_err err;
	int64_t hist[QOC_AN_HIST_BUCKETS] = {0}, latency = 0;
	memset(out, 0, sizeof(*out));
	out->from = from;
	out->to = to;
	out->granularity = g;
	out->lifetime = lifetime;
	out->active_users = active_users;
	if ((err = fill_series(r, from, to, g, a, out)))
		return err;
	for (size_t i = 0; i < out->nseries; i++) {
		out->total_requests += out->series[i].requests;
		out->total_errors += out->series[i].errors;
	}
	for (size_t i = 0; i < r->nhours; i++) {
		if (r->hours[i].hour < from || r->hours[i].hour >= to)
			continue;
		latency += r->hours[i].latency_us_sum;
		for (int b = 0; b < QOC_AN_HIST_BUCKETS; b++)
			hist[b] += r->hours[i].hist[b];
	}
	if (out->total_requests > 0) {
		double n = (double)out->total_requests;
		out->success_rate = round_to((n - (double)out->total_errors) / n, 0.0001);
		out->avg_ms = round_to((double)latency / n / 1000.0, 0.01);
		out->p95_ms = round_to(qoc_an_percentile(hist, 0.95), 0.01);
	}
	if ((err = pick(r, QOC_AN_DIM_COUNTRY, a, &out->countries, &out->ncountries)) ||
	    (err = pick(r, QOC_AN_DIM_ENDPOINT, a, &out->endpoints, &out->nendpoints)) ||
	    (err = pick(r, QOC_AN_DIM_ERROR, a, &out->errors, &out->nerrors)))
		return err;
	return QOC_OK;
}

enum qoc_err qoc_an_report_load(struct qoc_store *st, struct qoc_arena *a, const char *client_id,
                                int64_t from, int64_t to, enum qoc_an_granularity g, int64_t now,
                                struct qoc_an_report *out)
{
	struct qoc_an_range r;
	int64_t lifetime = 0, active = 0;
	enum qoc_err err = qoc_store_analytics_query(st, a, client_id, from, to, &r);
	if (!err)
		err = qoc_store_analytics_lifetime(st, client_id, &lifetime);
	if (!err)
		err = qoc_store_analytics_active_users(st, client_id, now, &active);
	if (!err)
		err = qoc_an_report_build(&r, from, to, g, lifetime, active, a, out);
	if (!err)
		out->client_id = client_id;
	return err;
}
