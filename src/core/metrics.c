/* metrics.c - the registry of metrics.h: static cells, bucket layout, label tables and the
 * text exposition. */
#include "core/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- histograms ---- */

/* Upper bounds (le) of every histogram, from 10 us (a cached SQLite read) to 10 s (a
 * request stuck behind a lock), roughly x2.5 apart. */
#define NBUCKETS 19
static const uint64_t bucket_ns[NBUCKETS] = {
    10000,     25000,      50000,      100000,     250000,      500000,    1000000,
    2500000,   5000000,    10000000,   25000000,   50000000,    100000000, 250000000,
    500000000, 1000000000, 2500000000, 5000000000, 10000000000,
};
static const char *const bucket_le[NBUCKETS] = {
    "1e-05", "2.5e-05", "5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
    "0.025", "0.05",    "0.1",   "0.25",   "0.5",     "1",      "2.5",   "5",      "10",
};

/* Non-cumulative counts (the last one above every bound) and the sum; the count is the
 * sum of the buckets. */
struct hist {
	_Atomic uint64_t bucket[NBUCKETS + 1];
	_Atomic uint64_t sum_ns;
};

static void observe(struct hist *h, uint64_t ns)
{
	unsigned i = 0;
	while (i < NBUCKETS && ns > bucket_ns[i])
		i++;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

static uint64_t hist_count(const struct hist *h)
{
	uint64_t n = 0;
	for (unsigned i = 0; i <= NBUCKETS; i++)
		n += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
	return n;
}

/* ---- label tables ---- */

/* HTTP statuses with a value of their own; any other is counted as its class. */
static const unsigned status_codes[] = {200, 201, 204, 301, 302, 303, 304, 307, 308, 400,
                                        401, 403, 404, 405, 406, 409, 410, 413, 414, 415,
                                        422, 429, 431, 500, 501, 502, 503, 504};
#define NCODES (sizeof(status_codes) / sizeof(status_codes[0]))
/* Label values: "none" (never answered), the codes above, then "1xx" .. "5xx". */
#define NSTATUS (1 + NCODES + 5)
static char status_names[NSTATUS][8];
static pthread_once_t status_once = PTHREAD_ONCE_INIT;

static void status_names_init(void)
{
	snprintf(status_names[0], sizeof(status_names[0]), "none");
	for (size_t i = 0; i < NCODES; i++)
		snprintf(status_names[1 + i], sizeof(status_names[0]), "%u", status_codes[i]);
	for (unsigned c = 1; c <= 5; c++)
		snprintf(status_names[NCODES + c], sizeof(status_names[0]), "%uxx", c);
}

static unsigned status_index(unsigned status)
{
	for (unsigned i = 0; i < NCODES; i++)
		if (status_codes[i] == status)
			return 1 + i;
	if (status >= 100 && status <= 599)
		return (unsigned)NCODES + status / 100;
	return 0;
}

static const char *const grant_names[QOC_METRICS_GRANT_COUNT] = {
    "authorization_code", "refresh_token", "client_credentials", "implicit"};
static const char *const format_names[QOC_METRICS_FORMAT_COUNT] = {"opaque", "jwt"};
static const char *const signin_names[QOC_METRICS_SIGNIN_COUNT] = {"success", "wrong_password",
                                                                   "throttled", "error"};
static const char *const throttle_names[QOC_METRICS_THROTTLE_COUNT] = {
    "none",        "login_acct",  "login_addr",  "login_pair",
    "client_pair", "client_addr", "signup_addr", "signup_all"};
static const char *const alg_names[QOC_METRICS_ALG_COUNT] = {"RS256", "PS256", "ES256", "EdDSA"};
static const char *const sig_op_names[QOC_METRICS_SIG_OP_COUNT] = {"sign", "verify"};
static const char *const mail_names[QOC_METRICS_MAIL_COUNT] = {"sent", "failed", "given_up"};
static const char *const store_op_names[QOC_METRICS_STORE_OP_COUNT] = {
#define QOC_METRICS_STORE_OP_NAME(name) #name,
    QOC_METRICS_STORE_OPS(QOC_METRICS_STORE_OP_NAME)
#undef QOC_METRICS_STORE_OP_NAME
};

/* Route label values: 0 "none", 1..MAX the interned patterns, MAX + 1 "other". */
#define ROUTE_OTHER (QOC_METRICS_MAX_ROUTES + 1)
#define NROUTES (QOC_METRICS_MAX_ROUTES + 2)
static const char *route_names[NROUTES];
static _Atomic unsigned route_count; /* interned patterns, published after their names */
static pthread_mutex_t route_mu = PTHREAD_MUTEX_INITIALIZER;

unsigned qoc_metrics_route_intern(const char *pattern)
{
	unsigned id = ROUTE_OTHER;
	pthread_mutex_lock(&route_mu);
	unsigned n = atomic_load_explicit(&route_count, memory_order_relaxed);
	for (unsigned i = 1; i <= n; i++) {
		if (strcmp(route_names[i], pattern) == 0) {
			id = i;
			goto out;
		}
	}
	if (n < QOC_METRICS_MAX_ROUTES) {
		/* Kept for the life of the process: a bounded number of short strings. */
		char *copy = strdup(pattern);
		if (copy) {
			route_names[n + 1] = copy;
			atomic_store_explicit(&route_count, n + 1, memory_order_release);
			id = n + 1;
		}
	}
out:
	pthread_mutex_unlock(&route_mu);
	return id;
}

static const char *route_name(unsigned i)
{
	return i == 0 ? "none" : i == ROUTE_OTHER ? "other" : route_names[i];
}

/* ---- the cells ---- */

static _Atomic uint64_t http_cells[NROUTES][NSTATUS];
static struct hist http_hist[NROUTES];
static struct hist store_hist[QOC_METRICS_STORE_OP_COUNT];
static struct hist pool_hist[1];
_Atomic uint64_t qoc_metrics_tokens_cells[QOC_METRICS_GRANT_COUNT][QOC_METRICS_FORMAT_COUNT];
_Atomic uint64_t qoc_metrics_signin_cells[QOC_METRICS_SIGNIN_COUNT];
_Atomic uint64_t qoc_metrics_throttle_cells[QOC_METRICS_THROTTLE_COUNT];
_Atomic uint64_t qoc_metrics_sig_cells[QOC_METRICS_ALG_COUNT][QOC_METRICS_SIG_OP_COUNT];
_Atomic uint64_t qoc_metrics_mail_cells[QOC_METRICS_MAIL_COUNT];
_Atomic uint64_t qoc_metrics_store_error_cells[QOC_METRICS_STORE_OP_COUNT];
_Atomic uint64_t qoc_metrics_pool_timeout_cells[1];
_Atomic int64_t qoc_metrics_open_connections;

void qoc_metrics_http_request(unsigned route, unsigned status, uint64_t dur_ns)
{
	if (route >= NROUTES)
		route = ROUTE_OTHER;
	QOC_METRICS_INC(http_cells[route][status_index(status)]);
	observe(&http_hist[route], dur_ns);
}

enum qoc_err qoc_metrics_store_op(enum qoc_metrics_store_op op, uint64_t t0, enum qoc_err err)
{
	if ((unsigned)op >= QOC_METRICS_STORE_OP_COUNT)
		return err;
	observe(&store_hist[op], qoc_monotonic_ns() - t0);
	if (err == QOC_EDB || err == QOC_EBUSY || err == QOC_EIO || err == QOC_ENOMEM)
		QOC_METRICS_INC(qoc_metrics_store_error_cells[op]);
	return err;
}

void qoc_metrics_pool_wait(uint64_t t0, bool timed_out)
{
	observe(&pool_hist[0], qoc_monotonic_ns() - t0);
	if (timed_out)
		QOC_METRICS_INC(qoc_metrics_pool_timeout_cells[0]);
}

void qoc_metrics_reset(void)
{
	/* Tests only, between cases: no increment runs meanwhile. */
	memset((void *)http_cells, 0, sizeof(http_cells));
	memset((void *)http_hist, 0, sizeof(http_hist));
	memset((void *)store_hist, 0, sizeof(store_hist));
	memset((void *)pool_hist, 0, sizeof(pool_hist));
	memset((void *)qoc_metrics_tokens_cells, 0, sizeof(qoc_metrics_tokens_cells));
	memset((void *)qoc_metrics_signin_cells, 0, sizeof(qoc_metrics_signin_cells));
	memset((void *)qoc_metrics_throttle_cells, 0, sizeof(qoc_metrics_throttle_cells));
	memset((void *)qoc_metrics_sig_cells, 0, sizeof(qoc_metrics_sig_cells));
	memset((void *)qoc_metrics_mail_cells, 0, sizeof(qoc_metrics_mail_cells));
	memset((void *)qoc_metrics_store_error_cells, 0, sizeof(qoc_metrics_store_error_cells));
	memset((void *)qoc_metrics_pool_timeout_cells, 0, sizeof(qoc_metrics_pool_timeout_cells));
	atomic_store(&qoc_metrics_open_connections, 0);
}

/* ---- exposition ---- */

static uint64_t load(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

enum qoc_err qoc_metrics_write_label_value(struct qoc_buf *out, const char *s)
{
	enum qoc_err err = QOC_OK;
	for (const char *p = s; !err && *p; p++) {
		size_t n = strcspn(p, "\\\"\n");
		if (n)
			err = qoc_buf_append(out, p, n);
		p += n;
		if (err || !*p)
			break;
		err = qoc_buf_append(out, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\", 2);
	}
	return err;
}

/* "# HELP name help\n# TYPE name type\n" (help texts are ours: no backslash, no LF). */
static enum qoc_err header(struct qoc_buf *out, const char *name, const char *type,
                           const char *help)
{
	return qoc_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct label {
	const char *name, *value;
};

/* name{l0="v0",...} (no braces without labels), then " value\n". */
static enum qoc_err sample_text(struct qoc_buf *out, const char *name, const char *suffix,
                                const struct label *labels, size_t n, const char *value)
{
	enum qoc_err err = qoc_buf_printf(out, "%s%s", name, suffix);
	for (size_t i = 0; !err && i < n; i++) {
		err = qoc_buf_printf(out, "%c%s=\"", i ? ',' : '{', labels[i].name);
		if (!err)
			err = qoc_metrics_write_label_value(out, labels[i].value);
		if (!err)
			err = qoc_buf_append_char(out, '"');
	}
	if (!err && n)
		err = qoc_buf_append_char(out, '}');
	if (!err)
		err = qoc_buf_printf(out, " %s\n", value);
	return err;
}

static enum qoc_err sample(struct qoc_buf *out, const char *name, const char *suffix,
                           const struct label *labels, size_t n, uint64_t value)
{
	char text[24];
	snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
	return sample_text(out, name, suffix, labels, n, text);
}

/* The series of one histogram: cumulative buckets (labels plus le), _sum in seconds
 * (exact: nanoseconds written as a decimal fraction), _count. */
static enum qoc_err hist_series(struct qoc_buf *out, const char *name, const struct label *label,
                                const struct hist *h)
{
	struct label l[2];
	size_t n = 0;
	if (label)
		l[n++] = *label;
	l[n].name = "le";
	uint64_t cum = 0;
	enum qoc_err err = QOC_OK;
	for (unsigned i = 0; !err && i <= NBUCKETS; i++) {
		cum += load(&h->bucket[i]);
		l[n].value = i < NBUCKETS ? bucket_le[i] : "+Inf";
		err = sample(out, name, "_bucket", l, n + 1, cum);
	}
	uint64_t ns = load(&h->sum_ns);
	char sum[32];
	snprintf(sum, sizeof(sum), "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
	         (unsigned long long)(ns % 1000000000u));
	if (!err)
		err = sample_text(out, name, "_sum", l, n, sum);
	if (!err)
		err = sample(out, name, "_count", l, n, cum);
	return err;
}

/* A counter over one label, every value shown (skip_zero: only those that counted). */
static enum qoc_err counter_1d(struct qoc_buf *out, const char *name, const char *help,
                               const char *lname, const char *const *values, size_t first,
                               size_t count, const _Atomic uint64_t *cells, bool skip_zero)
{
	enum qoc_err err = header(out, name, "counter", help);
	for (size_t i = first; !err && i < count; i++) {
		uint64_t v = load(&cells[i]);
		if (skip_zero && !v)
			continue;
		struct label l = {lname, values[i]};
		err = sample(out, name, "", &l, 1, v);
	}
	return err;
}

static enum qoc_err render_http(struct qoc_buf *out)
{
	pthread_once(&status_once, status_names_init);
	unsigned routes = atomic_load_explicit(&route_count, memory_order_acquire);
	enum qoc_err err = header(out, "qoc_http_requests_total", "counter",
	                          "HTTP requests answered, by route pattern and status");
	for (unsigned r = 0; !err && r < NROUTES; r++) {
		if (r > routes && r != ROUTE_OTHER)
			continue;
		for (unsigned s = 0; !err && s < NSTATUS; s++) {
			uint64_t v = load(&http_cells[r][s]);
			struct label l[2] = {{"route", route_name(r)}, {"status", status_names[s]}};
			if (v)
				err = sample(out, "qoc_http_requests_total", "", l, 2, v);
		}
	}
	if (!err)
		err = header(out, "qoc_http_request_duration_seconds", "histogram",
		             "Time from the request line to the answer's completion, by route");
	for (unsigned r = 0; !err && r < NROUTES; r++) {
		if ((r > routes && r != ROUTE_OTHER) || !hist_count(&http_hist[r]))
			continue;
		struct label l = {"route", route_name(r)};
		err = hist_series(out, "qoc_http_request_duration_seconds", &l, &http_hist[r]);
	}
	if (!err)
		err = header(out, "qoc_http_open_connections", "gauge",
		             "Connections open on the main listener");
	if (!err)
		err = qoc_buf_printf(out, "qoc_http_open_connections %lld\n",
		                     (long long)atomic_load(&qoc_metrics_open_connections));
	return err;
}

static enum qoc_err render_protocol(struct qoc_buf *out)
{
	enum qoc_err err = header(out, "qoc_tokens_issued_total", "counter",
	                          "Access tokens issued, by grant and format");
	for (unsigned g = 0; !err && g < QOC_METRICS_GRANT_COUNT; g++)
		for (unsigned f = 0; !err && f < QOC_METRICS_FORMAT_COUNT; f++) {
			struct label l[2] = {{"grant", grant_names[g]},
			                     {"format", format_names[f]}};
			err = sample(out, "qoc_tokens_issued_total", "", l, 2,
			             load(&qoc_metrics_tokens_cells[g][f]));
		}
	if (!err)
		err = header(out, "qoc_signins_total", "counter",
		             "Sign-ins on QOC Login, by factor and outcome");
	for (unsigned o = 0; !err && o < QOC_METRICS_SIGNIN_COUNT; o++) {
		struct label l[2] = {{"factor", "password"}, {"outcome", signin_names[o]}};
		err =
		    sample(out, "qoc_signins_total", "", l, 2, load(&qoc_metrics_signin_cells[o]));
	}
	if (!err)
		err = counter_1d(out, "qoc_throttle_refusals_total",
		                 "Attempts refused by a failure budget, by throttle table", "kind",
		                 throttle_names, 1, QOC_METRICS_THROTTLE_COUNT,
		                 qoc_metrics_throttle_cells, false);
	if (!err)
		err = header(out, "qoc_signatures_total", "counter",
		             "JWS signatures made and checked, by algorithm");
	for (unsigned a = 0; !err && a < QOC_METRICS_ALG_COUNT; a++)
		for (unsigned o = 0; !err && o < QOC_METRICS_SIG_OP_COUNT; o++) {
			struct label l[2] = {{"alg", alg_names[a]}, {"op", sig_op_names[o]}};
			err = sample(out, "qoc_signatures_total", "", l, 2,
			             load(&qoc_metrics_sig_cells[a][o]));
		}
	if (!err)
		err = counter_1d(out, "qoc_mail_deliveries_total",
		                 "Outbox delivery attempts, by result", "result", mail_names, 0,
		                 QOC_METRICS_MAIL_COUNT, qoc_metrics_mail_cells, false);
	return err;
}

static enum qoc_err render_store(struct qoc_buf *out)
{
	enum qoc_err err = header(out, "qoc_store_operation_duration_seconds", "histogram",
	                          "Store operations (store/store.h), by operation");
	for (unsigned op = 0; !err && op < QOC_METRICS_STORE_OP_COUNT; op++) {
		if (!hist_count(&store_hist[op]))
			continue;
		struct label l = {"op", store_op_names[op]};
		err = hist_series(out, "qoc_store_operation_duration_seconds", &l, &store_hist[op]);
	}
	if (!err)
		err = counter_1d(out, "qoc_store_operation_errors_total",
		                 "Store operations that failed (busy, database, I/O, memory)", "op",
		                 store_op_names, 0, QOC_METRICS_STORE_OP_COUNT,
		                 qoc_metrics_store_error_cells, true);
	if (!err)
		err = header(out, "qoc_store_pool_wait_seconds", "histogram",
		             "Time spent waiting for a pooled store connection");
	if (!err)
		err = hist_series(out, "qoc_store_pool_wait_seconds", NULL, &pool_hist[0]);
	if (!err)
		err = header(out, "qoc_store_pool_timeouts_total", "counter",
		             "Waits for a pooled store connection that timed out");
	if (!err)
		err = sample(out, "qoc_store_pool_timeouts_total", "", NULL, 0,
		             load(&qoc_metrics_pool_timeout_cells[0]));
	return err;
}

enum qoc_err qoc_metrics_render(struct qoc_buf *out)
{
	enum qoc_err err = render_http(out);
	if (!err)
		err = render_protocol(out);
	if (!err)
		err = render_store(out);
	return err;
}

enum qoc_err qoc_metrics_write_family(struct qoc_buf *out, const char *name, const char *type,
                                      const char *help)
{
	return header(out, name, type, help);
}

enum qoc_err qoc_metrics_write_sample(struct qoc_buf *out, const char *name, const char *label,
                                      const char *label_value, double value)
{
	char text[40];
	if (isnan(value))
		snprintf(text, sizeof(text), "NaN");
	else if (isinf(value))
		snprintf(text, sizeof(text), "%s", value > 0 ? "+Inf" : "-Inf");
	else if (value == floor(value) && fabs(value) < 9e15)
		snprintf(text, sizeof(text), "%.0f", value);
	else /* the shortest text that reads back as the same double */
		for (int prec = 15; prec <= 17; prec++)
			if (snprintf(text, sizeof(text), "%.*g", prec, value) > 0 &&
			    strtod(text, NULL) == value)
				break;
	struct label l = {label, label_value};
	return sample_text(out, name, "", &l, label ? 1 : 0, text);
}
