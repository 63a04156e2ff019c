/* Unit tests for src/core/metrics.c: counting and the Prometheus text exposition
 * (format 0.0.4: HELP/TYPE lines, label escaping, cumulative histogram buckets with +Inf,
 * _sum and _count, bounded label values). The integration test
 * tests/integration/metrics.test.mjs reads the same output with a real parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/metrics.h"

static char *render(struct qoc_buf *b)
{
	qoc_buf_init(b, 1u << 22);
	assert_int_equal(qoc_metrics_render(b), QOC_OK);
	return (char *)qoc_buf_cstr(b);
}

/* Exactly this line (from line start to line end) is in text. */
static void has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("missing line: %s", line);
}

static void lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected: %s", needle);
}

static void http_requests_by_route_and_status(void **state)
{
	(void)state;
	qoc_metrics_reset();
	unsigned r = qoc_metrics_route_intern("/oauth2/token");
	assert_true(r >= 1 && r <= QOC_METRICS_MAX_ROUTES);
	assert_int_equal(qoc_metrics_route_intern("/oauth2/token"), r); /* the same id */
	qoc_metrics_http_request(r, 200, 1000);
	qoc_metrics_http_request(r, 200, 1000);
	qoc_metrics_http_request(r, 401, 1000);
	qoc_metrics_http_request(r, 299, 1000); /* no value of its own: its class */
	qoc_metrics_http_request(0, 404, 1000);
	qoc_metrics_http_request(0, 0, 1000); /* never answered */
	struct qoc_buf b;
	char *t = render(&b);
	has_line(t, "# HELP qoc_http_requests_total HTTP requests answered, by route pattern and "
	            "status");
	has_line(t, "# TYPE qoc_http_requests_total counter");
	has_line(t, "qoc_http_requests_total{route=\"/oauth2/token\",status=\"200\"} 2");
	has_line(t, "qoc_http_requests_total{route=\"/oauth2/token\",status=\"401\"} 1");
	has_line(t, "qoc_http_requests_total{route=\"/oauth2/token\",status=\"2xx\"} 1");
	has_line(t, "qoc_http_requests_total{route=\"none\",status=\"404\"} 1");
	has_line(t, "qoc_http_requests_total{route=\"none\",status=\"none\"} 1");
	/* Route series that counted nothing are left out. */
	lacks(t, "status=\"500\"");
	has_line(t, "# TYPE qoc_http_open_connections gauge");
	has_line(t, "qoc_http_open_connections 0");
	qoc_metrics_connection(1);
	qoc_metrics_connection(1);
	qoc_metrics_connection(-1);
	qoc_buf_release(&b);
	t = render(&b);
	has_line(t, "qoc_http_open_connections 1");
	qoc_buf_release(&b);
}

static void histogram_buckets_are_cumulative(void **state)
{
	(void)state;
	qoc_metrics_reset();
	unsigned r = qoc_metrics_route_intern("/h");
	qoc_metrics_http_request(r, 200, 10000);        /* exactly on a bound: le is <= */
	qoc_metrics_http_request(r, 200, 30000);        /* (25 us, 50 us] */
	qoc_metrics_http_request(r, 200, 20000000000u); /* 20 s: only +Inf */
	struct qoc_buf b;
	char *t = render(&b);
	has_line(t, "# TYPE qoc_http_request_duration_seconds histogram");
	has_line(t, "qoc_http_request_duration_seconds_bucket{route=\"/h\",le=\"1e-05\"} 1");
	has_line(t, "qoc_http_request_duration_seconds_bucket{route=\"/h\",le=\"2.5e-05\"} 1");
	has_line(t, "qoc_http_request_duration_seconds_bucket{route=\"/h\",le=\"5e-05\"} 2");
	has_line(t, "qoc_http_request_duration_seconds_bucket{route=\"/h\",le=\"10\"} 2");
	has_line(t, "qoc_http_request_duration_seconds_bucket{route=\"/h\",le=\"+Inf\"} 3");
	has_line(t, "qoc_http_request_duration_seconds_count{route=\"/h\"} 3");
	has_line(t, "qoc_http_request_duration_seconds_sum{route=\"/h\"} 20.000040000");
	/* The pool wait histogram has no labels and is always there. */
	has_line(t, "qoc_store_pool_wait_seconds_bucket{le=\"+Inf\"} 0");
	has_line(t, "qoc_store_pool_wait_seconds_sum 0.000000000");
	has_line(t, "qoc_store_pool_wait_seconds_count 0");
	qoc_buf_release(&b);
}

/* Text format 0.0.4: a label value escapes backslash, double quote and line feed. */
static void label_values_are_escaped(void **state)
{
	(void)state;
	qoc_metrics_reset();
	unsigned r = qoc_metrics_route_intern("/a\"b\\c\nd");
	qoc_metrics_http_request(r, 200, 1);
	struct qoc_buf b;
	char *t = render(&b);
	has_line(t, "qoc_http_requests_total{route=\"/a\\\"b\\\\c\\nd\",status=\"200\"} 1");
	qoc_buf_release(&b);
	qoc_buf_init(&b, 64);
	assert_int_equal(qoc_metrics_write_label_value(&b, "plain"), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "plain");
	qoc_buf_release(&b);
}

static void routes_are_bounded(void **state)
{
	(void)state;
	char p[32];
	unsigned last = 0;
	for (unsigned i = 0; i < QOC_METRICS_MAX_ROUTES + 10; i++) {
		snprintf(p, sizeof(p), "/bounded/%u", i);
		last = qoc_metrics_route_intern(p);
		assert_true(last >= 1 && last <= QOC_METRICS_MAX_ROUTES + 1);
	}
	assert_int_equal(last, QOC_METRICS_MAX_ROUTES + 1);
	qoc_metrics_reset();
	qoc_metrics_http_request(last, 200, 1);
	qoc_metrics_http_request(100000, 200, 1); /* out of range: "other" too */
	struct qoc_buf b;
	char *t = render(&b);
	has_line(t, "qoc_http_requests_total{route=\"other\",status=\"200\"} 2");
	qoc_buf_release(&b);
}

static void fixed_families_show_every_label_value(void **state)
{
	(void)state;
	qoc_metrics_reset();
	qoc_metrics_token_issued(QOC_METRICS_GRANT_CLIENT_CREDENTIALS, false);
	qoc_metrics_token_issued(QOC_METRICS_GRANT_CLIENT_CREDENTIALS, true);
	qoc_metrics_token_issued(QOC_METRICS_GRANT_COUNT, true); /* out of range: ignored */
	qoc_metrics_signin(QOC_METRICS_SIGNIN_WRONG_PASSWORD);
	qoc_metrics_throttle_refused(QOC_METRICS_THROTTLE_CLIENT_PAIR);
	qoc_metrics_throttle_refused(QOC_METRICS_THROTTLE_NONE); /* not counted */
	qoc_metrics_signature(QOC_METRICS_ALG_ES256, QOC_METRICS_SIGN);
	qoc_metrics_mail(QOC_METRICS_MAIL_GIVEN_UP);
	struct qoc_buf b;
	char *t = render(&b);
	has_line(t, "qoc_tokens_issued_total{grant=\"client_credentials\",format=\"opaque\"} 1");
	has_line(t, "qoc_tokens_issued_total{grant=\"client_credentials\",format=\"jwt\"} 1");
	has_line(t, "qoc_tokens_issued_total{grant=\"implicit\",format=\"jwt\"} 0");
	has_line(t, "qoc_signins_total{factor=\"password\",outcome=\"wrong_password\"} 1");
	has_line(t, "qoc_signins_total{factor=\"password\",outcome=\"success\"} 0");
	has_line(t, "qoc_throttle_refusals_total{kind=\"client_pair\"} 1");
	has_line(t, "qoc_throttle_refusals_total{kind=\"login_pair\"} 0");
	lacks(t, "kind=\"none\"");
	has_line(t, "qoc_signatures_total{alg=\"ES256\",op=\"sign\"} 1");
	has_line(t, "qoc_signatures_total{alg=\"EdDSA\",op=\"verify\"} 0");
	has_line(t, "qoc_mail_deliveries_total{result=\"given_up\"} 1");
	qoc_buf_release(&b);
}

static void store_operations(void **state)
{
	(void)state;
	qoc_metrics_reset();
	uint64_t t0 = qoc_monotonic_ns();
	assert_int_equal(qoc_metrics_store_op(QOC_METRICS_STORE_token_get, t0, QOC_OK), QOC_OK);
	assert_int_equal(qoc_metrics_store_op(QOC_METRICS_STORE_token_get, t0, QOC_ENOTFOUND),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_metrics_store_op(QOC_METRICS_STORE_token_get, t0, QOC_EDB), QOC_EDB);
	qoc_metrics_pool_wait(t0, true);
	struct qoc_buf b;
	char *t = render(&b);
	has_line(t, "qoc_store_operation_duration_seconds_count{op=\"token_get\"} 3");
	has_line(t, "qoc_store_operation_errors_total{op=\"token_get\"} 1"); /* not ENOTFOUND */
	lacks(t, "op=\"tokens_issue\""); /* never called: left out */
	has_line(t, "qoc_store_pool_wait_seconds_count 1");
	has_line(t, "qoc_store_pool_timeouts_total 1");
	qoc_buf_release(&b);
}

static void scrape_time_samples(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_int_equal(qoc_metrics_write_family(&b, "x_total", "counter", "An x"), QOC_OK);
	assert_int_equal(qoc_metrics_write_sample(&b, "x_total", "kind", "a\"b", 3), QOC_OK);
	assert_int_equal(qoc_metrics_write_sample(&b, "x_total", NULL, NULL, 0.1), QOC_OK);
	assert_int_equal(qoc_metrics_write_sample(&b, "x_total", NULL, NULL, 1e20), QOC_OK);
	assert_int_equal(qoc_metrics_write_sample(&b, "x_total", NULL, NULL, NAN), QOC_OK);
	assert_int_equal(qoc_metrics_write_sample(&b, "x_total", NULL, NULL, -INFINITY), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "# HELP x_total An x\n"
	                                      "# TYPE x_total counter\n"
	                                      "x_total{kind=\"a\\\"b\"} 3\n"
	                                      "x_total 0.1\n"
	                                      "x_total 1e+20\n"
	                                      "x_total NaN\n"
	                                      "x_total -Inf\n");
	qoc_buf_release(&b);
}

/* Every line is a comment (HELP or TYPE of the family that follows) or a sample of the
 * family whose TYPE came last, and each family is declared once. */
static void every_line_is_well_formed(void **state)
{
	(void)state;
	qoc_metrics_reset();
	qoc_metrics_http_request(qoc_metrics_route_intern("/w"), 200, 5);
	struct qoc_buf b;
	char *t = render(&b);
	char family[128] = "";
	for (char *line = t; *line;) {
		char *end = strchr(line, '\n');
		assert_non_null(end);
		*end = '\0';
		char name[128];
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s", name), 1);
			char decl[140];
			snprintf(decl, sizeof(decl), "\n# TYPE %s ", name);
			*end = '\n';
			assert_ptr_equal(strstr(t, decl) + 1, line); /* declared once */
			*end = '\0';
			snprintf(family, sizeof(family), "%s", name);
		} else if (strncmp(line, "# HELP ", 7) != 0) {
			assert_true(family[0]);
			assert_int_equal(strncmp(line, family, strlen(family)), 0);
			char *sp = strrchr(line, ' ');
			assert_non_null(sp);
			assert_true(sp[1] >= '0' && sp[1] <= '9');
		}
		*end = '\n';
		line = end + 1;
	}
	qoc_buf_release(&b);
}

static void over_the_bound_is_elimit(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 256);
	assert_int_equal(qoc_metrics_render(&b), QOC_ELIMIT);
	qoc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(http_requests_by_route_and_status),
	    cmocka_unit_test(histogram_buckets_are_cumulative),
	    cmocka_unit_test(label_values_are_escaped),
	    cmocka_unit_test(fixed_families_show_every_label_value),
	    cmocka_unit_test(store_operations),
	    cmocka_unit_test(scrape_time_samples),
	    cmocka_unit_test(every_line_is_well_formed),
	    cmocka_unit_test(over_the_bound_is_elimit),
	    cmocka_unit_test(routes_are_bounded), /* last: it fills the route table */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
