/* Unit tests for the analytics math and encoders, without a socket or a store: buckets and
 * ranges, percentiles from the histogram, time parameters, folding a batch into hourly
 * deltas, outcomes from responses, and the JSON, CSV and PDF encoders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/event.h"
#include "analytics/export.h"
#include "analytics/fold.h"
#include "analytics/outcome.h"
#include "analytics/report.h"

#define T_2026_11_26 1795651200LL /* Thursday 2026-11-26 00:00:00 UTC */

static void buckets_and_ranges(void **state)
{
	(void)state;
	int64_t t = T_2026_11_26 + 10 * 3600 + 125; /* 10:02:05 */
	assert_int_equal(qoc_an_bucket_floor(t, QOC_AN_HOUR), T_2026_11_26 + 36000);
	assert_int_equal(qoc_an_bucket_floor(t, QOC_AN_DAY), T_2026_11_26);
	/* ISO weeks start on Monday: 2026-11-23 */
	assert_int_equal(qoc_an_bucket_floor(t, QOC_AN_WEEK), T_2026_11_26 - 3 * 86400);
	assert_int_equal(qoc_an_bucket_floor(T_2026_11_26 - 3 * 86400, QOC_AN_WEEK),
	                 T_2026_11_26 - 3 * 86400);
	assert_int_equal(qoc_an_bucket_floor(-1, QOC_AN_HOUR), -3600); /* floors, not truncates */
	int64_t from = t, to = t + 3600;
	assert_int_equal(qoc_an_align_range(&from, &to, QOC_AN_HOUR), QOC_OK);
	assert_int_equal(from, T_2026_11_26 + 36000);
	assert_int_equal(to, T_2026_11_26 + 36000 + 7200); /* outward: two whole hours */
	from = T_2026_11_26;
	to = T_2026_11_26 + 86400; /* aligned stays */
	assert_int_equal(qoc_an_align_range(&from, &to, QOC_AN_DAY), QOC_OK);
	assert_int_equal(to - from, 86400);
	from = to;
	assert_int_equal(qoc_an_align_range(&from, &to, QOC_AN_DAY), QOC_EINVAL);
	from = 0;
	to = QOC_AN_MAX_RANGE_SECONDS + 1;
	assert_int_equal(qoc_an_align_range(&from, &to, QOC_AN_DAY), QOC_ELIMIT);
	enum qoc_an_granularity g;
	assert_true(qoc_an_granularity_parse("week", &g));
	assert_int_equal(g, QOC_AN_WEEK);
	assert_false(qoc_an_granularity_parse("month", &g));
	assert_false(qoc_an_granularity_parse(NULL, &g));
}

static void time_parameters(void **state)
{
	(void)state;
	int64_t t;
	assert_true(qoc_an_parse_time("2026-11-26", &t));
	assert_int_equal(t, T_2026_11_26);
	assert_true(qoc_an_parse_time("2026-11-26T10:00:05Z", &t));
	assert_int_equal(t, T_2026_11_26 + 36005);
	assert_true(qoc_an_parse_time("1795651200", &t));
	assert_int_equal(t, T_2026_11_26);
	/* Issue 13: any RFC 3339 §5.6 date-time, as a browser's toISOString() writes it
	 * (fraction) or with an offset, rounded down to the second (core/rfc3339.h). */
	assert_true(qoc_an_parse_time("2026-11-26T10:00:05.123Z", &t));
	assert_int_equal(t, T_2026_11_26 + 36005);
	assert_true(qoc_an_parse_time("2026-11-26T11:00:05+01:00", &t));
	assert_int_equal(t, T_2026_11_26 + 36005);
	assert_true(qoc_an_parse_time("2026-11-26t10:00:05.999-00:00", &t));
	assert_int_equal(t, T_2026_11_26 + 36005);
	assert_true(qoc_an_parse_time("1970-01-01T01:00:00+01:00", &t));
	assert_int_equal(t, 0);
	const char *bad[] = {"",
	                     "2026-02-31",
	                     "2026-13-01",
	                     "2026-11-26T10:00:05+24:00",
	                     "2026-11-26T10:00:05.Z",
	                     "2026-11-26T10:00:05",
	                     "2026-11-26 10:00:05Z",
	                     "1970-01-01T00:59:59+01:00", /* before 1970 in UTC */
	                     "yesterday",
	                     "-5",
	                     "12345678901234",
	                     "2026-11-26T24:00:00Z",
	                     "1969-12-31"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(qoc_an_parse_time(bad[i], &t));
}

static void percentiles_from_the_histogram(void **state)
{
	(void)state;
	int64_t h[QOC_AN_HIST_BUCKETS] = {0};
	assert_true(qoc_an_percentile(h, 0.95) == 0);
	/* bucket bounds: a latency is in bucket i when bounds[i-1] <= ms < bounds[i] */
	assert_int_equal(qoc_an_hist_bucket(0), 0);
	assert_int_equal(qoc_an_hist_bucket(499), 0);
	assert_int_equal(qoc_an_hist_bucket(500), 1);
	assert_int_equal(qoc_an_hist_bucket(2500), 3); /* [2, 3) ms */
	assert_int_equal(qoc_an_hist_bucket(UINT32_MAX), QOC_AN_HIST_BUCKETS - 1);
	/* 100 requests in [2, 3) ms: p95 interpolates to 2.95 ms */
	h[3] = 100;
	assert_true(fabs(qoc_an_percentile(h, 0.95) - 2.95) < 1e-9);
	/* 90 fast ones in [0, 0.5), 10 in [50, 80): p95 is half-way into the slow bucket */
	memset(h, 0, sizeof(h));
	h[0] = 90;
	h[10] = 10;
	assert_true(fabs(qoc_an_percentile(h, 0.95) - 65.0) < 1e-9);
	assert_true(fabs(qoc_an_percentile(h, 0.5) - 0.5 * 50 / 90) < 1e-9);
	/* the unbounded last bucket answers its lower bound */
	memset(h, 0, sizeof(h));
	h[QOC_AN_HIST_BUCKETS - 1] = 3;
	assert_true(qoc_an_percentile(h, 0.95) == 1000);
}

static struct qoc_analytics_event ev(const char *client, int64_t at, enum qoc_endpoint ep,
                                     const char *error, uint32_t us, const char *acct,
                                     const char *cc)
{
	struct qoc_analytics_event e = {
	    .at = at, .latency_us = us, .endpoint = (uint8_t)ep, .status = error[0] ? 400 : 200};
	qoc_an_copy(e.client_id, sizeof(e.client_id), client);
	qoc_an_copy(e.error, sizeof(e.error), error);
	qoc_an_copy(e.account_id, sizeof(e.account_id), acct);
	qoc_an_copy(e.country, sizeof(e.country), cc);
	return e;
}

static const struct qoc_an_hour_delta *hour_of(const struct qoc_an_batch *b, const char *c,
                                               int64_t hour)
{
	for (size_t i = 0; i < b->nhours; i++)
		if (b->hours[i].hour == hour && !strcmp(b->hours[i].client_id, c))
			return &b->hours[i];
	return NULL;
}

static int64_t dim(const struct qoc_an_hour_delta *h, const char *d, const char *k)
{
	for (size_t i = 0; i < h->ndims; i++)
		if (!strcmp(h->dims[i].dim, d) && !strcmp(h->dims[i].key, k))
			return h->dims[i].n;
	return 0;
}

static void fold_sums_by_application_and_hour(void **state)
{
	(void)state;
	int64_t h0 = T_2026_11_26 + 3600;
	struct qoc_analytics_event e[] = {
	    ev("app_a", h0 + 1, QOC_EP_TOKEN, "", 1000, "acct_1", "DE"),
	    ev("app_a", h0 + 2, QOC_EP_TOKEN, "invalid_client", 3000, "", "JP"),
	    ev("app_a", h0 + 3599, QOC_EP_USERINFO, "", 600, "acct_1", "DE"),
	    ev("app_a", h0 + 3600, QOC_EP_TOKEN, "", 100, "acct_2", "DE"), /* the next hour */
	    ev("app_b", h0 + 5, QOC_EP_AUTHORIZE, "access_denied", 40000, "acct_2", "ZZ"),
	};
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_an_batch b;
	assert_int_equal(qoc_an_fold(e, 5, &a, &b), QOC_OK);
	assert_int_equal(b.nevents, 5);
	assert_null(b.events[0].error);
	assert_string_equal(b.events[1].error, "invalid_client");
	assert_null(b.events[1].account_id);
	assert_string_equal(b.events[2].endpoint, "userinfo");
	assert_int_equal(b.nhours, 3);
	const struct qoc_an_hour_delta *h = hour_of(&b, "app_a", h0);
	assert_non_null(h);
	assert_int_equal(h->requests, 3);
	assert_int_equal(h->errors, 1);
	assert_int_equal(h->latency_us_sum, 4600);
	assert_int_equal(h->hist[qoc_an_hist_bucket(1000)], 1);
	assert_int_equal(h->hist[qoc_an_hist_bucket(3000)], 1);
	assert_int_equal(h->hist[qoc_an_hist_bucket(600)], 1);
	assert_int_equal(dim(h, QOC_AN_DIM_ENDPOINT, "token"), 2);
	assert_int_equal(dim(h, QOC_AN_DIM_ENDPOINT, "userinfo"), 1);
	assert_int_equal(dim(h, QOC_AN_DIM_COUNTRY, "DE"), 2);
	assert_int_equal(dim(h, QOC_AN_DIM_COUNTRY, "JP"), 1);
	assert_int_equal(dim(h, QOC_AN_DIM_ERROR, "invalid_client"), 1);
	assert_int_equal(h->naccounts, 1); /* acct_1 twice is one distinct account */
	h = hour_of(&b, "app_a", h0 + 3600);
	assert_non_null(h);
	assert_int_equal(h->requests, 1);
	h = hour_of(&b, "app_b", h0);
	assert_non_null(h);
	assert_int_equal(dim(h, QOC_AN_DIM_ERROR, "access_denied"), 1);
	assert_int_equal(qoc_an_fold(e, QOC_AN_BATCH_MAX + 1, &a, &b), QOC_EINVAL);
	assert_int_equal(qoc_an_fold(e, 0, &a, &b), QOC_OK);
	assert_int_equal(b.nhours, 0);
	qoc_arena_release(&a);
}

static void outcomes_from_responses(void **state)
{
	(void)state;
	char e[QOC_AN_ERROR_MAX];
	const char *body = "{\"error\":\"invalid_grant\",\"error_description\":\"x\"}";
	qoc_an_outcome(200, NULL, NULL, 0, NULL, e);
	assert_string_equal(e, "");
	qoc_an_outcome(303, NULL, NULL, 0, NULL, e); /* a redirect on to the login page */
	assert_string_equal(e, "");
	qoc_an_outcome(400, NULL, body, strlen(body), NULL, e); /* RFC 6749 §5.2 */
	assert_string_equal(e, "invalid_grant");
	qoc_an_outcome(401, NULL, NULL, 0,
	               "Bearer error=\"invalid_token\", error_description=\"x\"",
	               e); /* RFC 6750 §3 */
	assert_string_equal(e, "invalid_token");
	qoc_an_outcome(303, "access_denied", NULL, 0, NULL, e); /* noted by the front channel */
	assert_string_equal(e, "access_denied");
	qoc_an_outcome(503, NULL, NULL, 0, NULL, e);
	assert_string_equal(e, "server_error");
	qoc_an_outcome(429, NULL, NULL, 0, NULL, e);
	assert_string_equal(e, "temporarily_unavailable");
	qoc_an_outcome(405, NULL, "not json", 8, NULL, e);
	assert_string_equal(e, "http_405");
	const char *evil = "{\"error\":\"<script>alert(1)</script>\"}";
	qoc_an_outcome(400, NULL, evil, strlen(evil), NULL, e); /* never free text */
	assert_string_equal(e, "invalid_error_code");
	const char *number = "{\"error\":5}";
	qoc_an_outcome(400, NULL, number, strlen(number), NULL, e);
	assert_string_equal(e, "http_400");
}

/* A report of two daily buckets: 10 requests (2 errors) on the first day, none on the
 * second; countries, endpoints, errors as the store would sum them. */
static struct qoc_an_report sample(struct qoc_arena *a)
{
	static struct qoc_an_hour hours[2];
	static struct qoc_an_dim_count dims[] = {
	    {QOC_AN_DIM_COUNTRY, "DE", 7},
	    {QOC_AN_DIM_COUNTRY, "ZZ", 3},
	    {QOC_AN_DIM_ENDPOINT, "token", 10},
	    {QOC_AN_DIM_ERROR, "invalid_client", 2},
	};
	memset(hours, 0, sizeof(hours));
	hours[0] = (struct qoc_an_hour){
	    .hour = T_2026_11_26 + 3600, .requests = 6, .errors = 2, .latency_us_sum = 12000};
	hours[0].hist[3] = 6;
	hours[1] = (struct qoc_an_hour){
	    .hour = T_2026_11_26 + 7200, .requests = 4, .latency_us_sum = 8000};
	hours[1].hist[3] = 4;
	struct qoc_an_range r = {.hours = hours, .nhours = 2, .dims = dims, .ndims = 4};
	struct qoc_an_report rep;
	assert_int_equal(qoc_an_report_build(&r, T_2026_11_26, T_2026_11_26 + 2 * 86400, QOC_AN_DAY,
	                                     25, 3, a, &rep),
	                 QOC_OK);
	rep.client_id = "qoc_client_x";
	rep.app_name = "Demo, \"quoted\"";
	return rep;
}

static void report_fills_empty_buckets(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_an_report r = sample(&a);
	assert_int_equal(r.nseries, 2);
	assert_int_equal(r.series[0].start, T_2026_11_26);
	assert_int_equal(r.series[0].requests, 10);
	assert_int_equal(r.series[0].errors, 2);
	assert_int_equal(r.series[1].requests, 0);
	assert_int_equal(r.total_requests, 10);
	assert_true(fabs(r.success_rate - 0.8) < 1e-9);
	assert_true(fabs(r.avg_ms - 2.0) < 1e-9);
	assert_true(fabs(r.p95_ms - 2.95) < 1e-9);
	assert_int_equal(r.lifetime, 25);
	assert_int_equal(r.active_users, 3);
	assert_int_equal(r.ncountries, 2);
	assert_string_equal(r.countries[0].key, "DE");
	assert_int_equal(r.nendpoints, 1);
	assert_int_equal(r.nerrors, 1);
	/* hourly over the same two days: 48 buckets */
	struct qoc_an_range none = {0};
	struct qoc_an_report h;
	assert_int_equal(qoc_an_report_build(&none, T_2026_11_26, T_2026_11_26 + 2 * 86400,
	                                     QOC_AN_HOUR, 0, 0, &a, &h),
	                 QOC_OK);
	assert_int_equal(h.nseries, 48);
	assert_int_equal(h.total_requests, 0);
	qoc_arena_release(&a);
}

static void json_document(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_an_report r = sample(&a);
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 16);
	assert_int_equal(qoc_an_export_json(&r, &b), QOC_OK);
	assert_string_equal(
	    qoc_buf_cstr(&b),
	    "{\"client_id\":\"qoc_client_x\",\"from\":\"2026-11-26T00:00:00Z\","
	    "\"to\":\"2026-11-28T00:00:00Z\",\"granularity\":\"day\",\"total_requests\":10,"
	    "\"total_requests_lifetime\":25,\"active_users\":3,\"success_rate\":0.8,"
	    "\"avg_response_ms\":2.0,\"p95_response_ms\":2.95,\"series\":[{\"start\":"
	    "\"2026-11-26T00:00:00Z\",\"requests\":10,\"errors\":2},{\"start\":"
	    "\"2026-11-27T00:00:00Z\",\"requests\":0,\"errors\":0}],\"countries\":[{\"country\":"
	    "\"DE\",\"requests\":7},{\"country\":\"ZZ\",\"requests\":3}],\"endpoints\":[{"
	    "\"endpoint\":\"token\",\"requests\":10}],\"errors\":[{\"error\":\"invalid_client\","
	    "\"count\":2}]}");
	/* bounded: a too-small buffer is an error, not a truncated document */
	struct qoc_buf small;
	qoc_buf_init(&small, 64);
	assert_int_not_equal(qoc_an_export_json(&r, &small), QOC_OK);
	qoc_buf_release(&small);
	qoc_buf_release(&b);
	qoc_arena_release(&a);
}

static void csv_rfc4180(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_an_report r = sample(&a);
	static struct qoc_an_kv odd[] = {{"a,\"b\"", 1}};
	r.errors = odd; /* a key that needs quoting */
	r.nerrors = 1;
	struct qoc_buf b;
	qoc_buf_init(&b, 1 << 16);
	assert_int_equal(qoc_an_export_csv(&r, &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "section,key,value,errors\r\n"
	                                      "summary,total_requests,10,\r\n"
	                                      "summary,total_requests_lifetime,25,\r\n"
	                                      "summary,active_users,3,\r\n"
	                                      "summary,success_rate,0.8000,\r\n"
	                                      "summary,avg_response_ms,2.00,\r\n"
	                                      "summary,p95_response_ms,2.95,\r\n"
	                                      "summary,from,2026-11-26T00:00:00Z,\r\n"
	                                      "summary,to,2026-11-28T00:00:00Z,\r\n"
	                                      "summary,granularity,day,\r\n"
	                                      "series,2026-11-26T00:00:00Z,10,2\r\n"
	                                      "series,2026-11-27T00:00:00Z,0,0\r\n"
	                                      "country,DE,7,\r\n"
	                                      "country,ZZ,3,\r\n"
	                                      "endpoint,token,10,\r\n"
	                                      "error,\"a,\"\"b\"\"\",1,\r\n");
	char name[160];
	qoc_an_export_filename(&r, "csv", name, sizeof(name));
	assert_string_equal(name, "qoc-analytics-qoc_client_x-20261126-20261127.csv");
	qoc_buf_release(&b);
	qoc_arena_release(&a);
}

static void pdf_is_a_bounded_pdf(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_an_report r = sample(&a);
	struct qoc_buf b;
	qoc_buf_init(&b, 4u << 20);
	assert_int_equal(qoc_an_export_pdf(&r, &b), QOC_OK);
	assert_true(b.len > 1000);
	assert_memory_equal(b.data, "%PDF-", 5);
	assert_non_null(strstr(b.data + b.len - 32, "%%EOF"));
	qoc_buf_release(&b);
	struct qoc_buf small; /* the bound holds: an error, never a truncated file */
	qoc_buf_init(&small, 512);
	assert_int_equal(qoc_an_export_pdf(&r, &small), QOC_ELIMIT);
	qoc_buf_release(&small);
	qoc_arena_release(&a);
	qoc_an_export_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buckets_and_ranges),
	    cmocka_unit_test(time_parameters),
	    cmocka_unit_test(percentiles_from_the_histogram),
	    cmocka_unit_test(fold_sums_by_application_and_hour),
	    cmocka_unit_test(outcomes_from_responses),
	    cmocka_unit_test(report_fills_empty_buckets),
	    cmocka_unit_test(json_document),
	    cmocka_unit_test(csv_rfc4180),
	    cmocka_unit_test(pdf_is_a_bounded_pdf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
